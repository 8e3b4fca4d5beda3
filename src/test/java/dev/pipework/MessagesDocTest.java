package dev.pipework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * docs/messages.md quotes, in each heading, a message the code can print: cut at its placeholders
 * ({@code <...>}) and at the punctuation where literals meet values, every piece is in the main
 * sources' string literals (adjacent literals joined, quotes set aside).
 */
class MessagesDocTest {
    private static final Pattern HEADING = Pattern.compile("(?m)^### `(.+)`\\s*$");
    private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");

    private static String literals() throws Exception {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String source = Files.readString(f, StandardCharsets.UTF_8).replaceAll("\"\\s*\\+\\s*\"", "");
                Matcher m = LITERAL.matcher(source);
                while (m.find()) {
                    all.append(m.group(1).replace("\\\"", "").replace("\\n", "\n").replace("\"", "")).append('\0');
                }
            }
        }
        return all.toString();
    }

    @Test
    void everyQuotedMessageIsOneTheCodeCanPrint() throws Exception {
        String doc = Files.readString(Path.of("docs/messages.md"), StandardCharsets.UTF_8);
        String literals = literals();
        Matcher m = HEADING.matcher(doc);
        List<String> unknown = new ArrayList<>();
        int quoted = 0;
        while (m.find()) {
            quoted++;
            // Pieces end at placeholders and punctuation, where the code's literals meet its values.
            for (String piece : m.group(1).replace("\"", "").split("<[^>]*>|[():;=]")) {
                String p = piece.strip();
                if (p.length() >= 3 && !literals.contains(p)) {
                    unknown.add(p + "    (in: " + m.group(1) + ")");
                }
            }
        }
        assertFalse(quoted < 10, "docs/messages.md quotes " + quoted + " messages");
        assertEquals(List.of(), unknown, "pieces of quoted messages the code has not");
    }

    /** The README's troubleshooting list quotes, at the head of each item, a message the code can print. */
    @Test
    void everyMessageTheReadmeQuotesIsOneTheCodeCanPrint() throws Exception {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        String section = readme.substring(readme.indexOf("## Troubleshooting"));
        section = section.substring(0, section.indexOf("\n## ", 1));
        String literals = literals();
        Matcher m = Pattern.compile("(?m)^- `([^`]+)`:").matcher(section);
        List<String> unknown = new ArrayList<>();
        int quoted = 0;
        while (m.find()) {
            quoted++;
            for (String piece : m.group(1).replace("\"", "").split("<[^>]*>|[():;=]|\\.\\.\\.")) {
                String p = piece.strip();
                if (p.length() >= 3 && !literals.contains(p)) {
                    unknown.add(p + "    (in: " + m.group(1) + ")");
                }
            }
        }
        assertFalse(quoted < 4, "the README's troubleshooting quotes " + quoted + " messages");
        assertEquals(List.of(), unknown, "pieces of messages the README quotes that the code has not");
    }
}
