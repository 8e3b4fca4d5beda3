package dev.pipework.run;

import dev.pipework.guest.Docker;
import dev.pipework.guest.GuestInspector;



import dev.pipework.model.Guest;
import dev.pipework.model.Runtime;
import dev.pipework.plan.GuestLink;
import dev.pipework.plan.HostLink;
import dev.pipework.plan.MachineView;
import dev.pipework.plan.OvsPort;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host end of a guest's veth costs the same however many links the host has, when pipework named
 * it; {@code status} of many guests reads the host's links ahead, once, the way it reads the guests.
 */
class MachineReaderTest {
    @TempDir
    Path locks;

    /** Filled from the threads that read guests a few at once. */
    final List<String> asked = java.util.Collections.synchronizedList(new ArrayList<>());

    final Map<String, HostLink> links = Map.of(
            "veth1pl42", new HostLink("veth1pl42", 7, 6, Optional.of("br1"), true, "pipework"),
            "pwh0123456789ab", new HostLink("pwh0123456789ab", 9, 8, Optional.of("br1"), true, ""));

    final Map<String, OvsPort> ovs = Map.of(
            "veth1pl42", new OvsPort("veth1pl42", "ovs0", Optional.of(7), Map.of(OvsPort.CONTAINER_ID, "id1")),
            "veth2pl42", new OvsPort("veth2pl42", "ovs0", Optional.empty(), Map.of(OvsPort.CONTAINER_ID, "id1")),
            "veth1pl43", new OvsPort("veth1pl43", "ovs1", Optional.empty(), Map.of(OvsPort.CONTAINER_ID, "id2")));
    Optional<String> ovsDown = Optional.empty();
    /** Whether ports can be asked alone (the database served on its socket). */
    boolean alone = true;

    MachineView view() {
        return services().view();
    }

    Services services() {
        EmptyHost host = new EmptyHost() {
            @Override
            public Map<Integer, HostLink> links() {
                asked.add("links");
                return Map.of(7, links.get("veth1pl42"), 9, links.get("pwh0123456789ab"));
            }

            @Override
            public Map<Integer, String> linkNamesByIndex() {
                asked.add("indexes");
                return Map.of(7, "veth1pl42", 9, "pwh0123456789ab");
            }

            @Override
            public Map<Integer, HostLink> linksOfMany() {
                asked.add("linksOfMany");
                return Map.of(7, links.get("veth1pl42"), 9, links.get("pwh0123456789ab"));
            }

            @Override
            public Optional<HostLink> hostLink(String name) {
                asked.add(name);
                return Optional.ofNullable(links.get(name));
            }

            @Override
            public boolean linkExists(String name) {
                asked.add("exists " + name);
                return links.containsKey(name);
            }

            @Override
            public java.util.Set<String> linkNames() {
                asked.add("names");
                return links.keySet();
            }

            @Override
            public OvsPorts ovsPortsRead() {
                asked.add("every port");
                return new OvsPorts(ovs, ovsDown);
            }

            @Override
            public Optional<OvsPorts> ovsPortsNamed(java.util.Collection<String> names) {
                asked.add("ports " + names);
                if (!alone) {
                    return Optional.empty();
                }
                Map<String, OvsPort> some = new java.util.HashMap<>(ovsDown.isPresent() ? Map.of() : ovs);
                some.keySet().retainAll(names);
                return Optional.of(new OvsPorts(some, ovsDown));
            }

            @Override
            public Optional<OvsPorts> ovsPortsRecording(String key, String value, Map<String, OvsPort> known) {
                asked.add("ports recording " + value + " knowing " + new java.util.TreeSet<>(known.keySet()));
                if (!alone) {
                    return Optional.empty();
                }
                Map<String, OvsPort> some = new java.util.HashMap<>(ovsDown.isPresent() ? Map.of() : ovs);
                some.values().removeIf(p -> !value.equals(p.externalIds().get(key)));
                return Optional.of(new OvsPorts(some, ovsDown));
            }
        };
        GuestInspector inside = new EmptyGuest() {
            @Override
            public List<GuestLink> links(String netnsPath, String guest) {
                asked.add("one " + guest);
                return List.of();
            }

            @Override
            public List<GuestLink> linksOfOneOfMany(String netnsPath, String guest) {
                asked.add("of many " + guest);
                return List.of();
            }
        };
        CommandRunner runner = new CommandRunner() {
            public CommandResult run(List<String> argv) {
                return new CommandResult(0, "", "");
            }

            public CommandResult run(List<String> argv, String stdin) {
                return run(argv);
            }
        };
        return new Services(runner, host, null, inside, () -> 0, locks, Docker.unavailable(), line -> { }, Optional.empty());
    }

