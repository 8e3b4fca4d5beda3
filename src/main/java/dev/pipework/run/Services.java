package dev.pipework.run;

import dev.pipework.exec.ContainerActions;
import dev.pipework.exec.Executor;
import dev.pipework.exec.Journal;
import dev.pipework.exec.OvsdbActions;
import dev.pipework.guest.DockerContainer;
import dev.pipework.guest.DockerEngine;
import dev.pipework.guest.DockerException;
import dev.pipework.guest.GuestInspector;
import dev.pipework.guest.GuestResolver;
import dev.pipework.host.HostInspector;
import dev.pipework.host.OvsdbPortChanges;
import dev.pipework.host.OvsdbSocket;
import dev.pipework.ipam.Ipam;
import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.Command;
import dev.pipework.plan.MachineView;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * What the front ends are given to work with: the real machine in {@code Main}, fakes in tests.
 *
 * @param runner       runs the plan's commands (and route, rule and tc); the inspectors have their own
 * @param host         reads the host
 * @param guests       finds guests, in the runtimes' order
 * @param guestInspector reads the inside of a guest
 * @param effectiveUid the effective user ID (0 for root)
 * @param lockDir      where the locks that serialise runs on one bridge or one guest live
 * @param docker       the Docker engine, for the DHCP helper container
 * @param warn         where a warning goes, one line without the {@code pipework: } prefix
 * @param ipam         the address pools and their store
 * @param journal      the journal of runs in flight ({@link Recovery}); none in tests that do not ask for one
 * @param ovsdb        changes Open vSwitch's ports on its database's socket, where that is served
 */
