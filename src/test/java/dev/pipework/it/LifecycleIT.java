package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.pipework.it.support.Guest;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Ovs;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Rig;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.StatusTable;
import dev.pipework.json.Json;

/**
 * The life of an attachment beyond the attach itself: {@code status} (table and JSON) checked
 * against the kernel and Open vSwitch, {@code del} in its forms, {@code --batch} from a file and
 * from stdin, and {@code --json} on an attach. Every guest is a throwaway container or namespace.
 */
class LifecycleIT {

    private static final List<String> HEADER = StatusTable.HEADER;

    // ------------------------------------------------------------------ 1. status

    /** A Linux-bridge and an OVS (@vlan) attachment, as the status table and {@code status --json} show them. */
    @Test
    void statusShowsLinuxAndOvsAttachmentsAsTheKernelAndOvsSeeThem() {
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            String ovs = rig.ovsBridge();
            Guest c = rig.container("status");
            int pid = c.pid();
            String id = c.id();
            rig.host().link("veth2pl" + pid);

            Pipework.ok(br, c.name(), "10.131.0.2/24");
            Pipework.ok(ovs, "-i", "eth2", c.name(), "10.132.0.2/24", "@42");

            // The table, without a guest and with one.
            for (List<String> args : List.of(List.of("status"), List.of("status", c.name()))) {
                List<List<String>> rows = StatusTable.rowsOf(StatusTable.of(args.toArray(String[]::new)), c.name());
                assertEquals(2, rows.size(), args + ": " + rows);
                checkRow(StatusTable.row(rows, "eth1"), c.name(), id, pid, "eth1", "veth1pl" + pid, br, "linux", "-");
                checkRow(StatusTable.row(rows, "eth2"), c.name(), id, pid, "eth2", "veth2pl" + pid, ovs, "ovs", "42");
            }

            // The JSON, every field against ip -j and ovs-vsctl.
            List<Map<String, Object>> attachments = statusJson("status", c.name(), "--json");
            assertEquals(2, attachments.size(), Json.write(attachments));
            for (Map<String, Object> a : attachments) {
                Map<String, Object> guest = Json.object(a.get("guest"));
                assertEquals(c.name(), guest.get("name"));
                assertEquals(id, guest.get("id"));
                assertEquals((long) pid, Json.number(guest, "pid"));
                assertEquals("docker", guest.get("kind"));
                checkInterfaceJson(Json.object(a.get("interface")), pid);
            }
            Map<String, Object> eth1 = attachment(attachments, "eth1");
            Map<String, Object> eth2 = attachment(attachments, "eth2");
            assertEquals(List.of("10.131.0.2/24"), Json.at(eth1, "interface", "addresses"));
            assertEquals(List.of("10.132.0.2/24"), Json.at(eth2, "interface", "addresses"));

            Map<String, Object> host1 = Json.object(eth1.get("host"));
            assertEquals("veth1pl" + pid, host1.get("interface"));
            assertEquals(hostPeerOf(pid, "eth1"), host1.get("interface"), "host interface is the guest eth1's peer");
            assertEquals(br, host1.get("bridge"));
            assertEquals(Optional.of(br), IpJson.master("veth1pl" + pid), "kernel master of veth1pl" + pid);
            assertEquals("linux", host1.get("kind"));
            assertTrue(host1.containsKey("vlan"), Json.write(host1));
            assertNull(host1.get("vlan"));

            Map<String, Object> host2 = Json.object(eth2.get("host"));
            String port = "veth2pl" + pid;
            assertEquals(port, host2.get("interface"));
            assertEquals(hostPeerOf(pid, "eth2"), host2.get("interface"), "host interface is the guest eth2's peer");
            assertEquals(ovs, host2.get("bridge"));
            assertEquals(ovs, Sh.ok("ovs-vsctl", "port-to-br", port).trimmed(), "ovs-vsctl port-to-br " + port);
            assertEquals(List.of(port), Ovs.ports(ovs));
            assertEquals("ovs", host2.get("kind"));
            assertEquals(42L, Json.number(host2, "vlan"));
            assertEquals(Optional.of(42L), Ovs.portTag(port));
            assertEquals("42", Ovs.interfaceExternalIds(port).get("pipework.vlan"));
        }
    }

    // ------------------------------------------------------------------ 2. del

    /** {@code del -i eth2}, {@code del}, a second {@code del}, {@code del --all}: each removes exactly its part. */
    @Test
    void delRemovesEveryTraceOfWhatItSelects() {
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            String ovs = rig.ovsBridge();
            Guest c = rig.container("del");
            int pid = c.pid();
            for (int i = 1; i <= 4; i++) {
                rig.host().link("veth" + i + "pl" + pid);
            }
            Pipework.ok(br, c.name(), "10.133.0.2/24");
            Pipework.ok("-i", "eth2", ovs, c.name(), "10.134.0.2/24", "@17");
            Pipework.ok("-i", "eth3", br, c.name(), "10.135.0.2/24");
            Pipework.ok("-i", "eth4", ovs, c.name(), "10.136.0.2/24");
            assertEquals(Set.of("lo", "eth1", "eth2", "eth3", "eth4"), IpJson.linkNames(pid));
            assertEquals(Set.of("veth2pl" + pid, "veth4pl" + pid), new HashSet<>(Ovs.ports(ovs)));

            // -i eth2 <guest>: the OVS attachment eth2 only, with its port record.
            Sh.Result r = Pipework.ok("del", "-i", "eth2", c.name());
            assertEquals("", r.out());
            assertGone(pid, "eth2", "veth2pl" + pid, ovs);
            assertEquals(Set.of("lo", "eth1", "eth3", "eth4"), IpJson.linkNames(pid));
            assertEquals(List.of("veth4pl" + pid), Ovs.ports(ovs));
            assertTrue(IpJson.hostLinkExists("veth1pl" + pid) && IpJson.hostLinkExists("veth3pl" + pid)
                    && IpJson.hostLinkExists("veth4pl" + pid), "the other host ends stay");

            // <guest> alone: eth1.
            Pipework.ok("del", c.name());
            assertGone(pid, "eth1", "veth1pl" + pid, null);
            assertEquals(Set.of("lo", "eth3", "eth4"), IpJson.linkNames(pid));
            assertEquals(Set.of("veth3pl" + pid), IpJson.bridgePorts(br));

            // A second del: nothing to remove, exit 0, nothing else touched.
            r = Pipework.run("del", c.name());
            assertEquals(0, r.code(), r.describe());
            assertTrue(r.err().contains("nothing to remove"), r.describe());
            r = Pipework.run("del", c.name(), "-i", "eth2");
            assertEquals(0, r.code(), r.describe());
            assertTrue(r.err().contains("nothing to remove"), r.describe());
            assertEquals(Set.of("lo", "eth3", "eth4"), IpJson.linkNames(pid));

            // --all: the rest, on both kinds of bridge.
            Pipework.ok("del", "--all", c.name());
            assertGone(pid, "eth3", "veth3pl" + pid, null);
            assertGone(pid, "eth4", "veth4pl" + pid, ovs);
            assertEquals(Set.of("lo"), IpJson.linkNames(pid));
            assertEquals(Set.of(), IpJson.bridgePorts(br));
            assertEquals(List.of(), Ovs.ports(ovs));
            assertTrue(StatusTable.rowsOf(StatusTable.of("status", c.name()), c.name()).isEmpty(),
                    "status shows nothing left");

            r = Pipework.run("del", "--all", c.name());
            assertEquals(0, r.code(), r.describe());
            assertTrue(r.err().contains("nothing to remove"), r.describe());
            // The bridges themselves are not the attachment's: they stay.
            assertTrue(IpJson.hostLinkExists(br), "bridge " + br + " stays");
            assertTrue(Ovs.bridgeExists(ovs), "bridge " + ovs + " stays");
        }
    }

    /** {@code del --dry-run} prints the commands that would remove the attachments and changes nothing. */
    @Test
    void delDryRunPrintsTheCommandsAndChangesNothing() {
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            String ovs = rig.ovsBridge();
            Guest c = rig.container("deldry");
            int pid = c.pid();
            rig.host().link("veth2pl" + pid);
            Pipework.ok(br, c.name(), "10.137.0.2/24");
            Pipework.ok("-i", "eth2", ovs, c.name(), "10.138.0.2/24", "@5");
            String before = snapshot(pid, br, ovs);

            Sh.Result one = Pipework.ok("del", "--dry-run", c.name());
            assertEquals(List.of("ip link del dev veth1pl" + pid), Sh.lines(one.out()), one.describe());
            Sh.Result two = Pipework.ok("del", "--dry-run", "-i", "eth2", c.name());
            assertTrue(Sh.lines(two.out()).contains("ovs-vsctl --timeout=30 --if-exists del-port " + ovs + " veth2pl" + pid),
                    two.describe());
            assertTrue(Sh.lines(two.out()).contains("ip link del dev veth2pl" + pid), two.describe());
            Sh.Result all = Pipework.ok("--dry-run", "del", "--all", c.name());
            List<String> allLines = Sh.lines(all.out());
            assertTrue(allLines.contains("ip link del dev veth1pl" + pid) && allLines.contains("ip link del dev veth2pl" + pid)
                    && allLines.contains("ovs-vsctl --timeout=30 --if-exists del-port " + ovs + " veth2pl" + pid), all.describe());

            assertEquals(before, snapshot(pid, br, ovs), "a dry run changed the machine");
        }
    }

    // ------------------------------------------------------------------ 3. removed container

    /** The OVS records of a container removed with {@code docker rm -f} outlive it; {@code del <name>} removes them. */
    @Test
    void delRemovesTheOvsRecordsOfARemovedContainer() {
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        try (Rig rig = new Rig()) {
            String ovs = rig.ovsBridge();
            Guest c = rig.container("gone");
            Guest keep = rig.container("keep");
            int pid = c.pid();
            int keepPid = keep.pid();
            String port = "veth1pl" + pid;
            Pipework.ok(ovs, c.name(), "10.139.0.2/24", "@30");
            Pipework.ok(ovs, keep.name(), "10.139.0.3/24", "@30");
            assertEquals("/" + c, Ovs.interfaceExternalIds(port).get("pipework.containername"));

            Sh.ok(List.of("docker", "rm", "-f", c.name()), Duration.ofSeconds(60));
            // The kernel dismantles the dead namespace, and the veth with it, asynchronously.
            assertTrue(awaitNoHostLink(port), "the veth went with the container");
            assertTrue(Ovs.ports(ovs).contains(port), "the port record outlives the container: " + Ovs.ports(ovs));

            // status names the stale port and the command that removes it; the kept container's is no stale port.
            Sh.Result st = Pipework.run("status");
            assertEquals(0, st.code(), st.describe());
            assertTrue(st.err().contains("stale Open vSwitch port \"" + port + "\" on bridge \"" + ovs + "\" of container \""
                    + c + "\": its interface is gone; remove it with: ovs-vsctl del-port " + ovs + " " + port), st.describe());
            assertFalse(st.err().contains("veth1pl" + keepPid), st.describe());

            Sh.Result r = Pipework.run("del", c.name());
            assertEquals(0, r.code(), r.describe());
            assertTrue(r.err().contains("removed Open vSwitch port \"" + port + "\" from bridge \"" + ovs + "\""),
                    "del says what it removed: " + r.describe());
            assertEquals(List.of("veth1pl" + keepPid), Ovs.ports(ovs), "only the removed container's port went");
            assertTrue(Ovs.column("Interface", port, "name").isEmpty(), "no Interface record " + port + " left");
            assertEquals("/" + keep, Ovs.interfaceExternalIds("veth1pl" + keepPid).get("pipework.containername"));

            // Nothing left that names it, and no runtime knows it: the lookup's message, exit 1.
            r = Pipework.run("del", c.name());
            assertEquals(1, r.code(), r.describe());
            assertTrue(r.err().contains("not found"), r.describe());
        }
    }

    /**
     * The same for attaches whose host end is not named {@code v<cif>pl<pid>}: one named with
     * {@code -l} (container interface eth1, so a plain {@code del <name>}), one whose long
     * {@code -i} name gives a shortened host name ({@code del -i <cif> <name>}).
     */
    @Test
    void delRemovesTheOvsRecordsOfARemovedContainerWhateverTheHostEndIsCalled() {
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        String longIf = "eth1longname";
        try (Rig rig = new Rig()) {
            String ovs = rig.ovsBridge();
            String local = rig.host().link("pwl" + rig.suffix());
            Guest named = rig.container("gonel");
            Guest hashed = rig.container("goneh");
            Pipework.ok(ovs, "-l", local, named.name(), "10.150.0.2/24");
            Pipework.ok(ovs, "-i", longIf, hashed.name(), "10.150.0.3/24");
            int hashedPid = hashed.pid();
            String hashedPort = hostPeerOf(hashedPid, longIf);
            rig.host().link(hashedPort);
            assertEquals(Set.of(local, hashedPort), new HashSet<>(Ovs.ports(ovs)));

            Sh.ok(List.of("docker", "rm", "-f", named.name(), hashed.name()), Duration.ofSeconds(60));
            assertTrue(awaitNoHostLink(local), local + " went with its container");
            assertTrue(awaitNoHostLink(hashedPort), hashedPort + " went with its container");
            assertEquals(Set.of(local, hashedPort), new HashSet<>(Ovs.ports(ovs)), "the records outlive the containers");

            Sh.Result byName = Pipework.run("del", named.name());
            Sh.Result byInterface = Pipework.run("del", "-i", longIf, hashed.name());
            List<String> left = Ovs.ports(ovs);
            assertAll(
                    () -> assertEquals(0, byName.code(), byName.describe()),
                    () -> assertFalse(left.contains(local), "pipework del " + named + " left the port record "
                            + local + " of its eth1 (attached with -l " + local + "): " + byName.describe()),
                    () -> assertEquals(0, byInterface.code(), byInterface.describe()),
                    () -> assertFalse(left.contains(hashedPort), "pipework del -i " + longIf + " " + hashed
                            + " left the port record " + hashedPort + ": " + byInterface.describe()));
        }
    }

    // ------------------------------------------------------------------ 4. status of every guest

    /** {@code status} with no guest lists the attachments of every container, ours among them. */
    @Test
    void statusWithoutAGuestListsSeveralContainers() {
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            String ovs = rig.ovsBridge();
            Guest a = rig.container("sa");
            Guest b = rig.container("sb");
            Guest c = rig.container("sc");
            Guest idle = rig.container("sidle");
            for (Guest n : List.of(a, b, c)) {
                rig.host().link("veth2pl" + n.pid());
            }
            Pipework.ok(br, a.name(), "10.140.0.2/24");
            Pipework.ok(br, b.name(), "10.140.0.3/24");
            Pipework.ok("-i", "eth2", ovs, b.name(), "10.141.0.3/24", "@9");
            Pipework.ok(ovs, c.name(), "10.141.0.4/24");

            Set<String> mine = Set.of(a.name(), b.name(), c.name(), idle.name());
            Set<String> seen = new TreeSet<>();
            for (List<String> row : StatusTable.of("status")) {
                if (mine.contains(row.get(0))) {
                    seen.add(String.join(" ", row.get(0), row.get(3), row.get(4), row.get(8), row.get(9), row.get(10)));
                }
            }
            assertEquals(new TreeSet<>(Set.of(
                    a + " eth1 10.140.0.2/24 " + br + " linux -",
                    b + " eth1 10.140.0.3/24 " + br + " linux -",
                    b + " eth2 10.141.0.3/24 " + ovs + " ovs 9",
                    c + " eth1 10.141.0.4/24 " + ovs + " ovs -")), seen);

            Set<String> seenJson = new TreeSet<>();
            for (Map<String, Object> at : statusJson("status", "--json")) {
                Object name = Json.at(at, "guest", "name");
                if (mine.contains(name)) {
                    seenJson.add(name + " " + Json.at(at, "interface", "name") + " " + Json.at(at, "host", "bridge"));
                }
            }
            assertEquals(new TreeSet<>(Set.of(a + " eth1 " + br, b + " eth1 " + br, b + " eth2 " + ovs,
                    c + " eth1 " + ovs)), seenJson);
        }
    }

    // ------------------------------------------------------------------ 5. batch

    /** 20 lines, line 11 bad: exit 1, line 11 named, the 19 others done. */
    @Test
    void batchOfTwentyLinesWithOneBadLine() throws IOException {
        Prerequisites.requireDocker();
        Path file = Files.createTempFile("pipework-batch", ".txt");
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            List<Guest> guests = new ArrayList<>();
            List<String> names = new ArrayList<>();
            StringBuilder batch = new StringBuilder();
            for (int n = 1; n <= 20; n++) {
                Guest c = rig.container("b" + n);
                guests.add(c);
                names.add(c.name());
                String address = n == 11 ? "10.142.0.300/24" : "10.142.0." + n + "/24";
                batch.append(br).append(' ').append(c.name()).append(' ').append(address).append('\n');
            }
            Files.writeString(file, batch.toString(), StandardCharsets.UTF_8);

            Sh.Result r = Pipework.run(List.of("--batch", file.toString()), Duration.ofSeconds(300));
            assertEquals(1, r.code(), r.describe());
            List<String> err = Sh.lines(r.err());
            assertTrue(err.stream().anyMatch(l -> l.startsWith("line 11: ") && l.contains("10.142.0.300")), r.describe());
            assertEquals("pipework: 1 of 20 lines failed (line 11)", err.get(err.size() - 1), r.describe());
            Pattern numbered = Pattern.compile("^line (\\d+): ");
            for (String l : err) {
                Matcher m = numbered.matcher(l);
                if (m.find() && !m.group(1).equals("11")) {
                    assertTrue(l.contains("arping not found"), "a good line said something: " + l);
                }
            }

            assertEquals(19, IpJson.bridgePorts(br).size(), "ports of " + br + ": " + IpJson.bridgePorts(br));
            Set<String> attached = new TreeSet<>();
            for (List<String> row : StatusTable.of("status")) {
                if (names.contains(row.get(0))) {
                    assertEquals(br, row.get(8), String.join(" ", row));
                    attached.add(row.get(0));
                }
            }
            Set<String> expected = new TreeSet<>(names);
            expected.remove(names.get(10));
            assertEquals(expected, attached, "status shows the 19 good lines' containers");
            for (int n = 1; n <= 20; n++) {
                int pid = guests.get(n - 1).pid();
                if (n == 11) {
                    assertEquals(Set.of("lo"), IpJson.linkNames(pid), "the bad line changed its container");
                } else {
                    assertEquals(List.of("10.142.0." + n + "/24"), IpJson.globalAddresses(pid, "eth1"), "line " + n);
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** {@code --batch -}: lines from stdin, with comments, blank lines and quoting; del and status lines too. */
    @Test
    void batchFromStdinWithCommentsAndQuotes() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest c1 = rig.container("q1");
            Guest c2 = rig.container("q2");
            Guest c3 = rig.container("q3");
            int p1 = c1.pid();
            int p2 = c2.pid();
            int p3 = c3.pid();
            rig.host().link("veth2pl" + p2);
            rig.host().link("veth5pl" + p3);
            String stdin = String.join("\n",
                    "# attachments for three containers",
                    "",
                    "   # an indented comment",
                    "\"" + br + "\" '" + c1 + "' \"10.143.0.2/24\"",
                    "-i 'eth2' " + br + " \"" + c2 + "\" 10.143.0.3/24 \"02:00:0a:8f:00:03\"",
                    "\t" + br + " " + c3 + " '10.143.0.4/24@10.143.0.1'",
                    "-i eth5 " + br + " " + c3 + " 10.143.1.4/24",
                    "del -i \"eth5\" '" + c3 + "'",
                    "status '" + c1 + "'",
                    "");
            Sh.Result r = Sh.run(Pipework.command(List.of("--batch", "-")), Duration.ofSeconds(120), stdin);
            assertEquals(0, r.code(), r.describe());
            assertFalse(r.err().contains("failed"), r.describe());

            assertEquals(List.of("10.143.0.2/24"), IpJson.globalAddresses(p1, "eth1"));
            assertEquals(Set.of("lo", "eth2"), IpJson.linkNames(p2));
            assertEquals("02:00:0a:8f:00:03", IpJson.field(IpJson.link(p2, "eth2").orElseThrow(), "address"));
            assertEquals(List.of("10.143.0.3/24"), IpJson.globalAddresses(p2, "eth2"));
            assertEquals(List.of("10.143.0.4/24"), IpJson.globalAddresses(p3, "eth1"));
            assertEquals(Optional.of("10.143.0.1"), IpJson.defaultGateway(p3));
            assertEquals(Set.of("lo", "eth1"), IpJson.linkNames(p3), "the del line removed eth5");
            assertFalse(IpJson.hostLinkExists("veth5pl" + p3), "the del line removed veth5pl" + p3);
            assertEquals(Set.of("veth1pl" + p1, "veth2pl" + p2, "veth1pl" + p3), IpJson.bridgePorts(br));

            // The status line's table went to stdout.
            List<List<String>> rows = new ArrayList<>();
            for (String l : Sh.lines(r.out())) {
                rows.add(List.of(l.trim().split("\\s+")));
            }
            assertEquals(HEADER, rows.get(0), r.out());
            assertEquals(1, StatusTable.rowsOf(rows, c1.name()).size(), r.out());
            assertEquals("10.143.0.2/24", StatusTable.rowsOf(rows, c1.name()).get(0).get(4));

            // Line numbers count every line of the input, comments and blank lines included.
            String bad = String.join("\n", "# a comment", "", "  # another", br + " '" + c1 + "' 10.143.0.999/24", "");
            r = Sh.run(Pipework.command(List.of("--batch", "-")), Duration.ofSeconds(60), bad);
            assertEquals(1, r.code(), r.describe());
            List<String> err = Sh.lines(r.err());
            assertTrue(err.get(0).startsWith("line 4: ") && err.get(0).contains("10.143.0.999"), r.describe());
            assertEquals("pipework: 1 of 1 lines failed (line 4)", err.get(err.size() - 1), r.describe());
            assertEquals(List.of("10.143.0.2/24"), IpJson.globalAddresses(p1, "eth1"), "the bad line changed nothing");
        }
    }

    // ------------------------------------------------------------------ 6. --json on an attach

    /** {@code --json}: the interface as the kernel shows it, the routes the attach added, the host side. */
    @Test
    void jsonOnAnAttachDescribesTheResult() {
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            String ovs = rig.ovsBridge();
            Guest c = rig.container("json");
            int pid = c.pid();
            String id = c.id();
            rig.host().link("veth2pl" + pid);

            // A gateway outside the subnet: an on-link host route, then the default route.
            Sh.Result r = Pipework.ok("--json", br, c.name(), "10.144.0.5/24@10.145.0.1");
            Map<String, Object> doc = Json.object(Json.parse(r.out()));
            assertEquals(Set.of("guest", "interface", "host"), doc.keySet());
            assertEquals(c.name(), Json.at(doc, "guest", "name"));
            assertEquals(id, Json.at(doc, "guest", "id"));
            assertEquals((long) pid, Json.number(Json.object(doc.get("guest")), "pid"));
            assertEquals("docker", Json.at(doc, "guest", "kind"));
            Map<String, Object> inside = Json.object(doc.get("interface"));
            checkInterfaceJson(inside, pid);
            assertEquals("eth1", inside.get("name"));
            assertEquals(List.of("10.144.0.5/24"), inside.get("addresses"));
            assertEquals(List.of("10.145.0.1/32 dev eth1", "default via 10.145.0.1 dev eth1"), inside.get("routes"));
            // The routes are in the kernel as said.
            List<Map<String, Object>> routes = IpJson.routes(pid);
            assertTrue(routes.stream().anyMatch(rt -> "10.145.0.1".equals(rt.get("dst")) && "eth1".equals(rt.get("dev"))
                    && "link".equals(rt.get("scope"))), Json.write(routes));
            assertTrue(routes.stream().anyMatch(rt -> "default".equals(rt.get("dst")) && "eth1".equals(rt.get("dev"))
                    && "10.145.0.1".equals(rt.get("gateway"))), Json.write(routes));
            Map<String, Object> hostSide = Json.object(doc.get("host"));
            assertEquals("veth1pl" + pid, hostSide.get("interface"));
            assertEquals(hostPeerOf(pid, "eth1"), hostSide.get("interface"));
            assertEquals(br, hostSide.get("bridge"));
            assertEquals(Optional.of(br), IpJson.master("veth1pl" + pid));
            assertEquals("linux", hostSide.get("kind"));
            assertTrue(hostSide.containsKey("vlan"));
            assertNull(hostSide.get("vlan"));

            // Open vSwitch, a MAC and a VLAN, no gateway: no route added.
            r = Pipework.ok("--json", "-i", "eth2", ovs, c.name(), "10.146.0.5/24", "02:00:0a:92:00:05@77");
            doc = Json.object(Json.parse(r.out()));
            inside = Json.object(doc.get("interface"));
            checkInterfaceJson(inside, pid);
            assertEquals("eth2", inside.get("name"));
            assertEquals("02:00:0a:92:00:05", inside.get("mac"));
            assertEquals(List.of("10.146.0.5/24"), inside.get("addresses"));
            assertEquals(List.of(), inside.get("routes"));
            hostSide = Json.object(doc.get("host"));
            assertEquals("veth2pl" + pid, hostSide.get("interface"));
            assertEquals(ovs, hostSide.get("bridge"));
            assertEquals("ovs", hostSide.get("kind"));
            assertEquals(77L, Json.number(hostSide, "vlan"));
            assertEquals(Optional.of(77L), Ovs.portTag("veth2pl" + pid));
        }
    }

    /** {@code --dry-run --json}: the commands as argument vectors, and nothing done. */
    @Test
    void dryRunJsonListsTheCommandsAndChangesNothing() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest c = rig.container("jsondry");
            int pid = c.pid();
            Sh.Result r = Pipework.ok("--dry-run", "--json", br, c.name(), "10.147.0.5/24@10.147.0.1");
            Map<String, Object> doc = Json.object(Json.parse(r.out()));
            assertEquals(Set.of("dryRun", "commands"), doc.keySet());
            assertEquals(Boolean.TRUE, doc.get("dryRun"));
            List<Object> commands = Json.array(doc.get("commands"));
            assertFalse(commands.isEmpty());
            List<String> joined = new ArrayList<>();
            for (Object command : commands) {
                List<Object> argv = Json.array(command);
                assertFalse(argv.isEmpty());
                argv.forEach(w -> assertTrue(w instanceof String, Json.write(command)));
                joined.add(String.join(" ", argv.stream().map(Object::toString).toList()));
            }
            assertTrue(joined.stream().anyMatch(j -> j.startsWith("ip link add") && j.contains(br)
                    && j.contains("bridge")), String.join("\n", joined));
            assertTrue(joined.stream().anyMatch(j -> j.startsWith("ip link add") && j.contains("veth1pl" + pid)),
                    String.join("\n", joined));
            assertTrue(joined.stream().anyMatch(j -> j.contains("addr add 10.147.0.5/24")), String.join("\n", joined));
            assertTrue(joined.stream().anyMatch(j -> j.contains("route replace default via 10.147.0.1 dev eth1")),
                    String.join("\n", joined));
            assertFalse(IpJson.hostLinkExists(br), "a dry run created the bridge");
            assertFalse(IpJson.hostLinkExists("veth1pl" + pid), "a dry run created the veth");
            assertEquals(Set.of("lo"), IpJson.linkNames(pid));
        }
    }

    // ------------------------------------------------------------------ 7. named network namespace

    /** An attach to a named network namespace ({@code ip netns add}), then {@code del <netns>}. */
    @Test
    void delOnANamedNetnsGuest() {
        Prerequisites.requireRoot();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            String ns = rig.netns().create("del");
            Pipework.ok(br, ns, "10.148.0.2/24");
            assertDelOnNamedNetns(ns, br, "10.148.0.2/24");
        }
    }

    /**
     * The same removal when the attach reached the named namespace through a process living in it
     * (its PID as the guest): {@code del <netns>} finds and removes it.
     */
    @Test
    void delOnANamedNetnsGuestAttachedThroughAProcessInIt() {
        Prerequisites.requireRoot();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            String ns = rig.netns().create("delpid");
            long pid = rig.netns().processIn(ns);
            rig.host().link("veth1pl" + pid);
            Pipework.ok(br, Long.toString(pid), "10.149.0.2/24");
            assertDelOnNamedNetns(ns, br, "10.149.0.2/24");
        }
    }

    private static void assertDelOnNamedNetns(String ns, String br, String address) {
        Map<String, Object> eth1 = IpJson.linkInNetns(ns, "eth1")
                .orElseThrow(() -> new AssertionError("no eth1 in netns " + ns));
        String hostEnd = IpJson.hostLinkWithIndex(IpJson.field(eth1, "link_index"));
        assertEquals(Optional.of(br), IpJson.master(hostEnd));
        assertTrue(IpJson.addressesInNetns(ns, "eth1").contains(address));
        List<List<String>> rows = StatusTable.rowsOf(StatusTable.of("status", ns), ns);
        assertEquals(1, rows.size(), "status " + ns + ": " + rows);
        assertEquals(List.of(ns, "-", "-", "eth1", address), rows.get(0).subList(0, 5));
        assertEquals(List.of(hostEnd, br, "linux", "-"), rows.get(0).subList(7, 11));

        Sh.Result dry = Pipework.ok("del", "--dry-run", ns);
        assertEquals(List.of("ip link del dev " + hostEnd), Sh.lines(dry.out()), dry.describe());
        assertTrue(IpJson.linkInNetns(ns, "eth1").isPresent(), "a dry run removed eth1");

        Pipework.ok("del", ns);
        assertTrue(IpJson.linkInNetns(ns, "eth1").isEmpty(), "eth1 is still in " + ns);
        assertFalse(IpJson.hostLinkExists(hostEnd), hostEnd + " is still on the host");
        assertEquals(Set.of(), IpJson.bridgePorts(br));
        assertTrue(IpJson.linkInNetns(ns, "lo").isPresent(), "the namespace itself stays");

        Sh.Result again = Pipework.run("del", ns);
        assertEquals(0, again.code(), again.describe());
        assertTrue(again.err().contains("nothing to remove"), again.describe());
    }

    // ------------------------------------------------------------------ helpers

    /** One status row against the kernel: MAC, MTU and addresses of the guest interface; the rest as given. */
    private static void checkRow(List<String> row, String guest, String id, int pid, String iface, String hostIf,
                                 String bridge, String kind, String vlan) {
        Map<String, Object> link = IpJson.link(pid, iface).orElseThrow(() -> new AssertionError("no " + iface));
        assertEquals(List.of(guest, id.substring(0, 12), Integer.toString(pid), iface,
                        String.join(",", IpJson.globalAddresses(pid, iface)), IpJson.field(link, "address"),
                        IpJson.field(link, "mtu"), hostIf, bridge, kind, vlan, "docker"), row);
        assertEquals(hostPeerOf(pid, iface), hostIf);
    }

    /** The {@code interface} object of status or an attach, against {@code ip -j} in the guest. */
    private static void checkInterfaceJson(Map<String, Object> inside, int pid) {
        String name = Json.string(inside, "name");
        Map<String, Object> link = IpJson.link(pid, name)
                .orElseThrow(() -> new AssertionError("no " + name + " in the guest"));
        assertEquals(IpJson.field(link, "address"), inside.get("mac"), name + " mac");
        assertEquals(Json.number(link, "mtu"), Json.number(inside, "mtu"), name + " mtu");
        assertEquals(IpJson.field(link, "operstate"), inside.get("state"), name + " state");
        assertEquals("UP", inside.get("state"), name + " state");
        assertEquals(IpJson.globalAddresses(pid, name), inside.get("addresses"), name + " addresses");
    }

    private static Map<String, Object> attachment(List<Map<String, Object>> attachments, String iface) {
        return attachments.stream().filter(a -> iface.equals(Json.at(a, "interface", "name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no attachment " + iface + ": " + Json.write(attachments)));
    }

    private static List<Map<String, Object>> statusJson(String... args) {
        Sh.Result r = Pipework.ok(args);
        Map<String, Object> doc = Json.object(Json.parse(r.out()));
        // The host's overlays come with a status of every guest, not of one.
        assertEquals(Set.of("attachments"), doc.keySet().stream().filter(k -> !k.equals("overlays"))
                .collect(java.util.stream.Collectors.toSet()));
        List<Map<String, Object>> result = new ArrayList<>();
        for (Object o : Json.array(doc.get("attachments"))) {
            Map<String, Object> a = Json.object(o);
            assertEquals(Set.of("guest", "interface", "host"), a.keySet());
            assertEquals(Set.of("name", "id", "pid", "kind"), Json.object(a.get("guest")).keySet());
            assertEquals(Set.of("name", "mac", "mtu", "state", "addresses"), Json.object(a.get("interface")).keySet());
            assertEquals(Set.of("interface", "bridge", "kind", "vlan"), Json.object(a.get("host")).keySet());
            result.add(a);
        }
        return result;
    }

    /** The host link a guest veth is paired with, found by the guest side's {@code link_index}. */
    private static String hostPeerOf(int pid, String iface) {
        Map<String, Object> link = IpJson.link(pid, iface).orElseThrow(() -> new AssertionError("no " + iface));
        return IpJson.hostLinkWithIndex(IpJson.field(link, "link_index"));
    }

    /** Whether host link {@code name} is gone within 15 s: the kernel dismantles a dead namespace in its own time. */
    private static boolean awaitNoHostLink(String name) {
        return Poll.within(Duration.ofSeconds(15), Poll.TICK, () -> !IpJson.hostLinkExists(name));
    }

    /** After a {@code del}: the guest interface, its host veth and (on OVS) the port and its record are gone. */
    private static void assertGone(int pid, String iface, String hostIf, String ovsBridge) {
        assertTrue(IpJson.link(pid, iface).isEmpty(), iface + " is still in the guest");
        assertFalse(IpJson.hostLinkExists(hostIf), hostIf + " is still on the host");
        if (ovsBridge != null) {
            assertFalse(Ovs.ports(ovsBridge).contains(hostIf), "port " + hostIf + " still on " + ovsBridge);
            assertTrue(Ovs.column("Interface", hostIf, "name").isEmpty(), "Interface record " + hostIf + " left");
            assertTrue(Ovs.column("Port", hostIf, "name").isEmpty(), "Port record " + hostIf + " left");
        }
    }

    /** What a dry run must not change: the guest's links and addresses, the bridges' ports, the OVS records. */
    private static String snapshot(int pid, String br, String ovs) {
        StringBuilder state = new StringBuilder(Json.write(IpJson.ip(pid, "addr", "show")));
        state.append('\n').append(IpJson.bridgePorts(br)).append('\n').append(Ovs.ports(ovs));
        for (String port : Ovs.ports(ovs)) {
            state.append('\n').append(port).append(' ').append(Ovs.interfaceExternalIds(port))
                    .append(' ').append(Ovs.portTag(port));
        }
        return state.toString();
    }
}
