package dev.pipework.plan;

import dev.pipework.model.AddressSpec;
import dev.pipework.model.Guest;
import dev.pipework.model.MacAddress;
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
        if (dhcp.ipv4() && !dhcp.client().equals("dhcp") && !view.installed(dhcp.client())) {
            throw PipeworkException.original("You asked for DHCP client " + dhcp.client() + ", but I can't find it.");
        }
        if (dhcp.ipv6().isPresent() && !view.installed("sysctl")) {
            throw new PipeworkException("IPv6 by " + dhcp.ipv6().get().word() + " needs sysctl (procps), to accept"
                    + " router advertisements on the interface; it is not installed");
        }
        if (dhcp.ipv6().orElse(null) == AddressSpec.Ipv6Mode.DHCP6 && !view.installed("dhclient")) {
            throw PipeworkException.original("You asked for DHCP client dhclient, but I can't find it.");
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

    /**
     * Before the interface comes up: with IPv6 asked for, router advertisements accepted on it (for
     * SLAAC's address, and the route either way), its address made from them only with
     * {@code slaac}; with {@code dhcp6}, no duplicate address detection, so that its link-local
     * address is there for dhclient at once.
     */
    static void beforeUp(AddressSpec.Dhcp dhcp, String containerIf, Where in, List<Step> steps) {
        if (dhcp.ipv6().isEmpty()) {
            return;
        }
        String conf = "net/ipv6/conf/" + containerIf + "/";
        boolean slaac = dhcp.ipv6().get() == AddressSpec.Ipv6Mode.SLAAC;
        steps.add(new DhcpSteps.SetSysctl(in, conf + "disable_ipv6", "0"));
        steps.add(new DhcpSteps.SetSysctl(in, conf + "accept_ra", "2"));
        steps.add(new DhcpSteps.SetSysctl(in, conf + "autoconf", slaac ? "1" : "0"));
        if (!slaac) {
            steps.add(new DhcpSteps.SetSysctl(in, conf + "accept_dad", "0"));
        }
    }

    static void plan(AddressSpec.Dhcp dhcp, Guest guest, Optional<MacAddress> mac, String containerIf, Where in,
                     MachineView view, List<Step> steps) {
        List<String> options = dhcp.options().isBlank() ? List.of() : List.of(dhcp.options().trim().split("\\s+"));
        if (dhcp.client().equals("dhcp")) {
            steps.add(new DhcpSteps.HelperDhcpClient(guest.id().orElseThrow(), guest.token(), containerIf, options,
                    view.runTag()));
            return;
        }
        List<DhcpKeeping.Kept> kept = new ArrayList<>();
        String identity = DhcpKeeping.identity(guest, mac);
        String hostname = DhcpKeeping.hostname(guest.token());
        if (dhcp.client().equals("udhcpc") || dhcp.client().equals("dhclient")) {
            kept.add(new DhcpKeeping.Kept(DhcpKeeping.Kept.key(identity, containerIf, 4), dhcp.client(), 4, containerIf,
                    hostname, options, guest.stableNetnsPath(), guest.netnsInode(), dhcp.timeoutSeconds()));
        }
        if (dhcp.ipv6().orElse(null) == AddressSpec.Ipv6Mode.DHCP6) {
            kept.add(new DhcpKeeping.Kept(DhcpKeeping.Kept.key(identity, containerIf, 6), "dhclient", 6, containerIf,
                    hostname, List.of(), guest.stableNetnsPath(), guest.netnsInode(), dhcp.timeoutSeconds()));
        }
        boolean dhcpcd = dhcp.client().equals("dhcpcd");
        if (!kept.isEmpty() || dhcpcd) {
            // A name for the namespace for "ip netns exec", and an /etc/netns directory of its own.
            String netns = "pipework-" + guest.nameNumber();
            enter(netns, in, steps);
            if (!kept.isEmpty()) {
                steps.add(new DhcpSteps.PrivateDirectory(DhcpKeeping.DIR));
            }
            if (kept.stream().anyMatch(k -> k.client().equals("udhcpc"))) {
                UdhcpcHook.steps(view, steps);
            }
            for (DhcpKeeping.Kept k : kept) {
                // The same container back (restarted) before the keeper saw its old namespace go: the
                // client of the old one goes first, or it would hold that namespace alive, unkept.
                view.hostFile(k.recordFile()).flatMap(DhcpKeeping.Kept::parse)
                        .flatMap(old -> view.dhcpClientProcess(old.pidFile(), old.client(), old.netnsInode()))
                        .ifPresent(pid -> steps.add(new DhcpSteps.StopProcess(pid, k.client() + " of the guest's last run")));
                if (k.client().equals("dhclient") && !view.fileExists(k.leaseFile())) {
                    // A lease file this run makes goes with it when it fails; one kept from before stays.
                    steps.add(new DhcpSteps.CreateFile(k.leaseFile()));
                }
                steps.addAll(start(k, netns));
            }
            if (dhcpcd) {
                steps.add(new DhcpSteps.HostDhcpClient(netns, "dhcpcd", List.of("-q", containerIf, "-h", guest.token()),
                        containerIf));
            }
            if (!kept.isEmpty()) {
                steps.add(new DhcpSteps.StartKeeper(view.pipeworkCommand()));
            }
        }
        // Before the namespace's name goes: a failure here undoes the clients and that name in order.
        if (dhcp.ipv6().orElse(null) == AddressSpec.Ipv6Mode.SLAAC) {
            steps.add(new DhcpSteps.AwaitSlaac(in, containerIf, dhcp.timeoutSeconds()));
        }
        if (!kept.isEmpty() || dhcpcd) {
            leave("pipework-" + guest.nameNumber(), steps);
        }
    }

    /** The steps that start one kept client: its configuration, the client with its lease, the keeper's record. */
    static List<Step> start(DhcpKeeping.Kept k, String netns) {
        List<Step> steps = new ArrayList<>();
        if (k.client().equals("dhclient")) {
            steps.add(new DhcpSteps.WriteKeeperFile(k.configFile(), k.configuration(), "the configuration of dhclient"));
        }
        steps.add(new DhcpSteps.ClearPidFile(k.pidFile()));
        steps.add(new DhcpSteps.KeptDhcpClient(netns, k, false));
        steps.add(new DhcpSteps.WriteKeeperFile(k.recordFile(), k.text(), "the lease keeper's record"));
        return steps;
    }

    /** The keeper's restart of a client that died: the same client, lease file and configuration, in the namespace held. */
    static List<Step> restart(DhcpKeeping.Kept k, Guest guest, MachineView view) {
        List<Step> steps = new ArrayList<>();
        String netns = "pipework-" + guest.nameNumber();
        enter(netns, Where.guest(guest.netnsPath()), steps);
        steps.add(new DhcpSteps.PrivateDirectory(DhcpKeeping.DIR));
        if (k.client().equals("udhcpc")) {
            UdhcpcHook.steps(view, steps);
        }
        if (k.client().equals("dhclient")) {
            steps.add(new DhcpSteps.WriteKeeperFile(k.configFile(), k.configuration(), "the configuration of dhclient"));
        }
        steps.add(new DhcpSteps.RemoveFile(k.pidFile()));
        steps.add(new DhcpSteps.KeptDhcpClient(netns, k, true));
        leave(netns, steps);
        return steps;
    }

    /** {@code ip netns exec} needs a name in /var/run/netns; the client's script, an /etc/netns of that name. */
    static void enter(String netns, Where in, List<Step> steps) {
        String mountPoint = "/var/run/netns/" + netns;
        String etc = "/etc/netns/" + netns;
        steps.add(new DhcpSteps.MakeDirectory("/var/run/netns"));
        steps.add(new DhcpSteps.CreateFile(mountPoint));
        steps.add(new DhcpSteps.BindMount(in.netnsPath(), mountPoint));
        steps.add(new DhcpSteps.MakeDirectory(etc, true));
        steps.add(new DhcpSteps.CreateFile(etc + "/resolv.conf"));
    }

    static void leave(String netns, List<Step> steps) {
        String mountPoint = "/var/run/netns/" + netns;
        String etc = "/etc/netns/" + netns;
        steps.add(new DhcpSteps.Unmount(mountPoint));
        steps.add(new DhcpSteps.RemoveFile(mountPoint));
        steps.add(new DhcpSteps.RemoveFile(etc + "/resolv.conf"));
        steps.add(new DhcpSteps.RemoveDirectory(etc));
    }

    /** The kept clients of a guest's namespace (of one interface, or all), from the keeper's records. */
    static List<DhcpKeeping.Kept> keptOf(long netnsInode, Optional<String> containerIf, MachineView view) {
        List<DhcpKeeping.Kept> found = new ArrayList<>();
        for (String file : view.hostDirectory(DhcpKeeping.DIR)) {
            if (!file.endsWith(".record")) {
                continue;
            }
            view.hostFile(DhcpKeeping.DIR + "/" + file).flatMap(DhcpKeeping.Kept::parse)
                    .filter(k -> k.recordFile().equals(DhcpKeeping.DIR + "/" + file))
                    .filter(k -> k.netnsInode() == netnsInode)
                    .filter(k -> containerIf.isEmpty() || containerIf.get().equals(k.iface()))
                    .ifPresent(found::add);
        }
        return found;
    }

    /**
     * Stops a kept client for good: its record first (the keeper then leaves it alone), the client
     * (proved by /proc to be that client in that namespace), a DHCPRELEASE when the interface is
     * still there to send it, and its files.
     */
    static List<Step> release(DhcpKeeping.Kept k, Optional<Where> in, MachineView view) {
        List<Step> steps = new ArrayList<>();
        steps.add(new DhcpSteps.RemoveFile(k.recordFile()));
        Optional<Long> pid = view.dhcpClientProcess(k.pidFile(), k.client(), k.netnsInode());
        // udhcpc started with -R sends its DHCPRELEASE as it is stopped; dhclient is stopped, then asked to release.
        pid.ifPresent(p -> steps.add(new DhcpSteps.StopProcess(p, k.client())));
        steps.add(new DhcpSteps.RemoveFile(k.pidFile()));
        if (k.client().equals("dhclient") && in.isPresent()) {
            steps.add(new DhcpSteps.ReleaseLease(in.get(), k));
        }
        steps.add(new DhcpSteps.RemoveFile(k.leaseFile()));
        steps.add(new DhcpSteps.RemoveFile(k.configFile()));
        steps.add(new DhcpSteps.RemoveFile(k.leaseFile() + ".new"));
        steps.add(new DhcpSteps.RemoveFile(k.pidFile() + ".release"));
        return steps;
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
        if (guest.netnsInode() != 0) {
            Optional<Where> in = guest.pid() != 0 || !guest.netnsPath().isEmpty()
                    ? Optional.of(Where.guest(guest.netnsPath())) : Optional.empty();
            for (DhcpKeeping.Kept k : keptOf(guest.netnsInode(), containerIf, view)) {
                steps.addAll(release(k, in, view));
            }
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