public record Services(CommandRunner runner, HostInspector host, GuestResolver guests, GuestInspector guestInspector,
                       IntSupplier effectiveUid, Path lockDir, DockerEngine docker, Consumer<String> warn, Ipam ipam,
                       Optional<Journal> journal, OvsdbActions ovsdb) {

    /**
     * Services whose Open vSwitch ports change by their {@code ovs-vsctl} commands, through the
     * runner ({@link #withOvsdb} for the database's socket).
     */
    public Services(CommandRunner runner, HostInspector host, GuestResolver guests, GuestInspector guestInspector,
                    IntSupplier effectiveUid, Path lockDir, DockerEngine docker, Consumer<String> warn, Ipam ipam,
                    Optional<Journal> journal) {
        this(runner, host, guests, guestInspector, effectiveUid, lockDir, docker, warn, ipam, journal,
                OvsdbActions.NONE);
    }

    /** Changes Open vSwitch's ports on the socket {@code ovs-vsctl} talks to, where a server listens there. */
    public static final OvsdbActions OVSDB_SOCKET = new OvsdbActions() {
        public Optional<CommandResult> apply(Command.OvsPortChange change, BooleanSupplier stopping) {
            return ovsdbSocket(socket -> OvsdbPortChanges.apply(socket, change, stopping));
        }

        public Optional<CommandResult> awaitPort(Command.AwaitOvsPort await, BooleanSupplier stopping) {
            return ovsdbSocket(socket -> OvsdbPortChanges.awaitPort(socket, await, stopping));
        }
    };

    private interface OnSocket {
        CommandResult on(Path socket) throws OvsdbPortChanges.LeftToOvsVsctl;
    }

    /** The same services, Open vSwitch's ports changed through {@code ovsdb} (tests inject faults there). */
    public Services withOvsdb(OvsdbActions ovsdb) {
        return new Services(runner, host, guests, guestInspector, effectiveUid, lockDir, docker, warn, ipam, journal,
                ovsdb);
    }

    /** On the database's socket, where a server listens there and the question is not left to ovs-vsctl. */
    private static Optional<CommandResult> ovsdbSocket(OnSocket question) {
        Path socket = OvsdbSocket.socket();
        if (!Files.exists(socket)) {
            return Optional.empty();
        }
        try {
            return Optional.of(question.on(socket));
        } catch (OvsdbPortChanges.LeftToOvsVsctl e) {
            return Optional.empty();
        }
    }

    /** Services with the pools the environment names, without a journal. */
    public Services(CommandRunner runner, HostInspector host, GuestResolver guests, GuestInspector guestInspector,
                    IntSupplier effectiveUid, Path lockDir, DockerEngine docker, Consumer<String> warn) {
        this(runner, host, guests, guestInspector, effectiveUid, lockDir, docker, warn,
                Ipam.fromEnvironment(System.getenv()), Optional.empty());
    }

    /** Services with these pools, without a journal. */
    public Services(CommandRunner runner, HostInspector host, GuestResolver guests, GuestInspector guestInspector,
                    IntSupplier effectiveUid, Path lockDir, DockerEngine docker, Consumer<String> warn, Ipam ipam) {
        this(runner, host, guests, guestInspector, effectiveUid, lockDir, docker, warn, ipam, Optional.empty());
    }

    /** Services with the pools the environment names and this journal. */
    public Services(CommandRunner runner, HostInspector host, GuestResolver guests, GuestInspector guestInspector,
                    IntSupplier effectiveUid, Path lockDir, DockerEngine docker, Consumer<String> warn,
                    Optional<Journal> journal) {
        this(runner, host, guests, guestInspector, effectiveUid, lockDir, docker, warn,
                Ipam.fromEnvironment(System.getenv()), journal);
    }

    /** Services whose warnings go nowhere (tests). */
    public Services(CommandRunner runner, HostInspector host, GuestResolver guests, GuestInspector guestInspector,
                    IntSupplier effectiveUid, Path lockDir, DockerEngine docker) {
        this(runner, host, guests, guestInspector, effectiveUid, lockDir, docker, line -> { });
    }

    public static final String CHANGES =
            "it changes network interfaces and namespaces (try sudo, or --dry-run to see the commands)";

    /**
     * The executor of plans, acting through this runner, container engine and Open vSwitch's
     * database on its socket, where that is served.
     */
    public Executor executor() {
        return new Executor(runner, containers(), ovsdb, journal);
    }

    /** A new view of the machine, for one plan: each fact is read when first asked, then kept. */
    public MachineView view() {
        return new MachineReader(this);
    }

    /**
     * A fresh reading of the machine with these guests' links read ahead, a few at once: for the
     * commands that look at every guest ({@code status}, {@code apply}), whose time is otherwise one
     * child process after another.
     */
    public MachineView viewOf(List<Guest> guests) {
        MachineReader reader = new MachineReader(this);
        reader.readGuestLinks(guests);
        return reader;
    }

    /**
     * The machine as read for {@code status} of all these guests: theirs and the host's links read
     * ahead, one moment's reading to show, which nothing plans from.
     */
    public MachineView viewOfEverything(List<Guest> guests) {
        MachineReader reader = new MachineReader(this);
        reader.readEverything(guests);
        return reader;
    }

    /** Refuses to go on without root, saying why root is needed. */
    public void requireRoot(String why) {
        if (effectiveUid.getAsInt() != 0) {
            throw new PipeworkException("must be run as root: " + why);
        }
    }

    /** The Docker engine as the executor acts through it. */
    private ContainerActions containers() {
        DockerEngine engine = docker;
        return new ContainerActions() {
            public String start(Map<String, Object> createBody) throws Failed {
                try {
                    return engine.createAndStart(createBody);
                } catch (DockerException e) {
                    throw new Failed(e.getMessage());
                }
            }

            public Optional<Boolean> running(String id) throws Failed {
                try {
                    return engine.inspect(id).map(DockerContainer::running);
                } catch (DockerException e) {
                    throw new Failed(e.getMessage());
                }
            }

            public List<String> labelled(String label, String value) throws Failed {
                try {
                    return engine.idsWithLabel(label, value);
                } catch (DockerException e) {
                    throw new Failed(e.getMessage());
                }
            }

            public void remove(String id) throws Failed {
                try {
                    engine.remove(id, true);
                } catch (DockerException e) {
                    throw new Failed(e.getMessage());
                }
            }
        };
    }
}
