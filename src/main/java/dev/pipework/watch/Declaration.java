package dev.pipework.watch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An interface a container should have, as declared: a label ({@code pipework} or
 * {@code pipework.<suffix>}) whose value is an attach's words without the guest, or a line of the
 * attachments file, with the guest named.
 *
 * @param source where it was declared, for messages: {@code label pipework.lan} or {@code /etc/pipework/attachments:3}
 * @param text   the declaration as written
 */
public record Declaration(String source, String text) {

    /** The key of a declaring label: {@code pipework}, or {@code pipework.} and anything after it. */
    public static boolean declaring(String labelKey) {
        return labelKey.equals("pipework") || (labelKey.startsWith("pipework.") && labelKey.length() > "pipework.".length());
    }

    /** A container's declarations among its labels, ordered by key (the order the engine keeps is not defined). */
    public static List<Declaration> fromLabels(Map<String, String> labels) {
        List<Declaration> found = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            if (declaring(e.getKey())) {
                found.add(new Declaration("label " + e.getKey(), e.getValue()));
            }
        }
        return found;
    }

    /** Whether any label declares an interface. */
    public static boolean anyIn(Map<String, String> labels) {
        return labels.keySet().stream().anyMatch(Declaration::declaring);
    }
}
