package dev.pipework.cli;

import dev.pipework.exec.DryRunPrinter;
import dev.pipework.guest.Attachment;
import dev.pipework.guest.AttachmentInspector;
import dev.pipework.guest.Guest;
import dev.pipework.host.OvsPort;
import dev.pipework.host.RunLock;
import dev.pipework.model.PipeworkException;
import dev.pipework.guest.DockerException;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Step;
import dev.pipework.plan.Steps;
import dev.pipework.plan.Planner;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** {@code del}: removes what attaches plumbed into a guest, found in the live state. Removing twice is harmless. */
final class Removal {
    private final Services services;
    private final PrintStream out;
    private final PrintStream err;

    Removal(Services services, PrintStream out, PrintStream err) {
        this.services = services;
        this.out = out;
        this.err = err;
    }

    int run(DelCommand command) {
        if (!command.dryRun) {
            services.requireRoot(Services.CHANGES);
        }
        String containerIf = command.containerInterface == null ? "eth1" : command.containerInterface;
        AttachmentInspector inspector = services.attachments().get();
        Guest guest;
        try {
            guest = services.guests().resolve(command.guest, false);
        } catch (PipeworkException e) {
            // A container that was removed can still have Open vSwitch records naming it.
            guest = null;
        }
        List<Attachment> selected = new ArrayList<>();
        int remaining = 0;
        if (guest != null) {
            for (Attachment a : inspector.attachments(guest)) {
                if (command.all || a.containerInterface().equals(containerIf)) {
                    selected.add(a);
                } else {
                    remaining++;
                }
            }
        }
        List<OvsPort> stale = stalePorts(guest, command.guest, inspector, command.all ? null : containerIf);
        List<Step> clients = guest == null ? List.of()
                : dhcpClients(guest, command.all ? null : containerIf, remaining == 0);
        if (selected.isEmpty() && stale.isEmpty() && clients.isEmpty()) {
            err.println("pipework: nothing to remove: " + (command.all ? "no interface" : "no interface \"" + containerIf
                    + "\"") + " plumbed into " + (guest == null ? "\"" + command.guest + "\"" : guest.describe()));
            return 0;
        }
        Plan removal = new Planner().planDelete(selected, stale,
                "/proc/" + services.host().hostPid() + "/ns/net");
        List<Step> steps = new ArrayList<>(clients);
        steps.addAll(removal.steps());
        Plan plan = new Plan(steps, List.of(), List.of());
        if (command.dryRun) {
            DryRunPrinter.print(plan, out);
            return 0;
        }
        TreeSet<String> bridges = new TreeSet<>();
        selected.forEach(a -> a.bridge().ifPresent(bridges::add));
        stale.forEach(p -> bridges.add(p.bridge()));
        try (RunLock lock = new RunLock(services.lockDir())) {
            bridges.forEach(b -> lock.acquire("link-" + b));
            if (guest != null && guest.netnsInode() != 0) {
                lock.acquire("netns-" + guest.netnsInode());
            }
            services.executor().execute(plan);
        }
        return 0;
    }

    /**
     * DHCP clients an attach left running ({@code -f} forms): the busybox helper container of that
     * interface, and, once no attachment is left in the guest, the host's clients recorded in the
     * original's pid files.
     */
    private List<Step> dhcpClients(Guest guest, String containerIf, boolean lastOne) {
        List<Step> steps = new ArrayList<>();
        if (guest.containerId().isPresent() && services.docker().isAvailable()) {
            try {
                List<String> helpers = new ArrayList<>(services.docker().idsWithLabel(
                        Steps.HelperDhcpClient.LABEL_GUEST, guest.containerId().get()));
                if (containerIf != null) {
                    helpers.retainAll(services.docker().idsWithLabel(Steps.HelperDhcpClient.LABEL_INTERFACE, containerIf));
                }
                helpers.forEach(id -> steps.add(new Steps.RemoveContainer(id)));
            } catch (DockerException e) {
                err.println("pipework: cannot look for DHCP helper containers: " + e.getMessage());
            }
        }
        if (lastOne) {
            String name = guest.token().replace('/', '_');
            for (String client : List.of("udhcpc", "dhclient")) {
                String pidFile = "/var/run/" + client + "." + name + ".pid";
                if (Files.exists(Path.of(pidFile))) {
                    steps.add(new Steps.StopByPidFile(pidFile, client));
                    steps.add(new Steps.RemoveFile(pidFile));
                }
            }
        }
        return steps;
    }

    /**
     * Open vSwitch ports that record this Docker container but whose link is gone: what is left of
     * an attach once the container stopped or was removed (its veth pair went with its namespace).
     * A container that no longer exists is recognised by the name or ID prefix the records hold.
     */
    private static List<OvsPort> stalePorts(Guest guest, String token, AttachmentInspector inspector,
                                            String containerIf) {
        if (guest != null && guest.containerId().isEmpty()) {
            return List.of();
        }
        List<OvsPort> stale = new ArrayList<>();
        for (OvsPort port : inspector.ovsPorts().values()) {
            String id = port.externalIds().getOrDefault("pipework.containerid", "");
            String name = port.externalIds().getOrDefault("pipework.containername", "");
            boolean mine = guest != null ? guest.containerId().get().equals(id)
                    : !id.isEmpty() && (name.equals("/" + token) || (token.length() >= 12 && id.startsWith(token)));
            boolean gone = !Files.exists(Path.of("/sys/class/net", port.name()));
            // Records do not say which container interface they served. Once the container has no
            // namespace (stopped or removed) every link they describe is gone, so all of them go.
            boolean interfaceMatches = containerIf == null || guest == null || guest.pid() == 0
                    || port.name().startsWith("v" + containerIf + "pl");
            if (mine && gone && interfaceMatches) {
                stale.add(port);
            }
        }
        return stale;
    }
}
