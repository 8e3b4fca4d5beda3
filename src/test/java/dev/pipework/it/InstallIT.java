package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.pipework.it.support.HostLock;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.Trees;
import dev.pipework.it.support.TestContainers;
import dev.pipework.it.support.TestNetns;

/**
 * pipework as a Linux host gets it: {@code scripts/install} into a staging DESTDIR and into a prefix of
 * its own, the installed launcher and its start-up cache, {@code scripts/uninstall}, the manual page
 * through {@code man}, the bash completion in a real bash, and the Debian package through dpkg.
 */
class InstallIT {
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration CACHE_TIMEOUT = Duration.ofSeconds(60);

    private static final Path JAR = Pipework.jar();
    private static final Path TARGET = JAR.getParent();
    private static final Path ROOT = TARGET.getParent();
    private static final Path MAN = TARGET.resolve("man/pipework.1");
    private static final Path COMPLETION = TARGET.resolve("completion/pipework");

    private static final List<String> FILES = List.of(
            "/usr/local/bin/pipework",
            "/usr/local/lib/cni/pipework",
            "/usr/local/share/pipework/pipework.jar",
            "/usr/local/share/bash-completion/completions/pipework",
            "/usr/local/share/man/man1/pipework.1",
            "/usr/local/lib/systemd/system/pipework-watch.service",
            "/usr/local/lib/systemd/system/pipework-overlay.service",
            "/usr/local/lib/systemd/system/pipework-docker.service",
            "/usr/local/lib/systemd/system/pipework-docker.socket",
            "/usr/local/share/pipework/install-manifest");

    // ------------------------------------------------------------------ scripts/install, uninstall

    @Test
    void installsEveryFileIntoDestdir() throws IOException {
        Path destdir = Files.createTempDirectory("pw-destdir");
        try {
            install(destdir, "/usr/local").assertOk("scripts/install");
            Path bin = destdir.resolve("usr/local/bin/pipework");
            assertTrue(Files.isRegularFile(bin) && Files.isExecutable(bin), "launcher not executable: " + bin);
            assertSameContent(ROOT.resolve("scripts/pipework"), bin);
            assertSameContent(JAR, destdir.resolve("usr/local/share/pipework/pipework.jar"));
            assertSameContent(MAN, destdir.resolve("usr/local/share/man/man1/pipework.1"));
            assertSameContent(COMPLETION, destdir.resolve("usr/local/share/bash-completion/completions/pipework"));
            assertFalse(Files.isExecutable(destdir.resolve("usr/local/share/pipework/pipework.jar")));
            assertEquals(Path.of("../../bin/pipework"), Files.readSymbolicLink(destdir.resolve("usr/local/lib/cni/pipework")),
                    "the CNI plugin is a link to the launcher");

            // Every level of directory is new in an empty DESTDIR: the manifest lists them too.
            Set<String> expected = new TreeSet<>(FILES);
            expected.addAll(List.of("/usr/", "/usr/local/", "/usr/local/bin/", "/usr/local/lib/", "/usr/local/lib/cni/",
                    "/usr/local/share/",
                    "/usr/local/share/pipework/", "/usr/local/share/bash-completion/",
                    "/usr/local/share/bash-completion/completions/", "/usr/local/share/man/",
                    "/usr/local/share/man/man1/", "/usr/local/lib/", "/usr/local/lib/systemd/",
                    "/usr/local/lib/systemd/system/"));
            assertEquals(expected, manifest(destdir.resolve("usr/local/share/pipework/install-manifest")));
            assertEquals(expected, tree(destdir), "what install put into DESTDIR");
            assertFalse(Files.exists(destdir.resolve("usr/local/share/pipework/pipework.jsa")),
                    "a start-up cache made in DESTDIR would not fit the installed jar");
        } finally {
            deleteTree(destdir);
        }
    }

