package dev.pipework.cli.docs;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The control files of the Debian package: {@code control} with the package's relations, and the
 * maintainer scripts that make the start-up caches (beside the jar, one for each way pipework runs)
 * on installation, make them again when a Java runtime under /usr/lib/jvm changes, and remove them
 * before the package's files go; and the package's changelog.
 */
public final class DebianPackage {
    static final String SHARE = "/usr/share/pipework";

    private final CommandModel model;
    private final String version;
    private final String maintainer;
    private final String depends;
    private final String recommends;

    DebianPackage(CommandModel model, String version, String maintainer, String depends, String recommends) {
        this.model = model;
        this.version = version;
        this.maintainer = maintainer;
        this.depends = depends;
        this.recommends = recommends;
    }

    /** File name in the control directory to content. */
    public Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("control", control());
        files.put("postinst", POSTINST);
        files.put("prerm", PRERM);
        files.put("postrm", POSTRM);
        files.put("triggers", "interest-noawait /usr/lib/jvm\n");
        return files;
    }

    /** Whether the named control file is a maintainer script (to be executable). */
    static boolean isScript(String name) {
        return !name.equals("control") && !name.equals("triggers");
    }

    /**
     * {@code /usr/share/doc/pipework/changelog} (a native package: no {@code .Debian}), in the format of
     * debian/changelog: one entry, for this version.
     */
    public String changelog(Instant date) {
        String when = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ENGLISH)
                .format(date.atOffset(ZoneOffset.UTC));
        return "pipework (" + version + ") unstable; urgency=medium\n"
                + "\n"
                + "  * pipework " + version + ", built from the project's sources.\n"
                + "\n"
                + " -- " + maintainer + "  " + when + "\n";
    }

    private String control() {
        String summary = String.join(" ", model.attach.usageMessage().description());
        return "Package: pipework\n"
                + "Version: " + version + "\n"
                + "Section: net\n"
                + "Priority: optional\n"
                + "Architecture: all\n"
                + "Maintainer: " + maintainer + "\n"
                + "Depends: " + depends + "\n"
                + (recommends.isBlank() ? "" : "Recommends: " + recommends + "\n")
                + "Description: " + summary.replaceAll("\\.$", "").toLowerCase(java.util.Locale.ROOT) + "\n"
                + " pipework plumbs an extra network interface into a container that is\n"
                + " already running: a veth pair into a Linux bridge or an Open vSwitch bridge\n"
                + " (with a VLAN tag), with an address, a MAC address and a default gateway.\n"
                + " It is a drop-in replacement for the pipework shell script, with the same\n"
                + " command line and exit statuses; every value is checked before anything\n"
                + " changes, and a failed run undoes what it did.\n";
    }

    private static final String LOCK_WAIT = """
                # A cache being made by a run would land after the package's files are gone.
                i=0
                while ls -d %1$s/pipework*.jsa.lock %1$s/pipework*.aot.lock >/dev/null 2>&1 && [ "$i" -lt 30 ]; do
                  sleep 1
                  i=$((i + 1))
                done
                rm -f %1$s/pipework*.jsa %1$s/pipework*.jsa.tmp.* %1$s/pipework*.aot %1$s/pipework*.aot.tmp.*
                rmdir %1$s/pipework*.jsa.lock %1$s/pipework*.aot.lock 2>/dev/null || true
                rm -rf /usr/lib/pipework/runtime /usr/lib/pipework/runtime.tmp.*
                rmdir /usr/lib/pipework 2>/dev/null || true
            """.formatted(SHARE);

    static final String POSTINST = """
            #!/bin/sh
            # Links pipework's Java runtime (java.base) from the newest JDK and makes its start-up caches,
            # now and again when a package under /usr/lib/jvm changes, so that the runtime is never older
            # than that JDK. Without them pipework runs all the same, a little slower.
            set -e
            case "$1" in
              configure | triggered)
                echo "pipework: linking a Java runtime (java.base) from the newest JDK and making the start-up caches;" \\
                  "this takes about 20 s..."
                if env -u PIPEWORK_JAR -u PIPEWORK_RUNTIME -u JAVA -u JAVA_HOME PIPEWORK_CDS=create /usr/bin/pipework \\
                  >/dev/null 2>&1 </dev/null; then
                  echo "pipework: runtime and start-up caches ready"
                else
                  echo "pipework: the runtime or the start-up caches could not be made: pipework runs on the JDK," \\
                    "a little slower (to try again: sudo PIPEWORK_CDS=create pipework)"
                fi
                ;;
            esac
            exit 0
            """;

    private static final String PRERM = """
            #!/bin/sh
            # Removes the start-up caches and the Java runtime, which no package owns, before the
            # package's files go.
            set -e
            case "$1" in
              remove | upgrade | deconfigure | failed-upgrade)
            %s    ;;
            esac
            exit 0
            """.formatted(LOCK_WAIT);

    private static final String POSTRM = """
            #!/bin/sh
            # Whatever a run left beside the jar after prerm: the directory goes with the package.
            set -e
            case "$1" in
              remove | purge)
                rm -f %1$s/pipework*.jsa %1$s/pipework*.jsa.tmp.* %1$s/pipework*.aot %1$s/pipework*.aot.tmp.*
                rmdir %1$s/pipework*.jsa.lock %1$s/pipework*.aot.lock 2>/dev/null || true
                rmdir %1$s 2>/dev/null || true
                rm -rf /usr/lib/pipework/runtime /usr/lib/pipework/runtime.tmp.*
                rmdir /usr/lib/pipework 2>/dev/null || true
                ;;
            esac
            exit 0
            """.formatted(SHARE);
}
