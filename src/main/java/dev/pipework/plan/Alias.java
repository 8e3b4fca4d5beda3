package dev.pipework.plan;

import java.util.Optional;

/**
 * The marks an attach leaves, written and read here only. The host end of a veth carries the alias
 * {@code pipework}; an interface that lives wholly in the guest carries
 * {@code pipework <kind> [<host name> [<MAC>]]}. What is read back from a guest is untrusted: a
 * malformed or unknown alias is no mark at all.
 */
public final class Alias {
    public static final String HOST_END = "pipework";

    private Alias() {
    }

    /** The mark {@code pipework <kind> [<word>...]}. */
    static String mark(AttachKind kind, String... words) {
        StringBuilder alias = new StringBuilder(HOST_END).append(' ').append(kind.key());
        for (String word : words) {
            alias.append(' ').append(word);
        }
        return alias.toString();
    }

    /** What a guest link's alias says, when it is a well-formed mark of a kind that lives in the guest. */
    record Mark(AttachKind kind, Optional<String> hostName, Optional<String> mac) {
    }

    static Optional<Mark> read(String alias) {
        if (!alias.startsWith(HOST_END + " ")) {
            return Optional.empty();
        }
        String[] words = alias.substring(HOST_END.length() + 1).split(" ", -1);
        if (words.length > 3) {
            return Optional.empty();
        }
        for (String word : words) {
            if (word.isEmpty()) {
                return Optional.empty();
            }
        }
        Optional<AttachKind> kind = AttachKind.ofKey(words[0]).filter(AttachKind::livesInGuest);
        return kind.map(k -> new Mark(k, words.length > 1 ? Optional.of(words[1]) : Optional.empty(),
                words.length > 2 ? Optional.of(words[2]) : Optional.empty()));
    }
}
