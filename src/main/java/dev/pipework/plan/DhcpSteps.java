package dev.pipework.plan;

import dev.pipework.plan.Command.Exec;
import dev.pipework.sys.Where;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Steps of the DHCP forms: files and mounts for {@code ip netns exec}, the clients, the helper container. */
public final class DhcpSteps {
    private DhcpSteps() {
    }

    /** {@code mkdir -p <path>}; with {@code removeOnUndo}, a directory this run alone uses, removed with its content. */
    public record MakeDirectory(String path, boolean removeOnUndo) implements Step.OwnPath {
        public MakeDirectory(String path) {
            this(path, false);
        }

        public Command command() {
            return Exec.of("mkdir", "-p", path);
        }

        public Optional<Command> undo() {
            return removeOnUndo ? Optional.of(Exec.of("rm", "-rf", path)) : Optional.empty();
        }

        public String action() {
            return "create directory " + path;
        }
    }

    /** {@code touch <path>}: an empty file, removed on undo. */
    public record CreateFile(String path) implements Step.OwnPath {
        public Command command() {
            return Exec.of("touch", path);
        }

        public Optional<Command> undo() {
            return Optional.of(Exec.of("rm", "-f", path));
        }

        public String action() {
            return "create " + path;
        }
    }

    /** {@code mount --bind <source> <target>}, unmounted on undo. */
    public record BindMount(String source, String target) implements Step.OwnPath {
        public Command command() {
            return Exec.of("mount", "--bind", source, target);
        }

        public Optional<Command> undo() {
            return Optional.of(Exec.of("umount", target));
        }

        public String action() {
            return "bind " + source + " to " + target;
        }
    }

    /** {@code umount <target>}. */
    public record Unmount(String target) implements Step {
        public Command command() {
            return Exec.of("umount", target);
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "unmount " + target;
        }
    }

    /** {@code rmdir <path>}. */
    public record RemoveDirectory(String path) implements Step {
        public Command command() {
            return Exec.of("rmdir", path);
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "remove " + path;
        }
    }

    /** {@code rm -f <path>}. */
    public record RemoveFile(String path) implements Step {
        public Command command() {
            return Exec.of("rm", "-f", path);
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "remove " + path;
        }
    }

