package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.Trees;

/**
 * The Debian package as Debian's own tools see it: lintian finds no error and no warning (what it
 * finds at the pedantic level is printed), the Maintainer is the one of the pom, the changelog is
 * this version's, and every systemd unit in the package passes {@code systemd-analyze verify}.
 * Each check covers every file of the package, whichever issue added it.
 */
class PackageIT {
    private static final Path TARGET = Pipework.jar().getParent();
    private static final Path ROOT = TARGET.getParent();
    private static final Pattern UNIT = Pattern.compile(
            "(usr/)?lib/systemd/system/[^/]+\\.(service|socket|timer|path|mount|target)");

    @Test
    void lintianFindsNoErrorAndNoWarning() throws IOException {
        Prerequisites.requireCommand("lintian");
        Path deb = deb();
        List<String> argv = List.of("lintian", "-L", "+pedantic", "--tag-display-limit", "0", deb.toString());
        Sh.Result r = Sh.run(argv, Duration.ofMinutes(5));
        List<String> tags = r.out().lines().filter(l -> l.matches("[EWIPXOCN]: .*")).toList();
        System.out.println(String.join(" ", argv) + ": "
                + (tags.isEmpty() ? "nothing" : "\n" + String.join("\n", tags)));
        List<String> bad = tags.stream().filter(l -> l.startsWith("E: ") || l.startsWith("W: ")).toList();
        assertEquals(List.of(), bad, "lintian errors and warnings on " + deb + "\n" + r.describe());
        // Exit 1 is lintian's answer to an error tag, 2 and more its own failure.
        assertEquals(0, r.code(), r.describe());
    }

    @Test
    void maintainerAndChangelogAreThePoms() throws IOException {
        Path deb = deb();
        String maintainer = pomProperty("deb.maintainer");
        assertFalse(maintainer.contains("@localhost"), maintainer);
        assertEquals(maintainer, Sh.ok("dpkg-deb", "-f", deb.toString(), "Maintainer").trimmed());

        Path tree = extract(deb);
        try {
            Path changelog = tree.resolve("usr/share/doc/pipework/changelog.gz");
            assertTrue(Files.isRegularFile(changelog), "changelog of a native package: " + changelog);
            String text = Sh.ok("gzip", "-dc", changelog.toString()).out();
            List<String> lines = text.lines().toList();
            assertEquals("pipework (" + projectVersion() + ") unstable; urgency=medium", lines.get(0), text);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(" -- " + maintainer + "  ")), text);
            // gzip -9n, as Debian wants: maximum compression, no name, no time stamp.
            for (Path gz : List.of(changelog, tree.resolve("usr/share/man/man1/pipework.1.gz"))) {
                byte[] head = Files.readAllBytes(gz);
                assertEquals(List.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3),
                        List.of(head[0] & 0xff, head[1] & 0xff, (int) head[2], (int) head[3], (int) head[4],
                                (int) head[5], (int) head[6], (int) head[7], (int) head[8], (int) head[9]),
                        "gzip header of " + gz);
                Sh.ok("gzip", "-t", gz.toString());
            }
        } finally {
            Trees.delete(tree);
        }
    }

    @Test
    void everySystemdUnitVerifies() throws IOException {
        Path deb = deb();
        Path tree = extract(deb);
        try {
            List<String> units;
            try (Stream<Path> walk = Files.walk(tree)) {
                units = walk.filter(Files::isRegularFile).map(p -> tree.relativize(p).toString())
                        .filter(p -> UNIT.matcher(p).matches()).sorted().toList();
            }
            System.out.println("systemd units in " + deb.getFileName() + ": " + (units.isEmpty() ? "none" : units));
            if (units.isEmpty()) {
                return;
            }
            Prerequisites.requireCommand("systemd-analyze");
            // A root holding the host's units (the targets a unit names) with the package's files over them,
            // so that an ExecStart= of the package is found in it.
            Path root = Files.createTempDirectory("pw-unit-root");
            try {
                for (String dir : List.of("usr/lib/systemd/system", "lib/systemd/system")) {
                    Path host = Path.of("/").resolve(dir);
                    boolean merged = dir.startsWith("lib/") && Files.isSymbolicLink(Path.of("/lib"));
                    if (Files.isDirectory(host) && !merged) {
                        Files.createDirectories(root.resolve(dir).getParent());
                        Sh.ok("cp", "-a", host.toString(), root.resolve(dir).toString());
                    }
                }
                Sh.ok("dpkg-deb", "-x", deb.toString(), root.toString());
                for (String unit : units) {
                    List<String> argv = new ArrayList<>(List.of("systemd-analyze", "verify", "--root=" + root,
                            "--man=no", Path.of(unit).getFileName().toString()));
                    Sh.Result r = Sh.run(argv, Duration.ofMinutes(1));
                    System.out.println("systemd-analyze verify " + unit + ": exit " + r.code()
                            + (r.out().isBlank() && r.err().isBlank() ? ", nothing to say" : "\n" + r.out() + r.err()));
                    assertEquals(0, r.code(), unit + ": " + r.describe());
                    assertEquals("", (r.out() + r.err()).strip(), unit + ": what systemd-analyze verify says");
                }
            } finally {
                Trees.delete(root);
            }
        } finally {
            Trees.delete(tree);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Path deb() throws IOException {
        Path deb = TARGET.resolve("pipework_" + projectVersion() + "_all.deb");
        assertTrue(Files.isRegularFile(deb), "package not built: " + deb);
        return deb;
    }

    private static Path extract(Path deb) throws IOException {
        Path tree = Files.createTempDirectory("pw-deb");
        Sh.ok("dpkg-deb", "-x", deb.toString(), tree.toString());
        return tree;
    }

    private static String projectVersion() throws IOException {
        Matcher m = Pattern.compile("<artifactId>pipework</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find(), "project version in pom.xml");
        return m.group(1).strip();
    }

    /** A property of the pom, with its XML entities read. */
    private static String pomProperty(String name) throws IOException {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]*)</" + Pattern.quote(name) + ">")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find(), name + " in pom.xml");
        return m.group(1).strip().replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&apos;", "'").replace("&amp;", "&");
    }

}
