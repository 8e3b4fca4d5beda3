package dev.pipework.cli.docs;

import dev.pipework.cli.Forms;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The man page and the completion say what the model says; the README's table of forms is the model's. */
class DocsFromModelTest {
    private static final CommandModel MODEL = CommandModel.load();

    @Test
    void theManPagesGuestListHasEveryRuntimeInLookupOrder() {
        String page = new ManPage(MODEL, "0").render().replaceAll("\\s+", " ");
        assertTrue(page.contains("An LXC container name, a Docker container name or ID, the container ID of an"
                + " attachment made as a CNI plugin, a podman container name or ID, a named network namespace (ip"
                + " netns), a PID, or the path of a network namespace file."), page);
    }

    @Test
    void theManPageShowsEveryFormsExamples() {
        String page = new ManPage(MODEL, "0").render();
        for (Forms.Form form : Forms.ALL) {
            String first = form.examples().get(0);
            if (first.length() < 60) {
                assertTrue(page.contains(first.replace("-", "\\-")), first);
            }
        }
    }

    @Test
    void completionOffersTheMacvlanModesAfterMacvlanMode(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException, InterruptedException {
        String script = new Completion(MODEL, "0").render();
        assertTrue(script.contains("--macvlan-mode) mapfile -t COMPREPLY < <(compgen -W 'bridge private vepa passthru'"),
                script);
        Path file = dir.resolve("pipework");
        Files.writeString(file, script);
        assertEquals(List.of("bridge", "private", "vepa", "passthru"),
                complete(file, "pipework", "--macvlan-mode", ""));
        assertEquals(List.of("private", "passthru"), complete(file, "pipework", "eth2", "--macvlan-mode", "p"));
        assertEquals(List.of("4", "6", "inet", "inet6"), complete(file, "pipework", "br1", "-a", ""));
    }

    /**
     * The README's table whose header is {@code | form | example | what happens |}: its forms are the
     * model's, in its order, and each example it shows is one of that form's. An example may be
     * shortened: {@code ... X} stands for one of the form's commands containing X, {@code X ...}
     * for one starting with X, and a bare word for one of the form's commands that has it as a word.
     */
    @Test
    void theReadmesTableOfFormsIsTheModels() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
        int header = lines.indexOf("| form | example | what happens |");
        assertTrue(header >= 0, "the README has the table of forms");
        List<String> names = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String row : lines.subList(header + 2, lines.size())) {
            if (!row.startsWith("|")) {
                break;
            }
            String[] cells = row.split(" \\| ", 3);
            String name = cells[0].substring(1).strip();
            names.add(name);
            Forms.Form form = Forms.ALL.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
            if (form == null) {
                continue;
            }
            for (String shown : examples(cells[1])) {
                if (!shows(form.examples(), shown)) {
                    problems.add(name + ": `" + shown + "` is none of " + form.examples());
                }
            }
        }
        assertEquals(Forms.ALL.stream().map(Forms.Form::name).toList(), names, "the forms, in order");
        assertEquals(List.of(), problems);
    }

    /** The backquoted examples of a cell, separated by {@code /}. */
    private static List<String> examples(String cell) {
        List<String> shown = new ArrayList<>();
        for (String part : cell.split(" / ")) {
            String p = part.strip();
            if (p.startsWith("`") && p.endsWith("`")) {
                shown.add(p.substring(1, p.length() - 1));
            }
        }
        return shown;
    }

    private static boolean shows(List<String> commands, String shown) {
        if (shown.startsWith("... ")) {
            return commands.stream().anyMatch(c -> c.contains(" " + shown.substring(4)));
        }
        if (shown.endsWith(" ...")) {
            return commands.stream().anyMatch(c -> c.startsWith(shown.substring(0, shown.length() - 4)));
        }
        if (shown.contains(" ")) {
            return commands.contains(shown);
        }
        return commands.stream().anyMatch(c -> Arrays.asList(c.split(" ")).contains(shown));
    }

    /** What the completion function offers for the words typed, the last one being completed. */
    private static List<String> complete(Path script, String... words) throws IOException, InterruptedException {
        String run = "source \"$1\"; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _pipework;"
                + " printf '%s\\n' \"${COMPREPLY[@]}\"";
        List<String> argv = new ArrayList<>(List.of("bash", "-c", run, "bash", script.toString()));
        argv.addAll(List.of(words));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        return out.lines().filter(l -> !l.isEmpty()).toList();
    }
}
