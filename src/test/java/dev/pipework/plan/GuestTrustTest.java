package dev.pipework.plan;

import dev.pipework.guest.NamedNetnsRuntime;
import dev.pipework.model.DefaultRoute;
import dev.pipework.model.Family;
import dev.pipework.model.Guest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a guest shows selects what del removes only where the host side confirms pipework made it. */
class GuestTrustTest {
    static final long INODE = 4026532999L;
    static final Guest GUEST = new Guest("g1", NamedNetnsRuntime.RUNTIME, Optional.empty(), Optional.empty(), 0,
            "/var/run/netns/g1", INODE);
    static final String RECORD = "/run/pipework/direct/" + INODE + "-eth9";

    final Planner planner = new Planner();

    static GuestLink link(String name, String type, String alias, String mac) {
        return new GuestLink(name, 7, type, alias, Optional.empty(), false, mac, 1500, "DOWN", List.of());
    }

    /** Plans with the facts given and the rest absent; a question a removal does not ask fails. */
    static <T> T ask(Function<MachineView, T> planning, List<GuestLink> links, Set<String> files,
                     Map<String, String> hostFiles, Map<String, Long> clients) {
        return planning.apply(new MachineView() {
            public Optional<LinkFacts> link(String name) {
                throw new AssertionError("unexpected question: link " + name);
            }

            public Optional<String> linkWithMac(String mac) {
                throw new AssertionError("unexpected question: linkWithMac " + mac);
            }

            public boolean ovsBridge(String name) {
                throw new AssertionError("unexpected question: ovsBridge " + name);
            }

            public List<String> vxlanFloods(String device) {
                throw new AssertionError("unexpected question: vxlanFloods " + device);
            }

            public boolean ovsInstalled() {
                throw new AssertionError("unexpected question: ovsInstalled");
            }

            public boolean ovsKernelDatapath() {
                throw new AssertionError("unexpected question: ovsKernelDatapath");
            }

            public boolean installed(String command) {
                throw new AssertionError("unexpected question: installed " + command);
            }

            public Optional<DefaultRoute> guestDefaultRoute(String netnsPath, Family family) {
                throw new AssertionError("unexpected question: guestDefaultRoute");
            }

            public Map<Integer, HostLink> hostLinks() {
                return Map.of();
            }

            public Map<String, OvsPort> ovsPorts() {
                return Map.of();
            }

            public List<GuestLink> guestLinks(String netnsPath, String guest) {
                return links;
            }

            public boolean fileExists(String path) {
                return files.contains(path);
            }

            public Optional<Long> dhcpClientProcess(String pidFile, String program, long netnsInode) {
                return Optional.ofNullable(clients.get(pidFile));
            }

            public Optional<String> hostFile(String path) {
                return Optional.ofNullable(hostFiles.get(path));
            }

            public List<String> containersLabelled(String label, String value) {
                throw new AssertionError("unexpected question: containersLabelled");
            }

            public long hostPid() {
                return 1;
            }

            public String runTag() {
                return "1-5eed";
            }
        });
    }

    Plan delete(List<GuestLink> links, Set<String> files, Map<String, String> hostFiles, Map<String, Long> clients) {
        return ask(f -> planner.planDelete(Optional.of(GUEST), "g1", Optional.empty(), f), links, files, hostFiles,
                clients);
    }

    @Test
    void aDirectAliasSetInTheGuestIsNoAttachment() {
        List<GuestLink> links = List.of(link("t0", "tun", "pipework direct eth9 02:00:00:00:00:01", "02:00:00:00:00:01"));
        assertEquals(List.of(), delete(links, Set.of(), Map.of(), Map.of()).steps());
        assertEquals(List.of(), ask(f -> planner.attachments(GUEST, f), links, Set.of(), Map.of(), Map.of()));
    }

    @Test
    void aDirectLinkIsGivenBackOnlyWhenTheHostsRecordMatchesIt() {
        String record = "eth1 02:00:00:00:00:01 eth9 02:00:00:00:00:09";
        List<GuestLink> links = List.of(link("eth1", "", "pipework direct eth9 02:00:00:00:00:01", "02:00:00:00:00:01"));
        List<Step> steps = delete(links, Set.of(), Map.of(RECORD, record), Map.of()).steps();
        assertTrue(steps.stream().anyMatch(s -> s instanceof LinkSteps.ReturnToHost r && r.link().equals("eth9")),
                steps.toString());
        assertTrue(steps.stream().anyMatch(s -> s instanceof DhcpSteps.RemoveFile r && r.path().equals(RECORD)),
                "the record goes with the NIC: " + steps);
        // The same alias on a link of another name or MAC (the guest's own, made to look like it) is not it.
        for (GuestLink other : List.of(link("t0", "tun", "pipework direct eth9 02:00:00:00:00:01", "02:00:00:00:00:01"),
                link("eth1", "tun", "pipework direct eth9 02:00:00:00:00:01", "02:00:00:00:00:02"))) {
            assertEquals(List.of(), delete(List.of(other), Set.of(), Map.of(RECORD, record), Map.of()).steps());
        }
        // A host name that is no plain name is not looked up at all.
        List<GuestLink> climbing = List.of(link("eth1", "", "pipework direct ../../etc/passwd", "02:00:00:00:00:01"));
        assertEquals(List.of(), delete(climbing, Set.of(), Map.of(), Map.of()).steps());
    }

    @Test
    void inGuestKindsAreDeletedInTheGuestOnly() {
        for (String alias : List.of("pipework macvlan eth0", "pipework dummy", "pipework ipoib ib0")) {
            List<Step> steps = delete(List.of(link("x0", "tun", alias, "02:00:00:00:00:01")), Set.of(), Map.of(),
                    Map.of()).steps();
            assertEquals(1, steps.size(), steps.toString());
            LinkSteps.DeleteLink del = (LinkSteps.DeleteLink) steps.get(0);
            assertEquals("/var/run/netns/g1", del.where().netnsPath(), "in the guest: " + steps);
        }
    }

    @Test
    void aPidFileOfTheGuestsNameStopsNothingUnlessProcShowsPipeworksClient() {
        Set<String> files = Set.of("/var/run/udhcpc.g1.pid", "/var/run/dhclient.g1.pid");
        assertEquals(List.of(), delete(List.of(), files, Map.of(), Map.of()).steps(),
                "a pid file alone proves nothing");
        List<Step> steps = delete(List.of(), files, Map.of(), Map.of("/var/run/dhclient.g1.pid", 4242L)).steps();
        assertEquals(List.of(new DhcpSteps.StopProcess(4242, "dhclient"), new DhcpSteps.RemoveFile("/var/run/dhclient.g1.pid")),
                steps);
    }
}
