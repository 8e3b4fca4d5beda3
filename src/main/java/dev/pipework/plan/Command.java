package dev.pipework.plan;

import dev.pipework.model.Family;
import dev.pipework.sys.ShellWords;
import dev.pipework.sys.Where;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a step runs, as data: the planner decides it, the executor carries it out. Every command
 * names the command line it equals ({@link #argv()}), which is what a dry run prints.
 */
public sealed interface Command {

    /** The command line this equals. */
    List<String> argv();

    /**
     * {@code [nsenter --net=<ns>] ip [-4|-6] <words>}: consecutive ones of one namespace can share
     * one {@code ip -batch}.
     */
    record Ip(Where where, Optional<Family> family, List<String> words) implements Command {
        public Ip {
            words = List.copyOf(words);
        }

        /** Without a family flag. */
        public static Ip of(Where where, String... words) {
            return new Ip(where, Optional.empty(), List.of(words));
        }

        public static Ip of(Where where, Family family, List<String> words) {
            return new Ip(where, Optional.of(family), words);
        }

        public List<String> argv() {
            List<String> argv = new ArrayList<>(words.size() + 2);
            argv.add("ip");
            family.ifPresent(f -> argv.add(f.ipFlag()));
            argv.addAll(words);
            return where.wrap(argv);
        }
    }

    /**
     * Any other program. {@code successStatuses} lists the exit statuses that mean it did what was
     * wanted (pkill's 1, "no process matched", when the process is already gone); {@code bound},
     * how long it may take where that is longer than the runner's usual bound (a DHCP client
     * waiting for its lease).
     */
    record Exec(List<String> argv, Set<Integer> successStatuses, Optional<Duration> bound) implements Command {
        public Exec {
            argv = List.copyOf(argv);
            successStatuses = Set.copyOf(successStatuses);
        }

        public static Exec of(String... argv) {
            return of(List.of(argv));
        }

        public static Exec of(List<String> argv) {
            return new Exec(argv, Set.of(0), Optional.empty());
        }
    }

    /**
     * A program that leaves a process of its own behind and whose outcome changes nothing
     * ({@code setsid -f ...}): its output is discarded and its status ignored.
     */
    record Detached(List<String> argv) implements Command {
        public Detached {
            argv = List.copyOf(argv);
        }
    }

    /**
     * A helper container started through the container engine's API, from a
     * {@code POST /containers/create} body. With {@code awaitExit}, the run waits (a bounded while)
     * for it to end by itself.
     *
     * @param equivalent the {@code docker run} command line it equals
     */
    record StartContainer(Map<String, Object> createBody, boolean awaitExit, List<String> equivalent)
            implements Command {
        public StartContainer {
            createBody = Map.copyOf(createBody);
            equivalent = List.copyOf(equivalent);
        }

        public List<String> argv() {
            return equivalent;
        }
    }

    /**
     * Writes a small file on the host (its directory made first), as root: a record only the host
     * can write. It equals {@code mkdir -p <dir> && printf '%s\n' <content> > <path>}.
     */
    record WriteFile(String path, String content) implements Command {
        public String directory() {
            int slash = path.lastIndexOf('/');
            return slash > 0 ? path.substring(0, slash) : "/";
        }

        public List<String> argv() {
            return List.of("sh", "-c", "mkdir -p " + ShellWords.quote(directory()) + " && printf '%s\\n' "
                    + ShellWords.quote(content) + " > " + ShellWords.quote(path));
        }
    }

    /** {@code docker rm -f <id>}, through the engine's API. */
    record RemoveContainer(String id) implements Command {
        public List<String> argv() {
            return List.of("docker", "rm", "-f", id);
        }
    }

    /** Removes (killing first) every container that carries this label with this value. */
    record RemoveLabelled(String label, String value) implements Command {
        public List<String> argv() {
            return List.of("sh", "-c", "docker rm -f $(docker ps -aq --filter label=" + label + "=" + value + ")");
        }
    }

    /**
     * A port added to ({@code added} present) or removed from an Open vSwitch bridge, equal to the
     * {@code ovs-vsctl} command {@code argv}: the executor carries it out as one transaction of its
     * own on the database's socket and then, with {@code awaitSwitch}, waits, as {@code ovs-vsctl}
     * without {@code --no-wait} does, for {@code ovs-vswitchd} to apply it; where the socket is not
     * served, it runs {@code argv}.
     * {@code ovs-vsctl} reads the bridges', ports' and interfaces' tables whole before it changes
     * one row, a cost that grows with every port on the host; the transaction asks for the rows
     * it changes alone.
     */
    record OvsPortChange(String bridge, String port, Optional<NewOvsPort> added, boolean awaitSwitch,
                         List<String> argv) implements Command {
        public OvsPortChange {
            argv = List.copyOf(argv);
        }
    }

    /**
     * Waits until Open vSwitch's switch has the interface of this port (its {@code ofport} set), on
     * the database's socket, or where that is not served by running {@code argv}
     * ({@code ovs-vsctl wait-until}).
     */
    record AwaitOvsPort(String port, List<String> argv) implements Command {
        public AwaitOvsPort {
            argv = List.copyOf(argv);
        }
    }

    /** The port an {@link OvsPortChange} adds: its VLAN tag, and the external-ids of its interface. */
    record NewOvsPort(Optional<Integer> tag, Map<String, String> externalIds) {
        public NewOvsPort {
            externalIds = Map.copyOf(externalIds);
        }
    }

    /**
     * A DHCP client that returns once it has its lease (and may stay in the background): a failure
     * means no lease, reported as {@code failure} with exit status 1, as every refusal.
     */
    record Obtain(List<String> argv, Duration bound, String failure) implements Command {
        public Obtain {
            argv = List.copyOf(argv);
        }
    }

    /**
     * Waits, reading the interface again and again within {@code bound}, until it has a global IPv6
     * address; it equals {@code ip -6 addr show dev <iface> scope global} until that shows one.
     */
    record AwaitAddress(Where where, String iface, Duration bound) implements Command {
        public List<String> argv() {
            return where.wrap(List.of("ip", "-6", "addr", "show", "dev", iface, "scope", "global"));
        }
    }
}
