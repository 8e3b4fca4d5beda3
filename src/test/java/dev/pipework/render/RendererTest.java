package dev.pipework.render;

import dev.pipework.model.Family;
import dev.pipework.model.Guest;
import dev.pipework.model.IpCidr;
import dev.pipework.model.Runtime;
import dev.pipework.plan.AddressSteps;
import dev.pipework.plan.AttachKind;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.Plan;
import dev.pipework.sys.Where;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each format's documents, exactly as printed. */
class RendererTest {

    private static final Where GUEST_NS = Where.guest("/proc/42/ns/net");
    private static final Plan PLAN = new Plan(List.of(
            new AddressSteps.AddAddress(GUEST_NS, Family.INET, IpCidr.parse("10.0.0.2/24"), "eth1"),
            new AddressSteps.AddRoute(GUEST_NS, Family.INET, "10.1.0.0/16", "eth1")), List.of(), List.of());
    private static final Attachment WEB = new Attachment(
            new Guest("web", new Runtime("docker", "Docker container", true), Optional.of("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
                    Optional.of("/web"), 42, "/proc/42/ns/net", 4026532000L),
            "eth1", "02:42:0a:00:00:02", 1500, "UP", List.of("10.0.0.2/24"), Optional.of("veth1pl42"),
            Optional.of("br0"), AttachKind.LINUX, Optional.empty(), Optional.empty());
    private static final Renderer.Applied APPLIED = new Renderer.Applied("web", "label", "br0 10.0.0.2/24",
            Optional.of("eth1"), "attached", "");

    private static String out(BiConsumer<Renderer, PrintStream> show, Renderer renderer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        show.accept(renderer, out);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static final String ATTACHMENT = """
              "guest": {
                "name": "web",
                "id": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "pid": 42,
                "kind": "docker"
              },
              "interface": {
                "name": "eth1",
                "mac": "02:42:0a:00:00:02",
                "mtu": 1500,
                "state": "UP",
                "addresses": [
                  "10.0.0.2/24"
                ]%s
              },
              "host": {
                "interface": "veth1pl42",
                "bridge": "br0",
                "kind": "%s",
                "vlan": null
              }
            """;

    @Test
    void json() {
        Renderer json = Renderer.of(Renderer.Format.JSON);
        assertTrue(json.showsResult());
        assertEquals("""
                {
                  "dryRun": true,
                  "commands": [
                    [
                      "nsenter",
                      "--net=/proc/42/ns/net",
                      "ip",
                      "-4",
                      "addr",
                      "add",
                      "10.0.0.2/24",
                      "brd",
                      "10.0.0.255",
                      "dev",
                      "eth1"
                    ],
                    [
                      "nsenter",
                      "--net=/proc/42/ns/net",
                      "ip",
                      "-4",
                      "route",
                      "add",
                      "10.1.0.0/16",
                      "dev",
                      "eth1"
                    ]
                  ]
                }
                """, out((r, o) -> r.dryRun(PLAN, o), json));
        String kind = AttachKind.LINUX.key();
        assertEquals("{\n  \"attachments\": [\n    {\n"
                + ATTACHMENT.formatted("", kind).indent(4).replace("\n      }\n", "\n      }\n")
                        .stripTrailing().replaceAll("(?m)^  ", "  ")
                + "\n    }\n  ]\n}\n", out((r, o) -> r.status(List.of(WEB), o), json));
        assertEquals("{\n" + ATTACHMENT.formatted(",\n    \"routes\": [\n      \"10.1.0.0/16 dev eth1\"\n    ]", kind)
                + "}\n", out((r, o) -> r.attached(WEB, PLAN, o), json));
        assertEquals("""
                {
                  "actions": [
                    {
                      "container": "web",
                      "source": "label",
                      "declaration": "br0 10.0.0.2/24",
                      "interface": "eth1",
                      "action": "attached",
                      "message": ""
                    }
                  ]
                }
                """, out((r, o) -> r.applied(List.of(APPLIED), o), json));
    }

    @Test
    void text() {
        Renderer text = Renderer.of(Renderer.Format.TEXT);
        assertFalse(text.showsResult());
        assertEquals("nsenter --net=/proc/42/ns/net ip -4 addr add 10.0.0.2/24 brd 10.0.0.255 dev eth1\n"
                + "nsenter --net=/proc/42/ns/net ip -4 route add 10.1.0.0/16 dev eth1\n",
                out((r, o) -> r.dryRun(PLAN, o), text));
        assertEquals("""
                GUEST  ID            PID  INTERFACE  ADDRESSES    MAC                MTU   HOST-INTERFACE  BRIDGE  KIND   VLAN  RUNTIME
                web    0123456789ab  42   eth1       10.0.0.2/24  02:42:0a:00:00:02  1500  veth1pl42       br0     linux  -     docker
                """, out((r, o) -> r.status(List.of(WEB), o), text));
        assertEquals("", out((r, o) -> r.attached(WEB, PLAN, o), text));
        assertEquals("", out((r, o) -> r.applied(List.of(APPLIED), o), text));
    }
}