    static List<Guest> guests(int n) {
        List<Guest> guests = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            guests.add(new Guest("c" + i, new Runtime("docker", "Docker", false), Optional.of("id" + i), Optional.empty(),
                    100 + i, "/proc/" + (100 + i) + "/ns/net", 4000 + i));
        }
        return guests;
    }

    @Test
    void statusOfManyGuestsReadsTheHostAheadOnceAsItReadsTheGuests() {
        MachineView view = services().viewOfEverything(guests(MachineReader.MANY_GUESTS));
        assertEquals(MachineReader.MANY_GUESTS + 2, asked.size(), asked.toString());
        assertEquals(List.of("linksOfMany", "of many " + MachineView.HOST_AS_GUEST), asked.subList(asked.size() - 2, asked.size()));
        asked.clear();
        assertEquals(Optional.of("pwh0123456789ab"), view.hostLink(9, "veth1pl43").map(HostLink::name));
        assertEquals(2, view.hostLinks().size());
        assertEquals(List.of(), view.guestLinks(view.hostNetnsPath(), MachineView.HOST_AS_GUEST));
        assertEquals(List.of(), asked);
    }

    @Test
    void statusOfAFewGuestsLeavesTheHostToItsQuestions() {
        MachineView view = services().viewOfEverything(guests(MachineReader.MANY_GUESTS - 1));
        assertEquals(MachineReader.MANY_GUESTS - 1, asked.size(), asked.toString());
        assertTrue(asked.stream().allMatch(a -> a.startsWith("one ")), asked.toString());
        asked.clear();
        assertEquals(Optional.of("veth1pl42"), view.hostLink(7, "veth1pl42").map(HostLink::name));
        assertEquals(List.of("veth1pl42"), asked);
    }

    @Test
    void theLikelyNameIsReadAloneWhenItIsTheLink() {
        MachineView view = view();
        assertEquals(Optional.of("veth1pl42"), view.hostLink(7, "veth1pl42").map(HostLink::name));
        assertEquals(List.of("veth1pl42"), asked);
    }

    @Test
    void anotherNameCostsOneReadingOfTheIndexesARun() {
        MachineView view = view();
        assertEquals(Optional.of("pwh0123456789ab"), view.hostLink(9, "veth1pl43").map(HostLink::name));
        assertEquals(Optional.empty(), view.hostLink(11, "veth2pl43"));
        assertEquals(List.of("veth1pl43", "indexes", "pwh0123456789ab", "veth2pl43"), asked);
    }

    @Test
    void aLinkOfTheLikelyNameButAnotherIndexIsNotTaken() {
        MachineView view = view();
        assertEquals(Optional.of("pwh0123456789ab"), view.hostLink(9, "veth1pl42").map(HostLink::name));
    }

    /** A run about one guest asks Open vSwitch for its ports alone, each question once. */
    @Test
    void portsOfOneGuestAreAskedAlone() {
        MachineView view = view();
        assertEquals("ovs0", view.ovsPort("veth1pl42").orElseThrow().bridge());
        assertEquals(Optional.empty(), view.ovsPort("veth9pl42"));
        assertEquals(Optional.empty(), view.ovsPort("veth9pl42"));
        assertEquals(List.of("veth1pl42", "veth2pl42"), view.ovsPortsOfContainer("id1").stream().map(OvsPort::name).sorted().toList());
        // Found by the container's record: not asked again by name.
        assertEquals(Optional.of("ovs0"), view.ovsPort("veth2pl42").map(OvsPort::bridge));
        assertEquals(Optional.empty(), view.ovsDatabaseDown());
        assertEquals(List.of("ports [veth1pl42]", "ports [veth9pl42]", "ports recording id1 knowing [veth1pl42]"), asked);
    }

    /** Once every port is read, the questions about one are answered from that reading. */
    @Test
    void everyPortReadAnswersTheQuestionsAboutOne() {
        MachineView view = view();
        assertEquals(3, view.ovsPorts().size());
        assertEquals(Optional.of("ovs1"), view.ovsPort("veth1pl43").map(OvsPort::bridge));
        assertEquals(List.of("veth1pl43"), view.ovsPortsOfContainer("id2").stream().map(OvsPort::name).toList());
        assertEquals(List.of("every port"), asked);
    }

    /** Ports that cannot be asked alone: every port read once, and the questions answered from it. */
    @Test
    void portsThatCannotBeAskedAloneAreReadWholeOnce() {
        alone = false;
        MachineView view = view();
        assertEquals(Optional.of("ovs0"), view.ovsPort("veth1pl42").map(OvsPort::bridge));
        assertEquals(List.of("veth1pl43"), view.ovsPortsOfContainer("id2").stream().map(OvsPort::name).toList());
        assertEquals(Optional.empty(), view.ovsPort("veth9pl42"));
        assertEquals(Optional.empty(), view.ovsDatabaseDown());
        assertEquals(List.of("ports [veth1pl42]", "every port"), asked);
    }

    /** The database not answering a question about one port: the line, as for every port; nothing else read. */
    @Test
    void aDatabaseDownForOnePortIsSaid() {
        ovsDown = Optional.of("Open vSwitch's database does not answer (is ovsdb-server running?): unix:/x: database connection failed");
        MachineView view = view();
        assertEquals(Optional.empty(), view.ovsPort("veth1pl42"));
        assertEquals(ovsDown, view.ovsDatabaseDown());
        assertEquals(List.of("ports [veth1pl42]"), asked);
    }

    /** Nothing asked of Open vSwitch yet: whether its database answers is learnt from every port, as before. */
    @Test
    void aDatabaseNotAskedYetIsReadWhole() {
        MachineView view = view();
        assertEquals(Optional.empty(), view.ovsDatabaseDown());
        assertEquals(List.of("every port"), asked);
    }

    /** A link asked alone is a file test, each name once; once every name is read, from those. */
    @Test
    void aLinkIsAskedAloneUntilEveryNameIsRead() {
        MachineView view = view();
        assertTrue(view.hostLinkExists("veth1pl42"));
        assertTrue(!view.hostLinkExists("veth9pl42"));
        assertTrue(view.hostLinkExists("veth1pl42"));
        assertEquals(List.of("exists veth1pl42", "exists veth9pl42"), asked);
        asked.clear();
        view.hostLinkNames();
        assertTrue(view.hostLinkExists("pwh0123456789ab"));
        assertEquals(List.of("names"), asked);
    }
}
