package dev.pipework.plan;

import dev.pipework.guest.NamedNetnsRuntime;
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

    /** Plans with the facts given and the rest absent. */
    static <T> T ask(Function<Facts, T> planning, List<GuestLink> links, Set<String> files,
                     Map<String, String> hostFiles, Map<String, Long> clients) {
        Facts facts = Facts.none(1);
        while (true) {
            try {
                return planning.apply(facts);
            } catch (MissingFacts missing) {
                Question q = missing.question();
                Optional<?> answer;
                if (q instanceof Question.GuestLinks) {
                    answer = Optional.of(links);
                } else if (q instanceof Question.HostLinks) {
                    answer = Optional.of(Map.of());
                } else if (q instanceof Question.OvsPorts) {
                    answer = Optional.of(Map.of());
                } else if (q instanceof Question.FileExists f) {
                    answer = Optional.of(files.contains(f.path()));
                } else if (q instanceof Question.HostFile f) {
                    answer = Optional.ofNullable(hostFiles.get(f.path()));
                } else if (q instanceof Question.DhcpClientProcess p) {
                    answer = Optional.ofNullable(clients.get(p.pidFile()));
                } else {
                    throw new AssertionError("unexpected question " + q);
                }
                facts = facts.with(q, answer);
            }
        }
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
