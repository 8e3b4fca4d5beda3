package dev.pipework.ipam;

import dev.pipework.model.AddressSpec;
import dev.pipework.model.IpCidr;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Pool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The file store through {@link Ipam}: claims, undo, release, a corrupt file, pool add and rm. */
class FileStoreTest {
    @TempDir
    Path dir;

    Ipam ipam() throws IOException {
        Files.writeString(dir.resolve("pools"), "cooldown = 0\npool lan 10.9.0.0/24 gateway 10.9.0.1\n");
        return new Ipam(dir.resolve("pools"), Optional.of("file:" + dir.resolve("ipam")));
    }

    static final Holder WEB = new Holder("docker", "web", "eth1");

    @Test
    void aClaimIsWrittenConfirmedAndReleased() throws IOException {
        Ipam ipam = ipam();
        Ipam.Claim claim = ipam.claim(new AddressSpec.FromPool("lan", true), WEB, false);
        assertEquals(new AddressSpec.Static(IpCidr.parse("10.9.0.2/24"),
                Optional.of(dev.pipework.model.IpAddress.parse("10.9.0.1"))), claim.address());
        assertTrue(Files.readString(dir.resolve("ipam/lan.json")).contains("\"claimed\""));
        ipam.confirm(claim);
        assertTrue(Files.readString(dir.resolve("ipam/lan.json")).contains("\"held\""));
        assertEquals("10.9.0.2/24", ipam.addresses().get(0).address());
        assertEquals(1, ipam.use().get(0).held());
        assertEquals(1, ipam.release(WEB, false).size());
        assertEquals(0, ipam.use().get(0).held());
        try (var files = Files.list(dir.resolve("ipam"))) {
            assertEquals(List.of("lan.json", "lan.lock"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void aReadOfTheFileThisStoreWroteTakesItsStateAndAnyOtherIsParsed() throws IOException {
        Pool lan = PoolsFile.parse("pool lan 10.9.0.0/24\n").pools().get("lan");
        FileStore store = new FileStore(dir.resolve("ipam"));
        Lease web = new Lease(dev.pipework.model.IpAddress.parse("10.9.0.2"), WEB, Lease.State.CLAIMED, 0, 0, 0);
        PoolState written = store.change(lan, true, s -> new Allocator.Given(s.put(web), web, Optional.empty(), true)).state();
        assertTrue(written == store.read(lan), "the state written, not parsed again");
        Files.writeString(dir.resolve("ipam/lan.json"), Files.readString(dir.resolve("ipam/lan.json")).replace("\"web\"", "\"db\""));
        assertEquals("db", store.read(lan).list().get(0).holder().id(), "a file changed since is read as it is");
    }

    @Test
    void aConfirmationKeepsWhatAnotherProcessClaimedSinceItsClaim() throws IOException {
        Ipam ipam = ipam();
        Ipam.Claim claim = ipam.claim(new AddressSpec.FromPool("lan", true), WEB, false);
        Ipam other = new Ipam(dir.resolve("pools"), Optional.of("file:" + dir.resolve("ipam")));
        other.claim(new AddressSpec.FromPool("lan", true), new Holder("docker", "db", "eth1"), false);
        ipam.confirm(claim);
        String file = Files.readString(dir.resolve("ipam/lan.json"));
        assertTrue(file.contains("\"web\"") && file.contains("\"db\"") && file.contains("\"held\"")
                && file.contains("\"claimed\""), file);
    }

    @Test
    void anUndoneClaimLeavesThePoolAsItWas() throws IOException {
        Ipam ipam = ipam();
        Ipam.Claim claim = ipam.claim(new AddressSpec.FromPool("lan", false), WEB, false);
        ipam.undo(claim);
        assertEquals(0, ipam.use().get(0).held());
        Ipam.Claim dry = ipam.claim(new AddressSpec.FromPool("lan", false), WEB, true);
        assertEquals("10.9.0.2/24", dry.shown().get(0).address());
        assertEquals(0, ipam.use().get(0).held());
    }

    @Test
    void aFixedAddressInAPoolIsReservedThere() throws IOException {
        Ipam ipam = ipam();
        ipam.confirm(ipam.claim(new AddressSpec.Static(IpCidr.parse("10.9.0.2/24"), Optional.empty()), WEB, false));
        assertEquals("10.9.0.3/24", ipam.claim(new AddressSpec.FromPool("lan", false),
                new Holder("docker", "db", "eth1"), false).address().statics().get(0).address().toString());
        PipeworkException e = assertThrows(PipeworkException.class, () -> ipam.claim(
                new AddressSpec.Static(IpCidr.parse("10.9.0.2/24"), Optional.empty()),
                new Holder("docker", "db", "eth2"), false));
        assertEquals("address 10.9.0.2 of pool \"lan\" is held by docker web eth1", e.getMessage());
        assertTrue(ipam.claim(new AddressSpec.Static(IpCidr.parse("10.10.0.2/24"), Optional.empty()), WEB, false)
                .taken().isEmpty());
    }

    @Test
    void aCorruptStoreFileIsAClearErrorAndIsKept() throws IOException {
        Ipam ipam = ipam();
        Files.createDirectories(dir.resolve("ipam"));
        for (String text : List.of("{\"pool\": \"lan\", \"subnet\": \"10.9.0.0/24\", \"leases\": [",
                "{\"pool\": \"lan\", \"subnet\": \"10.9.0.0/24\", \"leases\": [{\"address\": \"10.8.0.1\","
                        + " \"runtime\": \"docker\", \"id\": \"x\", \"interface\": \"eth1\", \"state\": \"held\","
                        + " \"pid\": 0, \"start\": 0, \"since\": 0}]}",
                "{\"pool\": \"lan\", \"subnet\": \"10.9.0.0/24\", \"leases\": [{\"address\": \"10.9.0.5\","
                        + " \"runtime\": \"docker\", \"id\": \"x y\", \"interface\": \"eth1\", \"state\": \"held\","
                        + " \"pid\": 0, \"start\": 0, \"since\": 0}]}",
                "{\"pool\": \"lan\", \"subnet\": \"10.9.0.0/16\", \"leases\": []}",
                "")) {
            Path file = dir.resolve("ipam/lan.json");
            Files.writeString(file, text);
            PipeworkException e = assertThrows(PipeworkException.class,
                    () -> ipam.claim(new AddressSpec.FromPool("lan", false), WEB, false));
            assertTrue(e.getMessage().startsWith("the store file " + file + " of pool \"lan\" is not valid ("),
                    e.getMessage());
            assertTrue(e.getMessage().contains("it is kept as it is"), e.getMessage());
            assertEquals(text, Files.readString(file));
        }
    }

    @Test
    void poolsAreAddedAndRemovedOnlyWhenFree() throws IOException {
        Ipam ipam = ipam();
        ipam.add(PoolsFile.pool(new String[] {"db", "10.8.0.0/24", "range", "10.8.0.10-10.8.0.20"}));
        assertEquals(List.of("lan", "db"), ipam.use().stream().map(u -> u.pool().name()).toList());
        assertTrue(assertThrows(PipeworkException.class, () -> ipam.add(PoolsFile.pool(
                new String[] {"x", "10.9.0.128/25"}))).getMessage().contains("overlaps 10.9.0.0/24"));
        assertTrue(assertThrows(PipeworkException.class, () -> ipam.add(PoolsFile.pool(
                new String[] {"db", "10.7.0.0/24"}))).getMessage().contains("exists already"));
        ipam.confirm(ipam.claim(new AddressSpec.FromPool("db", false), WEB, false));
        assertTrue(assertThrows(PipeworkException.class, () -> ipam.remove("db", false)).getMessage()
                .contains("holds 1 address"));
        ipam.remove("db", true);
        assertFalse(Files.exists(dir.resolve("ipam/db.json")));
        assertEquals(List.of("lan"), ipam.use().stream().map(u -> u.pool().name()).toList());
        assertTrue(assertThrows(PipeworkException.class, () -> ipam.claim(new AddressSpec.FromPool("db", false),
                WEB, false)).getMessage().startsWith("pool \"db\" is not declared in"));
    }

    @Test
    void aWriteIsWholeAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("sub/file");
        FileStore.write(f, "one");
        FileStore.write(f, "two");
        assertEquals("two", Files.readString(f));
        try (var files = Files.list(dir.resolve("sub"))) {
            assertEquals(1, files.count());
        }
        Pool p = PoolsFile.pool(new String[] {"p", "10.1.0.0/24"});
        assertEquals(PoolState.empty(p), new FileStore(dir.resolve("none")).read(p));
    }

    @Test
    void releaseWhereLeavesALiveRunsClaimInFlight() throws IOException {
        Ipam ipam = ipam();
        Holder db = new Holder("docker", "db", "eth1");
        ipam.confirm(ipam.claim(new AddressSpec.FromPool("lan", true), WEB, false));
        // This process is alive: its claim is in flight, plumbed now by the run that made it.
        Ipam.Claim inFlight = ipam.claim(new AddressSpec.FromPool("lan", true), db, false);
        List<String> given = ipam.releaseWhere("lan", h -> true).stream().map(a -> a.address()).toList();
        assertEquals(List.of("10.9.0.2/24"), given);
        assertTrue(Files.readString(dir.resolve("ipam/lan.json")).contains("\"claimed\""));
        ipam.confirm(inFlight);
        assertEquals(List.of("10.9.0.3/24"), ipam.releaseWhere("lan", h -> true).stream().map(a -> a.address()).toList());
    }

    @Test
    void aStoreDirectoryThatIsALinkIsRefusedAndAnOpenOneClosed() throws IOException {
        Files.writeString(dir.resolve("pools"), "cooldown = 0\npool lan 10.9.0.0/24 gateway 10.9.0.1\n");
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Files.createSymbolicLink(dir.resolve("linked"), elsewhere);
        Ipam linked = new Ipam(dir.resolve("pools"), Optional.of("file:" + dir.resolve("linked")));
        PipeworkException e = assertThrows(PipeworkException.class,
                () -> linked.claim(new AddressSpec.FromPool("lan", true), WEB, false));
        assertTrue(e.getMessage().contains("is not a directory (a link is not followed)"), e.getMessage());
        try (var files = Files.list(elsewhere)) {
            assertEquals(0, files.count(), "written through the link");
        }

        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Ipam ipam = new Ipam(dir.resolve("pools"), Optional.of("file:" + open));
        ipam.claim(new AddressSpec.FromPool("lan", true), WEB, false);
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(open)));
    }
}
