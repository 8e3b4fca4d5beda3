package dev.pipework.plan;

import dev.pipework.model.AddressSpec;
import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.sys.Where;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * DHCP as the address source: busybox {@code udhcpc} in a helper container ({@code dhcp}), or the
 * host's {@code udhcpc}, {@code dhclient} or {@code dhcpcd} in the guest's namespace, with the
 * original's arguments (the guest's name as DHCP hostname, pid and lease files named after it).
 * Without {@code -f} the client is stopped once it has a lease; {@code del} stops what stayed.
 */
final class DhcpSource {
    private DhcpSource() {
    }

    /** Refusals that do not depend on the host interface's kind. */
    static void check(AddressSpec.Dhcp dhcp, MachineView view) {
        if (!dhcp.client().equals("dhcp") && !view.installed(dhcp.client())) {
            throw PipeworkException.original("You asked for DHCP client " + dhcp.client() + ", but I can't find it.");
        }
    }

    static void checkGuest(AddressSpec.Dhcp dhcp, Guest guest) {
        if (dhcp.client().equals("dhcp") && !guest.runtime().helperContainers()) {
            throw PipeworkException.original(String.join("\n",
                    "You asked for a Docker-specific DHCP method.",
                    "However, " + guest.token() + " doesn't seem to be a Docker container.",
                    "Try to replace 'dhcp' with another option?",
                    "Aborting."));
        }
    }

    static void plan(AddressSpec.Dhcp dhcp, Guest guest, String containerIf, Where in, List<Step> steps) {
        List<String> options = dhcp.options().isBlank() ? List.of() : List.of(dhcp.options().trim().split("\\s+"));
        if (dhcp.client().equals("dhcp")) {
            steps.add(new DhcpSteps.HelperDhcpClient(guest.id().orElseThrow(), guest.token(), containerIf, options));
            return;
        }
        String name = fileName(guest);
        // A name for the namespace for "ip netns exec", and an /etc/netns directory of its own.
        String netns = "pipework-" + guest.nameNumber();
        String mountPoint = "/var/run/netns/" + netns;
        String etc = "/etc/netns/" + netns;
        steps.add(new DhcpSteps.MakeDirectory("/var/run/netns"));
        steps.add(new DhcpSteps.CreateFile(mountPoint));
        steps.add(new DhcpSteps.BindMount(in.netnsPath(), mountPoint));
        steps.add(new DhcpSteps.MakeDirectory(etc, true));
        steps.add(new DhcpSteps.CreateFile(etc + "/resolv.conf"));
        List<Step> after = new ArrayList<>();
        switch (dhcp.client()) {
            case "udhcpc": {
                String pidFile = pidFile("udhcpc", guest);
                List<String> args = new ArrayList<>(List.of("-qi", containerIf, "-x", "hostname:" + guest.token(),
                        "-p", pidFile));
                args.addAll(options);
                if (dhcp.foreground()) {
                    args.add("-f");
                }
                steps.add(new DhcpSteps.HostDhcpClient(netns, "udhcpc", args, containerIf));
                if (!dhcp.foreground()) {
                    after.add(new DhcpSteps.RemoveFile(pidFile));
                }
                break;
            }
            case "dhclient": {
                String pidFile = pidFile("dhclient", guest);
                steps.add(new DhcpSteps.MakeDirectory("/etc/dhclient"));
                List<String> args = new ArrayList<>(List.of(containerIf, "-pf", pidFile,
                        "-lf", "/etc/dhclient/dhclient." + name + ".leases"));
                args.addAll(options);
                steps.add(new DhcpSteps.HostDhcpClient(netns, "dhclient", args, containerIf));
                if (!dhcp.foreground()) {
                    // dhclient stays in the background to renew; the original stops it so that it does
                    // not outlive the container.
                    after.add(new DhcpSteps.StopByPidFile(pidFile, "dhclient"));
                    after.add(new DhcpSteps.RemoveFile(pidFile));
                }
                break;
            }
            default:
                steps.add(new DhcpSteps.HostDhcpClient(netns, "dhcpcd", List.of("-q", containerIf, "-h", guest.token()),
                        containerIf));
                break;
        }
        steps.addAll(after);
        steps.add(new DhcpSteps.Unmount(mountPoint));
        steps.add(new DhcpSteps.RemoveFile(mountPoint));
        steps.add(new DhcpSteps.RemoveFile(etc + "/resolv.conf"));
        steps.add(new DhcpSteps.RemoveDirectory(etc));
    }

    private static String fileName(Guest guest) {
        return guest.token().replace('/', '_');
    }

    private static String pidFile(String client, Guest guest) {
        return "/var/run/" + client + "." + fileName(guest) + ".pid";
    }

    /**
     * Clients an attach left running ({@code -f} forms): the busybox helper container of that
     * interface (or of every interface), and, once no attachment is left in the guest, the host's
     * clients recorded in the original's pid files.
     */
    static List<Step> removal(Guest guest, Optional<String> containerIf, boolean lastOne, MachineView view) {
        List<Step> steps = new ArrayList<>();
        if (guest.id().isPresent() && guest.runtime().helperContainers()) {
            List<String> helpers = new ArrayList<>(view.containersLabelled(DhcpSteps.HelperDhcpClient.LABEL_GUEST,
                    guest.id().get()));
            if (containerIf.isPresent() && !helpers.isEmpty()) {
                helpers.retainAll(view.containersLabelled(DhcpSteps.HelperDhcpClient.LABEL_INTERFACE, containerIf.get()));
            }
            helpers.forEach(id -> steps.add(new DhcpSteps.RemoveContainer(id)));
        }
        if (lastOne && guest.netnsInode() != 0) {
            // A pid file of the guest's name proves nothing (anyone may write one, and a guest named
            // like a host interface shares its name with the host's own clients' files): only a
            // process that /proc shows is that client, started with that file, in the guest's
            // namespace, is stopped, and only then is its file removed.
            for (String client : List.of("udhcpc", "dhclient")) {
                String pidFile = pidFile(client, guest);
                if (view.fileExists(pidFile)) {
                    Optional<Long> pid = view.dhcpClientProcess(pidFile, client, guest.netnsInode());
                    if (pid.isPresent()) {
                        steps.add(new DhcpSteps.StopProcess(pid.get(), client));
                        steps.add(new DhcpSteps.RemoveFile(pidFile));
                    }
                }
            }
        }
        return steps;
    }
}