    /**
     * The host's DHCP client run in the guest's namespace ({@code udhcpc}, {@code dhclient} or
     * {@code dhcpcd}), with the original's arguments; it returns once it has a lease. It runs under
     * {@code ip netns exec <name>}, as in the original, but with {@code /etc/netns/<name>/resolv.conf}
     * in place: the client's script then writes the DNS servers there, not into the host's
     * {@code /etc/resolv.conf}.
     */
    public record HostDhcpClient(String netnsName, String client, List<String> arguments, String device)
            implements Step {
        /**
         * How long the client may take to get its lease (dhclient tries for 60 s, then goes to the
         * background; udhcpc without {@code -n} tries until stopped): longer than other commands.
         */
        public static final Duration LEASE_BOUND = Duration.ofMinutes(5);

        public Command command() {
            List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netnsName, client));
            argv.addAll(arguments);
            return new Exec(argv, Set.of(0), Optional.of(LEASE_BOUND));
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "get a lease with " + client + " on \"" + device + "\"";
        }
    }

    /**
     * {@code pkill -F <pidfile>}: stops a DHCP client that went to the background once it had its
     * lease. pkill exits 1 when no process matched: the client has already gone, which is what was
     * wanted.
     */
    public record StopByPidFile(String pidFile, String what) implements Step {
        public Command command() {
            return new Exec(List.of("pkill", "-F", pidFile), Set.of(0, 1), Optional.empty());
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "stop " + what;
        }
    }

    /**
     * {@code kill <pid>}: a DHCP client that {@code /proc} showed pipework started for this guest.
     * kill exits 1 when the process has gone meanwhile, which is what was wanted.
     */
    public record StopProcess(long pid, String what) implements Step {
        public Command command() {
            return new Exec(List.of("kill", Long.toString(pid)), Set.of(0, 1), Optional.empty());
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "stop " + what + " (PID " + pid + ")";
        }
    }

    /**
     * {@code dhcp}: busybox's {@code udhcpc} in a helper container that shares the guest's network
     * ({@code docker run -d --net container:<guest> --cap-add NET_ADMIN busybox udhcpc ...}), started
     * through the Engine API. Without {@code -f} the client goes to the background once it has a
     * lease, which ends the helper (the run waits for that), and the engine removes it; with
     * {@code -f} it stays to renew the lease, labelled so that {@code del} finds it. It also carries
     * a tag of its own ({@code run}: the run's PID and a random number), which its undo removes it
     * by: harmless where the helper never started (no other container has that label).
     */
    public record HelperDhcpClient(String containerId, String hostname, String device, List<String> options,
                                   String run) implements Step {
        public static final String LABEL_GUEST = "dev.pipework.dhcp-for";
        public static final String LABEL_INTERFACE = "dev.pipework.interface";
        public static final String LABEL_RUN = "dev.pipework.run";

        public boolean foreground() {
            return options.contains("-f");
        }

        private List<String> clientCommand() {
            List<String> cmd = new ArrayList<>(List.of("udhcpc", "-i", device, "-x", "hostname:" + hostname));
            cmd.addAll(options);
            return cmd;
        }

        public Command command() {
            List<String> argv = new ArrayList<>(List.of("docker", "run", "-d"));
            if (!foreground()) {
                argv.add("--rm");
            }
            argv.addAll(List.of("--label", LABEL_GUEST + "=" + containerId, "--label", LABEL_INTERFACE + "=" + device,
                    "--label", LABEL_RUN + "=" + run, "--net", "container:" + containerId, "--cap-add", "NET_ADMIN",
                    "busybox"));
            argv.addAll(clientCommand());
            Map<String, Object> hostConfig = new LinkedHashMap<>();
            hostConfig.put("NetworkMode", "container:" + containerId);
            hostConfig.put("CapAdd", List.of("NET_ADMIN"));
            hostConfig.put("AutoRemove", !foreground());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("Image", "busybox");
            body.put("Cmd", clientCommand());
            body.put("Labels", Map.of(LABEL_GUEST, containerId, LABEL_INTERFACE, device, LABEL_RUN, run));
            body.put("HostConfig", hostConfig);
            return new Command.StartContainer(body, !foreground(), argv);
        }

        public Optional<Command> undo() {
            return Optional.of(new Command.RemoveLabelled(LABEL_RUN, run));
        }

        @Override
        public boolean undoHarmlessIfNotRun() {
            return true;
        }

        public String action() {
            return "start the DHCP client container (busybox udhcpc) for \"" + device + "\"";
        }
    }

    /** {@code docker rm -f <id>}, through the Engine API: a DHCP helper container that stayed. */
    public record RemoveContainer(String id) implements Step {
        public Command command() {
            return new Command.RemoveContainer(id);
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "remove container " + id;
        }
    }

    /** {@code mkdir -p -m 0700 <path>}: a directory of root's alone (a guest's files never go there). */
    public record PrivateDirectory(String path) implements Step {
        public Command command() {
            return Exec.of("mkdir", "-p", "-m", "0700", path);
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "create directory " + path;
        }
    }

    /** A small file of the lease keeper's on the host (a record, a client's configuration), removed on undo. */
    public record WriteKeeperFile(String path, String content, String what) implements Step.OwnPath {
        public Command command() {
            return new Command.WriteFile(path, content);
        }

        public Optional<Command> undo() {
            return Optional.of(Exec.of("rm", "-f", path));
        }

        public String action() {
            return "write " + what + " (" + path + ")";
        }
    }

    /**
     * The host's client, started in the guest's namespace to get its lease and then stay, renewing
     * it (under {@code ip netns exec}, so that its script writes the guest's DNS servers into
     * {@code /etc/netns/<name>/resolv.conf}, not the host's). It returns once it has its lease, or
     * fails with exit status 1 when none came within the bound. Undone by stopping the client, found by
     * its command line (its pid file may not be written yet).
     */
    public record KeptDhcpClient(String netnsName, DhcpKeeping.Kept kept, boolean again) implements Step {
        public Command command() {
            List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netnsName));
            if (kept.client().equals("udhcpc")) {
                // udhcpc passes its environment to its script, the hook, which records the lease under this key.
                argv.addAll(List.of("env", DhcpKeeping.KEY_VARIABLE + "=" + kept.key()));
            }
            argv.add(kept.client());
            argv.addAll(kept.arguments(again));
            return new Command.Obtain(argv, Duration.ofSeconds(kept.timeout() + 15L),
                    "no DHCP" + (kept.family() == 6 ? "v6" : "") + " lease within " + kept.timeout() + " s ("
                            + kept.client() + " on \"" + kept.iface() + "\")");
        }

        public Optional<Command> undo() {
            return Optional.of(DhcpKeeping.stopClient(kept.client(), kept.pidFile()));
        }

        public String action() {
            return "get a lease with " + kept.client() + (kept.family() == 6 ? " -6" : "") + " on \"" + kept.iface() + "\"";
        }
    }

    /**
     * A Docker driver's first lease, taken on the host before the engine moves the link into its
     * container: {@code dhclient -1} with {@code -sf /bin/true}, so that nothing on the host is
     * configured (no address on the link, no route, no resolv.conf); it fails with exit status 1 when
     * no lease came within the bound, else it goes to the background and its pid file names it.
     */
    public record HostLease(DhcpKeeping.Kept kept) implements Step {
        public Command command() {
            return new Command.Obtain(List.of("dhclient", "-1", "-sf", "/bin/true", "-pf", kept.pidFile(), "-lf",
                    kept.leaseFile(), "-cf", kept.configFile(), kept.iface()), Duration.ofSeconds(kept.timeout() + 15L),
                    "no DHCP lease within " + kept.timeout() + " s (dhclient on \"" + kept.iface() + "\")");
        }

        public Optional<Command> undo() {
            return Optional.of(DhcpKeeping.stopClient("dhclient", kept.pidFile()));
        }

        public String action() {
            return "get a lease with dhclient on \"" + kept.iface() + "\"";
        }
    }

    /**
     * {@code setsid -f <pipework> dhcp-keeper}: the lease keeper, started when none runs (it holds a
     * lock; a second one exits at once). It restarts a kept client that died and stops the clients of
     * a guest that is gone.
     */
    public record StartKeeper(List<String> pipework) implements Step {
        public StartKeeper {
            pipework = List.copyOf(pipework);
        }

        public Command command() {
            List<String> argv = new ArrayList<>(List.of("setsid", "-f"));
            argv.addAll(pipework);
            argv.add("dhcp-keeper");
            return new Command.Detached(argv);
        }

        /** As a dry run shows it: the Java command line of this very pipework differs from machine to machine. */
        @Override
        public List<String> argv() {
            return List.of("setsid", "-f", "pipework", "dhcp-keeper");
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "start the DHCP lease keeper";
        }
    }

    /**
     * {@code dhclient -r}, in the guest's namespace, once the kept client is stopped: a DHCPRELEASE for
     * the lease its lease file holds. With a pid file of its own (it would stop whatever process the
     * kept one names) and no script (the interface goes right after). Whether the server heard it
     * changes nothing to the removal.
     */
    public record ReleaseLease(Where where, DhcpKeeping.Kept kept) implements Step {
        public Command command() {
            List<String> argv = new ArrayList<>(List.of("dhclient"));
            if (kept.family() == 6) {
                argv.add("-6");
            }
            argv.addAll(List.of("-r", "-pf", kept.pidFile() + ".release", "-lf", kept.leaseFile(), "-cf",
                    kept.configFile(), "-sf", "/bin/true", kept.iface()));
            return new Exec(where.wrap(argv), Set.of(0, 1, 2), Optional.empty());
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "release the lease of \"" + kept.iface() + "\"";
        }
    }

    /** {@code sysctl -w <key>=<value>} in the guest's namespace (router advertisements on one interface). */
    public record SetSysctl(Where where, String key, String value) implements Step {
        public Command command() {
            return Exec.of(where.wrap(List.of("sysctl", "-q", "-w", key + "=" + value)));
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "set " + key + " to " + value;
        }
    }

    /** Waits (bounded) until the interface has a global IPv6 address from a router advertisement. */
    public record AwaitSlaac(Where where, String iface, int seconds) implements Step {
        public Command command() {
            return new Command.AwaitAddress(where, iface, Duration.ofSeconds(seconds));
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "get an IPv6 address from router advertisements on \"" + iface + "\"";
        }
    }

    /**
     * {@code rm -f <pid file>} before a kept client starts, and again on undo: a client stopped by
     * the undo (or by a signal before it had its lease) may leave its pid file behind.
     */
    public record ClearPidFile(String path) implements Step.OwnPath {
        public Command command() {
            return Exec.of("rm", "-f", path);
        }

        public Optional<Command> undo() {
            return Optional.of(Exec.of("rm", "-f", path));
        }

        public String action() {
            return "remove " + path;
        }
    }
}
