package dev.pipework.run;

import dev.pipework.guest.Docker;
import dev.pipework.guest.GuestInspector;
import dev.pipework.host.HostInspector;
import dev.pipework.ipam.Ipam;
import dev.pipework.model.AddressSpec;
import dev.pipework.model.AttachRequest;



import dev.pipework.plan.HostTarget;
import dev.pipework.plan.LinkFacts;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A front end's admission is asked inside the run, with the host as read under its locks: a bridge
 * deleted after an earlier reading is seen as the bridge the run would create.
 */
class AttachAdmissionTest {
    @TempDir
    Path dir;

    /** Every command the run started. */
    final List<String> ran = new ArrayList<>();
    /** How many times br1 was read; it exists only the first time. */
    final AtomicInteger reads = new AtomicInteger();

    Services services() throws IOException {
        GuestInspector inside = new EmptyGuest();
        HostInspector host = new EmptyHost() {
            @Override
            public Optional<LinkFacts> link(String name) {
                return name.equals("br1") && reads.getAndIncrement() == 0
                        ? Optional.of(new LinkFacts("br1", 1, 1500, true, true, "02:00:00:00:00:09"))
                        : Optional.empty();
            }
        };
        CommandRunner runner = new CommandRunner() {
            public CommandResult run(List<String> argv) {
                return run(argv, "");
            }

            public CommandResult run(List<String> argv, String stdin) {
                ran.add(String.join(" ", argv) + "\n" + stdin);
                return new CommandResult(0, "", "");
            }
        };
        Files.writeString(dir.resolve("pools"), "pool lan 10.9.0.0/24 gateway 10.9.0.1\n");
        Ipam ipam = new Ipam(dir.resolve("pools"), Optional.of("file:" + dir.resolve("ipam")));
        return new Services(runner, host, new OneGuest(false), inside, () -> 0, dir.resolve("locks"),
                Docker.unavailable(), line -> { }, ipam);
    }

    static AttachRequest request() {
        return AttachRequest.on("br1", "g1").address(new AddressSpec.FromPool("lan", true)).build();
    }

    /** As the watcher's default policy: a label may attach to a bridge that exists, not create one. */
    static final Admission EXISTING_BRIDGES_ONLY = target -> target.exists() ? Optional.empty()
            : Optional.of("would create bridge " + target.name());

    Attach attach(Services services) {
        return new Attach(services, new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void aBridgeGoneSinceAnEarlierReadingIsRefusedUnderTheLocks() throws IOException {
        Services services = services();
        HostTarget earlier = new dev.pipework.plan.Planner().hostTarget(request(), services.view());
        assertEquals(Optional.empty(), EXISTING_BRIDGES_ONLY.refusal(earlier), "the earlier reading allowed it");

        Admission.Refused refused = assertThrows(Admission.Refused.class,
                () -> attach(services).run(request(), Optional.empty(), EXISTING_BRIDGES_ONLY));
        assertEquals("would create bridge br1", refused.getMessage());
        assertTrue(ran.isEmpty(), "nothing ran: " + ran);
        assertTrue(services.ipam().addresses().isEmpty(), "nothing claimed");
        assertFalse(Files.exists(dir.resolve("ipam/lan.json"))
                && Files.readString(dir.resolve("ipam/lan.json")).contains("10.9.0.2"));
    }

    @Test
    void anAdmittedRequestRunsAsWithoutOne() throws IOException {
        Services services = services();
        services.view().link("br1");
        List<HostTarget> asked = new ArrayList<>();
        attach(services).run(request(), Optional.empty(), target -> {
            asked.add(target);
            return Optional.empty();
        });
        assertEquals(1, asked.size());
        assertFalse(asked.get(0).exists(), "asked with the host as read under the locks");
        assertTrue(ran.stream().anyMatch(c -> c.contains("addr add 10.9.0.2/24")), String.valueOf(ran));
        assertEquals("held", services.ipam().addresses().get(0).state());
    }
}
