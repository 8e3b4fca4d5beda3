package dev.pipework.run;

import dev.pipework.guest.Docker;
import dev.pipework.guest.GuestInspector;



import dev.pipework.plan.HostLink;
import dev.pipework.plan.MachineView;
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

/** The host end of a guest's veth costs the same however many links the host has, when pipework named it. */
class MachineReaderTest {
    @TempDir
    Path locks;

    final List<String> asked = new ArrayList<>();

    final Map<String, HostLink> links = Map.of(
            "veth1pl42", new HostLink("veth1pl42", 7, 6, Optional.of("br1"), true, "pipework"),
            "pwh0123456789ab", new HostLink("pwh0123456789ab", 9, 8, Optional.of("br1"), true, ""));

    MachineView view() {
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
            public Optional<HostLink> hostLink(String name) {
                asked.add(name);
                return Optional.ofNullable(links.get(name));
            }
        };
        GuestInspector inside = new EmptyGuest();
        CommandRunner runner = new CommandRunner() {
            public CommandResult run(List<String> argv) {
                return new CommandResult(0, "", "");
            }

            public CommandResult run(List<String> argv, String stdin) {
                return run(argv);
            }
        };
        return new Services(runner, host, null, inside, () -> 0, locks, Docker.unavailable(), line -> { }, Optional.empty())
                .view();
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
}
