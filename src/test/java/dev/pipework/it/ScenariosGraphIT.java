package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import dev.pipework.it.support.Guest;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Rig;
import dev.pipework.it.support.Sh;

/**
 * {@code status --graph=svg} on a host plumbed as the article's four scenarios (see
 * {@link ScenariosIT}, which checks what they do): Graphviz draws it, and the picture names every
 * guest, every bridge and the VLAN tags.
 */
class ScenariosGraphIT {

    @Test
    void theFourScenariosDrawnAsSvg() throws Exception {
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        Prerequisites.requireCommand("dot");
        try (Rig rig = new Rig()) {
            List<String> guests = new ArrayList<>();
            // 3.1: three containers on a new Linux bridge, two subnets.
            String br = rig.bridge();
            String[] subnet = {"10.0.0.2/24", "10.0.0.3/24", "10.0.1.2/24"};
            for (int i = 0; i < 3; i++) {
                Guest c = rig.container("con" + (i + 1));
                Pipework.ok(br, c.name(), subnet[i]);
                guests.add(c.name());
            }
            // 3.2: a container on a bridge that the host's NIC (a veth "cable" to a LAN) joins.
            String lanBridge = rig.host().bridge("br" + rig.suffix() + "l");
            Guest con4 = rig.container("con4");
            Pipework.ok(lanBridge, con4.name(), "192.168.100.11/24@192.168.100.254");
            guests.add(con4.name());
            // 3.3: four containers on Open vSwitch, VLANs 100 and 200.
            String ovs = rig.ovsBridge();
            for (int i = 1; i <= 4; i++) {
                Guest c = rig.container("test" + i);
                Pipework.ok(ovs, c.name(), "192.168.0." + i + "/24", i <= 2 ? "@100" : "@200");
                guests.add(c.name());
            }
            // 3.4: two "hosts", each a bridge with a container in each VLAN.
            String ovsA = rig.host().ovsBridge("ovs" + rig.suffix() + "a");
            String ovsB = rig.host().ovsBridge("ovs" + rig.suffix() + "b");
            for (String[] a : new String[][] {{ovsA, "a100", "1", "@100"}, {ovsA, "a200", "2", "@200"},
                    {ovsB, "b100", "3", "@100"}, {ovsB, "b200", "4", "@200"}}) {
                Guest c = rig.container(a[1]);
                Pipework.ok(a[0], c.name(), "192.168.0." + a[2] + "/24", a[3]);
                guests.add(c.name());
            }

            Sh.Result svg = Pipework.ok("status", "--graph=svg");
            Document doc = parse(svg.out());
            assertEquals("svg", doc.getDocumentElement().getTagName(), svg.out());
            List<String> texts = new ArrayList<>();
            NodeList nodes = doc.getElementsByTagName("text");
            for (int i = 0; i < nodes.getLength(); i++) {
                texts.add(nodes.item(i).getTextContent().strip());
            }
            for (String name : guests) {
                assertTrue(texts.contains(name), "the picture names guest " + name);
            }
            for (String bridge : List.of(br, lanBridge, ovs, ovsA, ovsB)) {
                assertTrue(texts.contains(bridge), "the picture names bridge " + bridge);
            }
            assertTrue(texts.contains("Linux bridge") && texts.contains("Open vSwitch bridge"), "bridge kinds");
            assertTrue(texts.contains("vlan 100") && texts.contains("vlan 200"), "VLAN tags");
            assertTrue(texts.contains("192.168.100.11/24"), "addresses");

            // The DOT document of one guest is what dot was given: the same names, as a graph.
            String dot = Pipework.ok("status", "--graph", guests.get(0)).out();
            assertTrue(dot.startsWith("graph pipework {") && dot.contains(guests.get(0)) && dot.contains(br), dot);
        }
    }

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        // dot names the SVG 1.1 DTD: it is not fetched.
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }
}
