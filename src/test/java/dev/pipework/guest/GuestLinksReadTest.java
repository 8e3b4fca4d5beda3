package dev.pipework.guest;

import dev.pipework.model.PipeworkException;
import dev.pipework.plan.GuestLink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading a guest's links: which veths have their peer in the host's namespace. */
class GuestLinksReadTest {
    private static final String LINKS = "[{\"ifindex\":5,\"link_index\":3001,\"ifname\":\"eth1\",\"mtu\":1500,"
            + "\"operstate\":\"UP\",\"address\":\"02:00:00:00:00:01\",\"link_netnsid\":0,"
            + "\"linkinfo\":{\"info_kind\":\"veth\"},\"addr_info\":[]},"
            + "{\"ifindex\":6,\"link_index\":3002,\"ifname\":\"eth2\",\"mtu\":1500,"
            + "\"operstate\":\"UP\",\"address\":\"02:00:00:00:00:02\",\"link_netnsid\":1,"
            + "\"linkinfo\":{\"info_kind\":\"veth\"},\"addr_info\":[]}]";

    private static GuestLink named(List<GuestLink> links, String name) {
        return links.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aVethIsTheHostsWhenItsPeerNamespaceHasTheIdTheGuestGivesTheHost() {
        List<GuestLink> links = IpGuestInspector.parseLinks(LINKS + "\n"
                + "[{\"name\":\"other\",\"id\":0},{\"name\":\"pipework-host-1-1\",\"id\":1}]\n", "pipework-host-1-1");
        assertFalse(named(links, "eth1").peerInHost());
        assertTrue(named(links, "eth2").peerInHost());
        assertEquals(Optional.of(3002), named(links, "eth2").peerIndex());
    }

    @Test
    void noVethIsTheHostsWhenTheGuestGivesTheHostNoId() {
        // The kernel gives the host's namespace an id in the guest's once a link there has its
        // peer on the host: without one, no peer is there, whatever the indexes say.
        List<GuestLink> withoutId = IpGuestInspector.parseLinks(LINKS + "\n"
                + "[{\"name\":\"pipework-host-1-1\"},{\"name\":\"x\",\"id\":0}]\n", "pipework-host-1-1");
        assertTrue(withoutId.stream().noneMatch(GuestLink::peerInHost));
        List<GuestLink> withoutList = IpGuestInspector.parseLinks(LINKS + "\n", "pipework-host-1-1");
        assertTrue(withoutList.stream().noneMatch(GuestLink::peerInHost));
        assertEquals(2, withoutList.size());
    }

    @Test
    void anEntryOfAnotherNameIsNotTheHost() {
        List<GuestLink> links = IpGuestInspector.parseLinks(LINKS + "\n"
                + "[{\"name\":\"pipework-host-1-2\",\"id\":1}]\n", "pipework-host-1-1");
        assertTrue(links.stream().noneMatch(GuestLink::peerInHost));
    }

    @Test
    void theNameLinksToThisProcesssNamespaceAndGoesAwayAfter(@TempDir Path dir) throws IOException {
        Path name;
        try (HostNetnsName host = HostNetnsName.create(dir.resolve("netns"))) {
            name = dir.resolve("netns").resolve(host.name());
            assertEquals(Path.of("/proc/" + ProcessHandle.current().pid() + "/ns/net"), Files.readSymbolicLink(name));
        }
        assertFalse(Files.exists(name, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void namesLeftByRunsThatAreGoneAreRemovedAndNoOthers(@TempDir Path dir) throws IOException {
        long gone = ProcessHandle.allProcesses().mapToLong(ProcessHandle::pid).max().orElse(1) + 100_000;
        Path stale = Files.createSymbolicLink(dir.resolve("pipework-host-" + gone + "-1"), Path.of("/proc/1/ns/net"));
        Path live = Files.createSymbolicLink(dir.resolve("pipework-host-1-1"), Path.of("/proc/1/ns/net"));
        Path users = Files.createSymbolicLink(dir.resolve("pipework-host-" + gone), Path.of("/proc/1/ns/net"));
        try (HostNetnsName host = HostNetnsName.create(dir)) {
            assertTrue(host != null);
            assertFalse(Files.exists(stale, java.nio.file.LinkOption.NOFOLLOW_LINKS));
            assertTrue(Files.isSymbolicLink(live));
            assertTrue(Files.isSymbolicLink(users));
        }
    }

    @Test
    void aDirectoryOthersCanWriteToIsRefused(@TempDir Path dir) throws IOException {
        Path open = Files.createDirectory(dir.resolve("netns"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        PipeworkException e = assertThrows(PipeworkException.class, () -> HostNetnsName.create(open));
        assertTrue(e.getMessage().contains("only its owner"), e.getMessage());
        try (var left = Files.list(open)) {
            assertEquals(0, left.count());
        }
    }

    /** A runner that answers {@code ip -n} as {@code ipByName} says and {@code nsenter} with the links. */
    private static dev.pipework.sys.CommandRunner runner(List<List<String>> ran, boolean ipByName) {
        return new dev.pipework.sys.CommandRunner() {
            public dev.pipework.sys.CommandResult run(List<String> argv) {
                return run(argv, "");
            }

            public dev.pipework.sys.CommandResult run(List<String> argv, String stdin) {
                ran.add(argv);
                boolean ok = argv.get(0).equals("nsenter") || ipByName;
                return ok ? new dev.pipework.sys.CommandResult(0, LINKS + "\n", "")
                        : new dev.pipework.sys.CommandResult(1, "", "mount of /sys failed: Permission denied\n");
            }
        };
    }

    @Test
    void aGuestIsReadByIpsOwnNamespaceOptionWithThePathClimbingOutOfItsDirectory(@TempDir Path dir) {
        List<List<String>> ran = new java.util.ArrayList<>();
        IpGuestInspector inspector = new IpGuestInspector(runner(ran, true), dir.resolve("netns"));
        assertEquals(2, inspector.links("/proc/42/ns/net", "c").size());
        assertEquals(List.of(List.of("ip", "-n", dev.pipework.sys.Where.TO_ROOT + "/proc/42/ns/net", "-j", "-d", "-batch", "-")), ran);
        // Climbing above the root stays there: the path is the namespace file's wherever iproute2 keeps its names.
        assertEquals(Path.of("/proc/42/ns/net"), Path.of("/var/run/netns", dev.pipework.sys.Where.TO_ROOT + "/proc/42/ns/net").normalize());
        assertEquals(Path.of("/proc/42/ns/net"), Path.of("/run/netns", dev.pipework.sys.Where.TO_ROOT + "/proc/42/ns/net").normalize());
    }

    @Test
    void whereIpCannotEnterByNameNsenterIsAskedAndThenAlone(@TempDir Path dir) {
        List<List<String>> ran = new java.util.ArrayList<>();
        IpGuestInspector inspector = new IpGuestInspector(runner(ran, false), dir.resolve("netns"));
        assertEquals(2, inspector.links("/proc/42/ns/net", "c").size());
        assertEquals(List.of("ip", "-n"), ran.get(0).subList(0, 2));
        assertEquals(List.of("nsenter", "--net=/proc/42/ns/net", "ip", "-j", "-d", "-batch", "-"), ran.get(1));
        inspector.links("/proc/43/ns/net", "d");
        assertEquals(3, ran.size());
        assertEquals("nsenter", ran.get(2).get(0));
    }
}