    @Test
    void installedLauncherAnswersTheVersionOfTheManifest() throws Exception {
        String version = projectVersion();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertEquals(version, jar.getManifest().getMainAttributes().getValue("Implementation-Version"),
                    "Implementation-Version of the shaded jar");
        }
        Path destdir = Files.createTempDirectory("pw-destdir");
        try {
            install(destdir, "/usr/local").assertOk("scripts/install");
            Path bin = destdir.resolve("usr/local/bin/pipework");
            for (int run = 1; run <= 2; run++) {
                // The first run may start making the start-up cache; neither prints anything else.
                Sh.Result r = launcher(bin, "--version");
                assertEquals(0, r.code(), r.describe());
                assertEquals("pipework " + version + "\n", r.out(), "run " + run + ": " + r.describe());
                assertEquals("", r.err(), "run " + run + ": " + r.describe());
                awaitCache(destdir.resolve("usr/local/share/pipework"));
            }
            // --version is not the plain form: its cache is the one for other command lines.
            Path jsa = destdir.resolve("usr/local/share/pipework/pipework-commands.jsa");
            assertEquals(cacheExpected(), Files.isRegularFile(jsa),
                    "a root run makes the start-up cache beside the jar (JDK 17 to 24): " + jsa);
            uninstall(destdir, "/usr/local").assertOk("scripts/uninstall");
            assertEquals(Set.of(), tree(destdir), "left after uninstall");
        } finally {
            deleteTree(destdir);
        }
    }

    @Test
    void uninstallRemovesExactlyWhatInstallPutThere() throws IOException {
        Path destdir = Files.createTempDirectory("pw-destdir");
        try {
            // Present before: a manual page of something else, and the directories that hold it.
            Path other = destdir.resolve("usr/local/share/man/man1/other.1");
            Files.createDirectories(other.getParent());
            Files.writeString(other, ".TH OTHER 1\n");
            Set<String> before = tree(destdir);

            install(destdir, "/usr/local").assertOk("scripts/install");
            Set<String> manifest = manifest(destdir.resolve("usr/local/share/pipework/install-manifest"));
            assertTrue(manifest.containsAll(FILES), "manifest " + manifest);
            assertFalse(manifest.contains("/usr/local/share/man/man1/"), "man1 was there before: " + manifest);
            Set<String> added = tree(destdir);
            added.removeAll(before);
            assertEquals(new TreeSet<>(manifest), added, "the manifest lists what install added");

            // Installing again over an install keeps the record of the directories it made.
            install(destdir, "/usr/local").assertOk("scripts/install, again");
            assertEquals(manifest, manifest(destdir.resolve("usr/local/share/pipework/install-manifest")));

            Sh.Result r = uninstall(destdir, "/usr/local");
            assertEquals(0, r.code(), r.describe());
            assertEquals(before, tree(destdir), "uninstall leaves what was there before, and only that");
            assertEquals(".TH OTHER 1\n", Files.readString(other));
        } finally {
            deleteTree(destdir);
        }
    }

    @Test
    void installWithoutDestdirPreparesTheStartupCache() throws IOException {
        Path prefix = Files.createTempDirectory("pw-prefix");
        try {
            Sh.Result installed = install(null, prefix.toString()).assertOk("scripts/install");
            Path share = prefix.resolve("share/pipework");
            // --version, run below, is not the plain form: the cache it uses and remakes is the one
            // for other command lines.
            Path jsa = share.resolve("pipework-commands.jsa");
            Path bin = prefix.resolve("bin/pipework");
            Set<String> manifest = manifest(share.resolve("install-manifest"));
            if (!cacheExpected()) {
                assertFalse(Files.exists(jsa), installed.describe());
                return;
            }
            assertTrue(Files.isRegularFile(jsa), "install makes the start-up cache: " + installed.describe());
            for (String name : List.of("pipework.jsa", "pipework-commands.jsa", "pipework-cni.jsa", "pipework-guest.jsa")) {
                assertTrue(manifest.contains(prefix + "/share/pipework/" + name), "manifest " + manifest);
            }
            assertTrue(Files.getLastModifiedTime(jsa).compareTo(Files.getLastModifiedTime(share.resolve("pipework.jar"))) >= 0);

            String version = "pipework " + projectVersion() + "\n";
            Sh.Result r = launcher(bin, "--version");
            assertEquals(version, r.out(), r.describe());
            assertEquals("", r.err(), r.describe());

            // A cache that does not fit is ignored, never an error, and says nothing.
            Files.setPosixFilePermissions(jsa, PosixFilePermissions.fromString("rw-r--r--"));
            Files.writeString(jsa, "not an archive\n");
            r = launcher(bin, "--version");
            assertEquals(0, r.code(), r.describe());
            assertEquals(version, r.out(), r.describe());
            assertEquals("", r.err(), r.describe());

            // A cache older than the jar: the next run makes it again, in the background.
            Files.setLastModifiedTime(jsa, FileTime.fromMillis(
                    Files.getLastModifiedTime(share.resolve("pipework.jar")).toMillis() - 3_600_000));
            r = launcher(bin, "--version");
            assertEquals(version, r.out(), r.describe());
            assertEquals("", r.err(), r.describe());
            awaitCache(share);
            assertTrue(Files.size(jsa) > 100_000, "the cache was made again: " + Files.size(jsa) + " bytes");
            assertEquals("", launcher(bin, "--version").err());

            // PIPEWORK_CDS=create makes it at once, and answers whether it did.
            Files.delete(jsa);
            Map<String, String> env = launcherEnv();
            env.put("PIPEWORK_CDS", "create");
            Sh.Result created = Sh.run(List.of(bin.toString()), INSTALL_TIMEOUT, null, env);
            assertEquals(0, created.code(), created.describe());
            assertEquals("", created.out() + created.err());
            assertTrue(Files.isRegularFile(jsa));

            // The CNI plugin's link, run as a runtime runs it: the launcher knows it without readlink
            // (nothing on PATH at all).
            Map<String, String> cni = launcherEnv();
            cni.put("PATH", "/nonexistent");
            cni.put("CNI_COMMAND", "VERSION");
            Sh.Result plugin = Sh.run(List.of(prefix.resolve("lib/cni/pipework").toString()), INSTALL_TIMEOUT,
                    "{\"cniVersion\":\"1.0.0\"}", cni);
            assertEquals(0, plugin.code(), plugin.describe());
            assertTrue(plugin.out().contains("\"supportedVersions\""), plugin.describe());

            uninstall(null, prefix.toString()).assertOk("scripts/uninstall");
            assertEquals(Set.of(), tree(prefix), "left in the prefix after uninstall");
        } finally {
            deleteTree(prefix);
        }
    }

    // ------------------------------------------------------------------ manual page

    @Test
    void manPageRendersWithMan() {
        Prerequisites.requireCommand("man");
        for (Path page : List.of(MAN, TARGET.resolve("man/pipework.1.gz"))) {
            Map<String, String> env = new HashMap<>();
            env.put("MANWIDTH", "80");
            env.put("MANPAGER", "cat");
            env.put("PAGER", "cat");
            env.put("LC_ALL", "C");
            Sh.Result r = Sh.run(List.of("man", "--warnings", "-l", page.toString()), Duration.ofSeconds(60), null, env);
            assertEquals(0, r.code(), r.describe());
            assertEquals("", r.err().strip(), "groff warnings for " + page);
            String text = r.out();
            for (String section : List.of("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXAMPLES", "EXIT STATUS",
                    "FILES", "SEE ALSO")) {
                assertTrue(text.lines().anyMatch(l -> l.equals(section)), "section " + section + " in\n" + text);
            }
            assertTrue(text.contains("pipework - plumb an extra network interface into a running container"), text);
            List<String> lines = text.lines().map(String::strip).toList();
            for (String example : List.of("pipework br1 web 192.168.1.10/24@192.168.1.1",
                    "pipework ovs0 test1 192.168.0.1/24 @100", "pipework route web add 10.0.5.0/24 via 192.168.1.254",
                    "pipework del web", "pipework status web --json", "pipework --batch attach.list",
                    "pipework br1 web dhcp", "pipework --direct-phys eth1 web 192.168.1.2/24")) {
                assertTrue(lines.contains(example), "example line \"" + example + "\" in\n" + text);
            }
            assertTrue(text.contains("pipework del <guest> [-i containerinterface] [--all]"), text);
            assertTrue(text.contains("--dry-run"), text);
            for (String line : text.lines().toList()) {
                assertTrue(line.length() <= 80, "wider than MANWIDTH: " + line);
            }
        }
    }

    // ------------------------------------------------------------------ bash completion

    @Test
    void completionCompletesInBash() {
        Prerequisites.requireCommand("bash");
        List<String> first = complete(COMPLETION, "pipework", "");
        for (String word : List.of("del", "status", "route", "rule", "tc", "--dry-run", "--batch", "--json", "lo")) {
            assertTrue(first.contains(word), word + " in " + first);
        }
        assertEquals(List.of("del"), complete(COMPLETION, "pipework", "de"));
        List<String> options = complete(COMPLETION, "pipework", "--");
        for (String option : List.of("--dry-run", "--json", "--batch", "--help", "--version", "--wait",
                "--direct-phys", "--timeout", "--verbose")) {
            assertTrue(options.contains(option), option + " in " + options);
        }
        assertTrue(complete(COMPLETION, "pipework", "-").containsAll(List.of("-i", "-l", "-a", "-v")));
        assertEquals(List.of("4", "6", "inet", "inet6"), complete(COMPLETION, "pipework", "br1", "-a", ""));
        assertEquals(List.of("inet", "inet6"), complete(COMPLETION, "pipework", "-a", "in"));
        assertTrue(complete(COMPLETION, "pipework", "-a", "").contains("inet6"));
        assertEquals(List.of("--all", "--dry-run", "--verbose"), complete(COMPLETION, "pipework", "del", "web", "--"));
        assertEquals(List.of("--json"), complete(COMPLETION, "pipework", "status", "--j"));
        assertEquals(List.of(), complete(COMPLETION, "pipework", "br1", "-i", ""));
        assertTrue(complete(COMPLETION, "pipework", "route", "web", "").contains("replace"));
        assertTrue(complete(COMPLETION, "pipework", "tc", "web", "").contains("qdisc"));
        // Where the address goes: the DHCP words. "mac:52:54:00:12:34:56" reaches the function in pieces,
        // and is still one argument.
        List<String> dhcp = List.of("dhcp", "udhcpc", "dhclient", "dhcpcd");
        assertEquals(dhcp, complete(COMPLETION, "pipework", "br1", "web", ""));
        assertEquals(dhcp, complete(COMPLETION, "pipework", "mac", ":", "52", ":", "54", ":", "00", ":", "12",
                ":", "34", ":", "56", "web", ""));
        assertEquals(List.of(), complete(COMPLETION, "pipework", "br1", "web", "10.0.0.5/24", ""));
        assertTrue(first.contains("dummy"), "dummy in " + first);
        assertTrue(complete(COMPLETION, "pipework", "--batch", TARGET + "/completion/pi")
                .contains(TARGET + "/completion/pipework"));
        Sh.Result spec = Sh.run("bash", "-c", "source \"$1\" && complete -p pipework", "bash", COMPLETION.toString());
        assertEquals("complete -F _pipework pipework", spec.trimmed(), spec.describe());
    }

    @Test
    void completionOffersContainersAndNamedNamespacesAsGuests() {
        Prerequisites.requireDocker();
        try (TestContainers containers = new TestContainers(); TestNetns netns = new TestNetns()) {
            String name = containers.start("complete");
            String ns = netns.create("complete");
            String prefix = name.substring(0, name.length() - 3);
            assertTrue(complete(COMPLETION, "pipework", "br1", prefix).contains(name));
            assertTrue(complete(COMPLETION, "pipework", "-i", "eth2", "br1", prefix).contains(name));
            assertTrue(complete(COMPLETION, "pipework", "del", prefix).contains(name));
            assertTrue(complete(COMPLETION, "pipework", "route", prefix).contains(name));
            assertTrue(complete(COMPLETION, "pipework", "br1", "").containsAll(List.of(name, ns)));
            assertFalse(complete(COMPLETION, "pipework", prefix).contains(name), "the first word is a host interface");
        }
    }

    @Test
    void bashCompletionFindsTheInstalledCompletion() throws IOException {
        Path loader = Path.of("/usr/share/bash-completion/bash_completion");
        Prerequisites.require(Files.isRegularFile(loader), "package bash-completion");
        Path destdir = Files.createTempDirectory("pw-destdir");
        try {
            install(destdir, "/usr/local").assertOk("scripts/install");
            String script = String.join("\n",
                    "source /usr/share/bash-completion/bash_completion",
                    "__load_completion pipework || exit 3",
                    "complete -p pipework",
                    "COMP_WORDS=(pipework br1 -a '')",
                    "COMP_CWORD=3",
                    "_pipework",
                    "printf '%s\\n' \"${COMPREPLY[@]}\"");
            Map<String, String> env = new HashMap<>();
            env.put("XDG_DATA_DIRS", destdir.resolve("usr/local/share").toString());
            env.put("BASH_COMPLETION_USER_DIR", destdir.resolve("none").toString());
            Sh.Result r = Sh.run(List.of("bash", "-c", script), Duration.ofSeconds(30), null, env);
            assertEquals(0, r.code(), r.describe());
            assertEquals(List.of("complete -F _pipework pipework", "4", "6", "inet", "inet6"), r.out().lines().toList());
        } finally {
            deleteTree(destdir);
        }
    }

    // ------------------------------------------------------------------ Debian package

    @Test
    @SuppressWarnings("try") // the host lock is held for the test's length, not used
    void debianPackageInstallsAndRemoves() throws IOException {
        Prerequisites.requireRoot();
        Prerequisites.requireCommand("dpkg");
        String version = projectVersion();
        Path deb = TARGET.resolve("pipework_" + version + "_all.deb");
        assertTrue(Files.isRegularFile(deb), "package not built: " + deb);

        assertEquals("pipework", field(deb, "Package"));
        assertEquals(version, field(deb, "Version"));
        assertEquals("all", field(deb, "Architecture"));
        assertEquals("iproute2, util-linux (>= 2.23), default-jre-headless (>= 2:1.17) | java17-runtime-headless",
                field(deb, "Depends"));
        assertEquals("iputils-arping, openvswitch-switch", field(deb, "Recommends"));
        String contents = Sh.ok("dpkg-deb", "-c", deb.toString()).out();
        for (String entry : List.of("-rwxr-xr-x root/root .* ./usr/bin/pipework",
                "-rw-r--r-- root/root .* ./usr/share/pipework/pipework.jar",
                "-rw-r--r-- root/root .* ./usr/share/bash-completion/completions/pipework",
                "-rw-r--r-- root/root .* ./usr/share/man/man1/pipework.1.gz",
                "-rw-r--r-- root/root .* ./lib/systemd/system/pipework-watch.service",
                "-rw-r--r-- root/root .* ./lib/systemd/system/pipework-overlay.service",
                "-rw-r--r-- root/root .* ./lib/systemd/system/pipework-docker.service",
                "-rw-r--r-- root/root .* ./lib/systemd/system/pipework-docker.socket",
                "lrwxrwxrwx root/root .* ./usr/lib/cni/pipework -> ../../bin/pipework",
                "-rw-r--r-- root/root .* ./usr/share/doc/pipework/copyright",
                "-rw-r--r-- root/root .* ./usr/share/doc/pipework/changelog.gz")) {
            assertTrue(Pattern.compile("^" + entry + "$", Pattern.MULTILINE).matcher(contents).find(),
                    entry + " in\n" + contents);
        }

        // The package's name and files are the host's: one run at a time installs it, other checkouts included.
        try (HostLock dpkgTurn = HostLock.take("deb", Duration.ofMinutes(10))) {
            // Never over a pipework this machine already has; one removed with its configuration kept
            // (dpkg's "rc": config-files) is not installed, and this test's purge ends that state too.
            Assumptions.assumeFalse(installedByDpkg() || Files.exists(Path.of("/usr/bin/pipework"))
                    || Files.exists(Path.of("/usr/share/pipework")),
                    "skipped: pipework is already installed on this machine");
            try {
                dpkg("-i", deb.toString());
                Sh.Result r = Sh.run(List.of("/usr/bin/pipework", "--version"), Duration.ofSeconds(60), null,
                        unset("PIPEWORK_JAR", "JAVA", "JAVA_HOME"));
                assertEquals(0, r.code(), r.describe());
                assertEquals("pipework " + version + "\n", r.out(), r.describe());
                assertEquals("", r.err(), r.describe());
                for (String file : List.of("/usr/share/pipework/pipework.jar", "/usr/share/man/man1/pipework.1.gz",
                        "/usr/share/bash-completion/completions/pipework", "/usr/share/doc/pipework/copyright")) {
                    assertTrue(Files.isRegularFile(Path.of(file)) || dpkgExcludes(file), file);
                }
                if (Sh.onPath("man") && !dpkgExcludes("/usr/share/man/man1/pipework.1.gz")) {
                    assertEquals("/usr/share/man/man1/pipework.1.gz", Sh.ok("man", "-w", "pipework").trimmed());
                }
                Optional<String> cacheName = defaultCacheName();
                Path share = Path.of("/usr/share/pipework");
                awaitCache(share);
                if (cacheName.isPresent()) {
                    assertTrue(Files.isRegularFile(share.resolve(cacheName.get())),
                            "postinst makes the start-up cache " + cacheName.get());
                }
                Optional<Path> jdk = newestJdk();
                if (jdk.isPresent() && Files.isExecutable(jdk.get().resolve("bin/jlink"))) {
                    assertTrue(Files.isExecutable(Path.of("/usr/lib/pipework/runtime/bin/java")),
                            "postinst links the Java runtime from " + jdk.get());
                }

                dpkg("-r", "pipework");
                for (String gone : List.of("/usr/bin/pipework", "/usr/share/pipework", "/usr/lib/pipework",
                        "/usr/share/bash-completion/completions/pipework", "/usr/share/man/man1/pipework.1.gz",
                        "/usr/share/doc/pipework")) {
                    assertFalse(Files.exists(Path.of(gone)), gone + " after dpkg -r");
                }
                dpkg("--purge", "pipework");
                assertTrue(Sh.run("dpkg-query", "-W", "pipework").code() != 0, "pipework still known to dpkg");
            } finally {
                if (Sh.run("dpkg-query", "-W", "pipework").code() == 0) {
                    Sh.run(List.of("dpkg", "--purge", "pipework"), Duration.ofMinutes(2));
                }
            }
        }
    }

    /**
     * The launcher and its jar under a path with a space in it: the start-up cache is made
     * ({@code PIPEWORK_CDS=create} exits 0 and leaves it beside the jar), and a run then uses it.
     */
    @Test
    void launcherInAPathWithASpaceMakesItsStartupCache() throws IOException {
        int feature = Runtime.version().feature();
        Assumptions.assumeTrue(feature >= 17, "no start-up cache before JDK 17");
        Path root = Files.createTempDirectory("pw-space");
        try {
            Path home = Files.createDirectories(root.resolve("with space"));
            Path bin = Files.createDirectories(home.resolve("bin")).resolve("pipework");
            Path share = Files.createDirectories(home.resolve("share/pipework"));
            Files.copy(ROOT.resolve("scripts/pipework"), bin);
            Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.copy(JAR, share.resolve("pipework.jar"));
            Path cache = share.resolve(feature >= 25 ? "pipework.aot" : "pipework.jsa");

            Map<String, String> env = launcherEnv();
            env.put("PIPEWORK_CDS", "create");
            Sh.Result created = Sh.run(List.of(bin.toString()), INSTALL_TIMEOUT, null, env);
            assertEquals(0, created.code(), created.describe());
            assertEquals("", created.out() + created.err());
            assertTrue(Files.isRegularFile(cache), "the start-up cache beside the jar: " + cache);
            // One for each way pipework runs: the plain form, other command lines, the CNI plugin, a
            // plain status or del.
            String ext = feature >= 25 ? ".aot" : ".jsa";
            for (String other : List.of("pipework-commands" + ext, "pipework-cni" + ext, "pipework-guest" + ext)) {
                assertTrue(Files.isRegularFile(share.resolve(other)), "the start-up cache beside the jar: " + other);
            }

            Sh.Result r = launcher(bin, "--version");
            assertEquals(0, r.code(), r.describe());
            assertEquals("pipework " + projectVersion() + "\n", r.out(), r.describe());
            assertEquals("", r.err(), r.describe());
        } finally {
            deleteTree(root);
        }
    }

    /**
     * Installed with no JAVA_HOME, as the Debian package's postinst runs it: a Java runtime of the
     * modules the jar needs, linked from the newest JDK under /usr/lib/jvm, runs in that JDK's place;
     * uninstall removes it.
     */
    @Test
    void installLinksAJavaRuntimeFromTheNewestJdk() throws IOException {
        Optional<Path> jdk = newestJdk();
        boolean jlink = jdk.isPresent() && Files.isExecutable(jdk.get().resolve("bin/jlink"));
        Prerequisites.require(jlink, "a JDK of 17 or later with jlink under /usr/lib/jvm");
        Path prefix = Files.createTempDirectory("pw-runtime");
        try {
            Map<String, String> env = unset("PIPEWORK_JAR", "JAVA", "PIPEWORK_CDS", "JAVA_HOME", "PIPEWORK_RUNTIME",
                    "PIPEWORK_JVM_DIR");
            env.put("PREFIX", prefix.toString());
            env.put("DESTDIR", null);
            Sh.Result installed = Sh.run(List.of("bash", ROOT.resolve("scripts/install").toString()), INSTALL_TIMEOUT,
                    null, env);
            installed.assertOk("scripts/install");
            Path runtime = prefix.resolve("lib/pipework/runtime");
            assertTrue(Files.isExecutable(runtime.resolve("bin/java")), installed.describe());
            List<String> source = Files.readAllLines(runtime.resolve("pipework-source"));
            assertEquals(jdk.get().toString(), source.get(0));
            assertTrue(Files.readString(jdk.get().resolve("release")).contains(source.get(1) + "\n"), source.get(1));
            // Its modules are the jar's (jdeps), no more.
            assertTrue(Files.readString(runtime.resolve("release")).contains("MODULES=\"" + jarModules() + "\""),
                    Files.readString(runtime.resolve("release")));

            Path bin = prefix.resolve("bin/pipework");
            Map<String, String> run = unset("PIPEWORK_JAR", "JAVA", "PIPEWORK_CDS", "JAVA_HOME", "PIPEWORK_RUNTIME",
                    "PIPEWORK_JVM_DIR");
            Sh.Result traced = Sh.run(List.of("sh", "-x", bin.toString(), "--version"), Duration.ofSeconds(60), null, run);
            assertEquals(0, traced.code(), traced.describe());
            assertEquals("pipework " + projectVersion() + "\n", traced.out(), traced.describe());
            assertTrue(traced.err().contains("exec " + prefix + "/bin/../lib/pipework/runtime/bin/java "),
                    "the launcher runs the runtime: " + traced.describe());

            uninstall(null, prefix.toString()).assertOk("scripts/uninstall");
            assertEquals(Set.of(), tree(prefix), "left in the prefix after uninstall");
        } finally {
            deleteTree(prefix);
        }
    }

    /** The modules the jar needs, as jdeps lists them. */
    private static String jarModules() {
        var jdeps = java.util.spi.ToolProvider.findFirst("jdeps").orElseThrow();
        var out = new java.io.StringWriter();
        var err = new java.io.StringWriter();
        int status = jdeps.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err), "--multi-release",
                Integer.toString(Runtime.version().feature()), "--ignore-missing-deps", "--print-module-deps",
                JAR.toString());
        assertEquals(0, status, err.toString());
        return out.toString().strip().replace(",", " ");
    }

    /** The JDK the launcher picks with no JAVA_HOME: the newest of 17 or later under /usr/lib/jvm. */
    private static Optional<Path> newestJdk() throws IOException {
        Path best = null;
        int newest = 16;
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path jdk : jdks.filter(p -> !Files.isSymbolicLink(p)).sorted().toList()) {
                int feature = feature(jdk.resolve("release"));
                if (Files.isExecutable(jdk.resolve("bin/java")) && feature > newest) {
                    newest = feature;
                    best = jdk;
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // no JDK directory
        }
        return Optional.ofNullable(best);
    }

    // ------------------------------------------------------------------ helpers

    private static Sh.Result install(Path destdir, String prefix) {
        return script("scripts/install", destdir, prefix);
    }

    private static Sh.Result uninstall(Path destdir, String prefix) {
        return script("scripts/uninstall", destdir, prefix);
    }

    private static Sh.Result script(String script, Path destdir, String prefix) {
        Map<String, String> env = launcherEnv();
        env.put("DESTDIR", destdir == null ? null : destdir.toString());
        env.put("PREFIX", prefix);
        return Sh.run(List.of("bash", ROOT.resolve(script).toString()), INSTALL_TIMEOUT, null, env);
    }

    /** The installed launcher finds its jar by itself; the JVM is this one. */
    private static Map<String, String> launcherEnv() {
        Map<String, String> env = unset("PIPEWORK_JAR", "JAVA", "PIPEWORK_CDS");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return env;
    }

    private static Sh.Result launcher(Path bin, String... args) {
        List<String> argv = new ArrayList<>(List.of(bin.toString()));
        argv.addAll(Arrays.asList(args));
        return Sh.run(argv, Duration.ofSeconds(60), null, launcherEnv());
    }

    private static Map<String, String> unset(String... names) {
        Map<String, String> env = new HashMap<>();
        for (String name : names) {
            env.put(name, null);
        }
        return env;
    }

    /** Whether the launcher keeps a start-up cache with this JVM: JDK 17 to 24. */
    private static boolean cacheExpected() {
        int feature = Runtime.version().feature();
        return feature >= 17 && feature <= 24;
    }

    /**
     * The start-up cache the launcher makes with no JAVA_HOME (as the Debian package's postinst
     * runs it): that of the newest JDK under /usr/lib/jvm, else of the java on PATH; none before 17.
     */
    private static Optional<String> defaultCacheName() throws IOException {
        int newest = 0;
        try (java.util.stream.Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path jdk : jdks.filter(p -> !Files.isSymbolicLink(p)).toList()) {
                if (Files.isExecutable(jdk.resolve("bin/java"))) {
                    newest = Math.max(newest, feature(jdk.resolve("release")));
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // no JDK directory
        }
        if (newest == 0) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                Path java = Path.of(dir.isEmpty() ? "." : dir, "java");
                if (Files.isExecutable(java)) {
                    newest = feature(java.toRealPath().getParent().getParent().resolve("release"));
                    break;
                }
            }
        }
        return newest >= 25 ? Optional.of("pipework.aot") : newest >= 17 ? Optional.of("pipework.jsa")
                : Optional.empty();
    }

    /** The major version in a JDK's release file; 0 when there is none. */
    private static int feature(Path release) throws IOException {
        if (!Files.isRegularFile(release)) {
            return 0;
        }
        Matcher m = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** Whether a run of the launcher is making a start-up cache in {@code share}. */
    private static boolean cacheLocked(Path share) {
        for (String name : List.of("pipework", "pipework-commands", "pipework-cni", "pipework-guest")) {
            if (Files.exists(share.resolve(name + ".jsa.lock")) || Files.exists(share.resolve(name + ".aot.lock"))) {
                return true;
            }
        }
        return false;
    }

    /** Waits while a run of the launcher makes the start-up cache in {@code share}. */
    private static void awaitCache(Path share) {
        long deadline = System.nanoTime() + CACHE_TIMEOUT.toNanos();
        while (cacheLocked(share)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the start-up cache is still being made after " + CACHE_TIMEOUT);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** What the completion function offers for the words typed, the last one being completed. */
    private static List<String> complete(Path completion, String... words) {
        String script = String.join("\n",
                "source \"$1\"",
                "shift",
                "COMP_WORDS=(\"$@\")",
                "COMP_CWORD=$(($# - 1))",
                "COMP_LINE=\"$*\"",
                "COMP_POINT=${#COMP_LINE}",
                "_pipework || exit 3",
                "printf '%s\\n' \"${COMPREPLY[@]}\"");
        List<String> argv = new ArrayList<>(List.of("bash", "-c", script, "bash", completion.toString()));
        argv.addAll(Arrays.asList(words));
        Sh.Result r = Sh.run(argv, Duration.ofSeconds(30));
        assertEquals(0, r.code(), "completing " + Arrays.toString(words) + ": " + r.describe());
        assertEquals("", r.err(), "completing " + Arrays.toString(words));
        return r.out().lines().filter(l -> !l.isEmpty()).toList();
    }

    /** Whether this machine's dpkg leaves {@code path} out (path-exclude, as minimal images have for docs). */
    private static boolean dpkgExcludes(String path) throws IOException {
        Path dir = Path.of("/etc/dpkg/dpkg.cfg.d");
        if (!Files.isDirectory(dir)) {
            return false;
        }
        boolean excluded = false;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
                    String[] words = line.strip().split("[\\s=]+", 2);
                    if (words.length == 2 && path.matches(glob(words[1].strip()))) {
                        if (words[0].equals("path-exclude")) {
                            excluded = true;
                        } else if (words[0].equals("path-include")) {
                            excluded = false;
                        }
                    }
                }
            }
        }
        return excluded;
    }

    private static String glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

    private static String field(Path deb, String name) {
        return Sh.ok("dpkg-deb", "-f", deb.toString(), name).trimmed();
    }

    /**
     * Whether dpkg has pipework in any state but "not-installed" and "config-files" (removed, its
     * configuration kept: {@code rc} in {@code dpkg -l}), which leave no program behind.
     */
    private static boolean installedByDpkg() {
        Sh.Result r = Sh.run("dpkg-query", "-W", "-f=${db:Status-Status}", "pipework");
        String status = r.trimmed();
        return r.code() == 0 && !status.isEmpty() && !status.equals("not-installed") && !status.equals("config-files");
    }

    /** dpkg, waiting its turn when another package tool holds the lock. */
    private static void dpkg(String... args) {
        List<String> argv = new ArrayList<>(List.of("dpkg"));
        argv.addAll(Arrays.asList(args));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            Sh.Result r = Sh.run(argv, Duration.ofMinutes(3), null, Map.of("DEBIAN_FRONTEND", "noninteractive"));
            if (r.success()) {
                return;
            }
            if (!r.err().contains("lock") || System.nanoTime() > deadline) {
                throw new AssertionError(String.join(" ", argv) + " failed: " + r.describe());
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static String projectVersion() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        // The project's own version: the first <version> after its <artifactId>, before <dependencies>.
        Matcher m = Pattern.compile("<artifactId>pipework</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "project version in pom.xml");
        return m.group(1).strip();
    }

    private static Set<String> manifest(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), "manifest " + file);
        return new TreeSet<>(Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isEmpty()).toList());
    }

    /** Every path under {@code root}, as "/relative" with directories ending in "/". */
    private static Set<String> tree(Path root) throws IOException {
        Set<String> paths = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> !p.equals(root)).forEach(p -> {
                String rel = "/" + root.relativize(p);
                paths.add(Files.isDirectory(p) ? rel + "/" : rel);
            });
        }
        return paths;
    }

    private static void assertSameContent(Path expected, Path actual) throws IOException {
        assertTrue(Files.isRegularFile(actual), "missing " + actual);
        assertEquals(-1L, Files.mismatch(expected, actual), actual + " differs from " + expected);
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> p.getFileName().toString().matches("pipework(-commands|-cni)?\\.(jsa|aot)\\.lock"))
                    .forEach(lock -> awaitCache(lock.getParent()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Trees.delete(root);
    }
}
