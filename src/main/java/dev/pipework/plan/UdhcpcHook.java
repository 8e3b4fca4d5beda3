package dev.pipework.plan;

import dev.pipework.model.Sha256;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * udhcpc's script ({@link DhcpKeeping#HOOK}) and its arguments files: how they are named, written,
 * mended and cleaned.
 */
public final class UdhcpcHook {
    private UdhcpcHook() {
    }

    /** An arguments file of the hook, as {@link #argumentsFile} names them. */
    public static final Pattern ARGUMENTS_FILE = Pattern.compile("udhcpc-hook(-[0-9a-f]{12})?\\.args");
    /** A file of the hook's staged by one run, before its rename: {@code <file>.new-<the run's pid>}. */
    public static final Pattern STAGED = Pattern.compile(Pattern.quote(DhcpKeeping.HOOK) + "(-[0-9a-f]{12}\\.args)?\\.new-[0-9]{1,10}");

    /** Where the hook's arguments of this content are: {@code udhcpc-hook-<12 hex of their SHA-256>.args}. */
    public static String argumentsFile(String arguments) {
        return DhcpKeeping.DIR + "/udhcpc-hook-" + Sha256.hex(arguments, 6) + ".args";
    }

    /**
     * The hook's files that may go: arguments files the hook does not name and staged files of runs,
     * none changed for {@link DhcpKeeping#LEFTOVER_AGE} (a udhcpc that read the hook before it was
     * replaced has long started its Java by then).
     */
    public static List<String> staleFiles(Map<String, java.time.Instant> files, Optional<String> hook,
                                          java.time.Instant now) {
        List<String> gone = new ArrayList<>();
        files.forEach((name, modified) -> {
            boolean arguments = ARGUMENTS_FILE.matcher(name).matches()
                    && hook.filter(h -> h.contains("@" + DhcpKeeping.DIR + "/" + name + "\n")).isEmpty();
            if ((arguments || STAGED.matcher(DhcpKeeping.DIR + "/" + name).matches())
                    && modified.plus(DhcpKeeping.LEFTOVER_AGE).isBefore(now)) {
                gone.add(name);
            }
        });
        gone.sort(null);
        return gone;
    }

    /**
     * Whether the hook must be written again by a pipework whose Java is at {@code java}: it names a
     * Java that is gone (a JDK removed, or the launcher's runtime made again from a newer one) or an
     * arguments file that is, and {@code java} is there to name instead. A hook that names another
     * Java that is there is left to the pipework that wrote it.
     */
    public static boolean broken(Optional<String> hook, java.util.function.Predicate<String> exists, String java) {
        if (hook.isEmpty() || !exists.test(java)) {
            return false;
        }
        java.util.regex.Matcher m = HOOK_LINE.matcher(hook.get());
        return !m.matches() || !exists.test(m.group(1)) || !exists.test(m.group(2));
    }

    private static final Pattern HOOK_LINE = Pattern.compile("#!(/\\S+) @(" + Pattern.quote(DhcpKeeping.DIR)
            + "/udhcpc-hook-[0-9a-f]{12}\\.args)\n\n?");

    /**
     * udhcpc's hook and its arguments, written when they are not already as this pipework writes
     * them: the arguments first (a file of their own, named by their content), then the hook that
     * names them. Each is staged under a name of this run's ({@code .new-<pid>}) and renamed over the
     * file, so that runs of two pipeworks writing at once each rename a whole file of their own.
     */
    static void steps(MachineView view, List<Step> steps) {
        List<String> self = view.pipeworkCommand();
        // A dry run shows the files without this machine's Java and class path.
        List<String> shown = List.of("java", "-cp", "pipework.jar", "dev.pipework.cli.Main");
        String arguments = DhcpKeeping.hookArguments(self);
        String shownArguments = DhcpKeeping.hookArguments(shown);
        for (String[] f : List.of(
                new String[] {argumentsFile(arguments), arguments, argumentsFile(shownArguments), shownArguments, "0600"},
                new String[] {DhcpKeeping.HOOK, DhcpKeeping.hookText(self), DhcpKeeping.HOOK, DhcpKeeping.hookText(shown),
                        "0700"})) {
            // The file as written ends with the content's newline and the one WriteFile adds.
            if (view.hostFile(f[0]).filter(t -> t.equals(f[1] + "\n")).isEmpty()) {
                String run = ".new-" + view.hostPid();
                steps.add(new KeeperFileSteps.WriteStaged(f[0] + run, f[1], f[2] + run, f[3]));
                steps.add(new KeeperFileSteps.ChangeMode(f[0] + run, f[4], f[2] + run));
                steps.add(new KeeperFileSteps.Rename(f[0] + run, f[0], f[2] + run, f[2]));
            }
        }
    }
}
