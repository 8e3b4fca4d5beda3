package dev.pipework.run;

import dev.pipework.guest.Docker;
import dev.pipework.guest.GuestInspector;
import dev.pipework.host.HostInspector;
import dev.pipework.ipam.Ipam;
import dev.pipework.model.AddressSpec;
import dev.pipework.model.AttachRequest;


import dev.pipework.model.PipeworkException;

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
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An attach from a pool claims its address under the run's locks, and gives it back when the run fails. */
class AttachPoolTest {
    @TempDir
    Path dir;

    Services services(boolean addressFails) throws IOException {
        OneGuest guests = new OneGuest(false);
        GuestInspector inside = new EmptyGuest();
        HostInspector host = new EmptyHost() {
            @Override
            public Optional<LinkFacts> link(String name) {
                return name.equals("br1") ? Optional.of(new LinkFacts("br1", 1, 1500, true, true, "02:00:00:00:00:09"))
                        : Optional.empty();
            }
        };
        CommandRunner runner = new CommandRunner() {
            public CommandResult run(List<String> argv) {
                return run(argv, "");
            }

            public CommandResult run(List<String> argv, String stdin) {
                boolean addr = (String.join(" ", argv) + "\n" + stdin).contains("addr add");
                return addressFails && addr ? new CommandResult(2, "", "RTNETLINK answers: File exists")
                        : new CommandResult(0, "", "");
            }
        };
        Files.writeString(dir.resolve("pools"), "pool lan 10.9.0.0/24 gateway 10.9.0.1\n");
        Ipam ipam = new Ipam(dir.resolve("pools"), Optional.of("file:" + dir.resolve("ipam")));
        return new Services(runner, host, guests, inside, () -> 0, dir.resolve("locks"), Docker.unavailable(),
                line -> { }, ipam);
    }

    AttachRequest request() {
        return AttachRequest.on("br1", "g1").address(new AddressSpec.FromPool("lan", true)).build();
    }

    @Test
    void aRunThatFailsGivesItsAddressBack() throws IOException {
        Services services = services(true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThrows(PipeworkException.class, () -> new Attach(services, new PrintStream(out),
                new PrintStream(new ByteArrayOutputStream())).run(request(), Optional.empty()));
        assertEquals(0, services.ipam().use().get(0).held());
        assertEquals("", out.toString());
        assertFalse(Files.readString(dir.resolve("ipam/lan.json")).contains("10.9.0.2"));
    }

    @Test
    void aRunThatSucceedsHoldsItsAddressAndSaysWhichItWas() throws IOException {
        Services services = services(false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Attach(services, new PrintStream(out), new PrintStream(new ByteArrayOutputStream()))
                .run(request(), Optional.empty());
        assertEquals("10.9.0.2/24 pool lan\n", out.toString());
        assertEquals("held", services.ipam().addresses().get(0).state());
        assertTrue(Files.readString(dir.resolve("ipam/lan.json")).contains("\"netns\""));
    }
}
