package dev.pipework.sys;

import java.util.List;
import java.util.stream.Collectors;

/** Renders an argv as a line a POSIX shell would split back into the same words (for display only). */
public final class ShellWords {
    private ShellWords() {
    }

    public static String join(List<String> argv) {
        return argv.stream().map(ShellWords::quote).collect(Collectors.joining(" "));
    }

    public static String quote(String word) {
        if (!word.isEmpty() && word.matches("[A-Za-z0-9_@%+=:,./-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
