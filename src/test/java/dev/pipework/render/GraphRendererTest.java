package dev.pipework.render;

import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Runtime;
import dev.pipework.plan.AttachKind;
import dev.pipework.plan.Attachment;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphRendererTest {
    static final Runtime NETNS = new Runtime("netns", "network namespace", false);

    static Attachment attachment(String guest, String iface, String bridge, Optional<Integer> vlan) {
        Guest g = new Guest(guest, NETNS, Optional.empty(), Optional.empty(), 0, "/var/run/netns/x", 7);
        return new Attachment(g, iface, "02:00:00:00:00:01", 1500, "UP", List.of("10.0.0.2/24"),
                Optional.of("vh"), Optional.of(bridge), AttachKind.OVS, vlan, Optional.empty());
    }

    @Test
    void quotesEscapeWhatWouldEndTheString() {
        assertEquals("\"\\\"];\"", DotGraph.quote("\"];"));
        assertEquals("\"a\\\\\"", DotGraph.quote("a\\"));
        assertEquals("\"a\\nb\"", DotGraph.quote("a\nb"));
        assertEquals("\"ab\"", DotGraph.quote("a\u0000\u001b\u007fb"));
    }

    @Test
    void hostileNamesStayInsideTheirStrings() {
        String hostile = "x\" ]; } graph evil { \"\\";
        String dot = DotGraph.of(List.of(attachment(hostile, "eth1", hostile, Optional.of(100))));
        int depth = 0;
        boolean quoted = false;
        StringBuilder outside = new StringBuilder();
        for (int i = 0; i < dot.length(); i++) {
            char c = dot.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
                continue;
            }
            if (c == '"') {
                quoted = true;
            }
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            assertTrue(depth >= 0, dot);
            outside.append(c);
        }
        assertEquals(0, depth, dot);
        assertTrue(!quoted && !outside.toString().contains("evil"), dot);
    }

    @Test
    void sortedWhateverTheOrderFound() {
        List<Attachment> found = List.of(attachment("b", "eth2", "br2", Optional.empty()),
                attachment("a", "eth1", "br1", Optional.of(200)), attachment("b", "eth1", "br1", Optional.of(100)));
        List<Attachment> reversed = new ArrayList<>(found);
        java.util.Collections.reverse(reversed);
        assertEquals(DotGraph.of(found), DotGraph.of(reversed));
    }

    @Test
    void svgIsDrawnByDotThroughTheRunner() {
        List<List<String>> ran = new ArrayList<>();
        List<String> input = new ArrayList<>();
        CommandRunner runner = new CommandRunner() {
            public CommandResult run(List<String> argv) {
                return run(argv, null);
            }

            public CommandResult run(List<String> argv, String stdin) {
                ran.add(argv);
                input.add(stdin);
                return new CommandResult(0, "<svg/>\n", "");
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Attachment> attachments = List.of(attachment("a", "eth1", "br1", Optional.empty()));
        new GraphRenderer(GraphRenderer.Format.SVG, runner, c -> true)
                .status(attachments, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(List.of(List.of("dot", "-Tsvg")), ran);
        assertEquals(List.of(DotGraph.of(attachments)), input);
        assertEquals("<svg/>\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withoutGraphvizTheMessageNamesThePackage() {
        PipeworkException e = assertThrows(PipeworkException.class, () -> new GraphRenderer(GraphRenderer.Format.SVG,
                null, c -> false).status(List.of(), new PrintStream(new ByteArrayOutputStream())));
        assertTrue(e.getMessage().contains("package graphviz"), e.getMessage());
        assertThrows(PipeworkException.class, () -> GraphRenderer.format("png"));
    }
}
