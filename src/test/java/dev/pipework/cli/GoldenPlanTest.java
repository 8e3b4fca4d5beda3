package dev.pipework.cli;

import dev.pipework.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each {@code test-fixtures/plans/<case>.json} holds a command line and the facts of a recorded
 * machine; {@code <case>.golden} holds the exit status, stdout and stderr of that command run
 * against those facts (a dry run, or a refusal). Set {@code UPDATE_GOLDEN=1} to rewrite the
 * golden files after a deliberate change, then review the diff.
 */
class GoldenPlanTest {
    static final Path DIR = Path.of(System.getProperty("pipework.fixtures", "test-fixtures")).resolve("plans");

    static Stream<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - 5))
                    .sorted()
                    .collect(Collectors.toList())
                    .stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void planMatchesGolden(String name) throws IOException {
        Map<String, Object> fixture = Json.object(Json.parse(Files.readString(DIR.resolve(name + ".json"))));
        List<String> args = Json.array(fixture.get("args")).stream().map(String.class::cast).collect(Collectors.toList());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Pipework(FixtureServices.from(fixture), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args.toArray(String[]::new));
        String actual = "exit: " + status + "\n--- stdout\n" + out.toString(StandardCharsets.UTF_8)
                + "--- stderr\n" + err.toString(StandardCharsets.UTF_8);
        Path golden = DIR.resolve(name + ".golden");
        if ("1".equals(System.getenv("UPDATE_GOLDEN"))) {
            Files.writeString(golden, actual);
        }
        assertEquals(Files.readString(golden), actual, "golden " + golden);
    }
}
