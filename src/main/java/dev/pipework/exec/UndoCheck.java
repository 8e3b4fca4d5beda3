package dev.pipework.exec;

import dev.pipework.model.InterfaceName;
import dev.pipework.model.IpAddress;
import dev.pipework.model.MacAddress;
import dev.pipework.plan.Command;
import dev.pipework.plan.DhcpKeeping;
import dev.pipework.plan.UdhcpcHook;
import dev.pipework.plan.DhcpSteps;
import dev.pipework.plan.OvsSteps;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What an undo read back from the journal may be: exactly the kinds of commands the planner makes
 * as undos, each word checked. A journal entry is a file, run as root when its owner is gone: an
 * entry that names anything else (another program, a path outside pipework's own, a namespace that
 * is not the run's) is refused whole, never run in part.
 */
final class UndoCheck {
    private static final Pattern DIGITS = Pattern.compile("[1-9][0-9]{0,18}");
    private static final Pattern RECORD = Pattern.compile("/run/pipework/direct/[0-9]+-[A-Za-z0-9_.@-]{1,15}");
    private static final Pattern NETNS_MOUNT = Pattern.compile("/var/run/netns/pipework-[0-9]{1,19}");
    private static final Pattern ETC_NETNS = Pattern.compile("/etc/netns/pipework-[0-9]{1,19}");
    private static final Pattern PHY = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final Pattern CONTAINER_ID = Pattern.compile("[0-9a-f]{12,64}");
    private static final Pattern RUN_TAG = Pattern.compile("[0-9a-f]{1,8}-[0-9a-f]{1,16}");

    private UndoCheck() {
    }

    /** Throws unless the command is one of the undos pipework plans, for this entry's run. */
    static void check(Command command, JournalEntry entry) {
        if (command instanceof Command.Ip ip) {
            String where = ip.where().netnsPath();
            if (!where.isEmpty() && !entry.guest().map(g -> g.pinned().equals(where)).orElse(false)) {
                refuse("an ip undo in a namespace that is not the run's guest's: " + where);
            }
            ipWords(ip.words(), entry, !where.isEmpty());
        } else if (command instanceof Command.Exec exec) {
            execArgv(exec.argv(), entry);
        } else if (command instanceof Command.RemoveLabelled r) {
            // By a run's own label; by the guest's, as entries written before the run's label was.
            boolean ofRun = r.label().equals(DhcpSteps.HelperDhcpClient.LABEL_RUN) && RUN_TAG.matcher(r.value()).matches();
            boolean ofGuest = r.label().equals(DhcpSteps.HelperDhcpClient.LABEL_GUEST)
                    && CONTAINER_ID.matcher(r.value()).matches();
            if (!ofRun && !ofGuest) {
                refuse("a removal of containers labelled " + r.label() + "=" + r.value());
            }
        } else {
            refuse("an undo of a kind pipework never plans");
        }
    }

    private static void ipWords(List<String> w, JournalEntry entry, boolean inGuest) {
        int n = w.size();
        if (n == 4 && w.subList(0, 3).equals(List.of("link", "del", "dev"))) {
            name(w.get(3));
            return;
        }
        if (n == 3 && w.equals(List.of("route", "del", "default"))) {
            return;
        }
        if (n >= 5 && w.subList(0, 3).equals(List.of("route", "replace", "default"))) {
            int i = 3;
            if (w.get(i).equals("via")) {
                address(w.get(i + 1));
                i += 2;
            }
            if (n == i + 2 && w.get(i).equals("dev")) {
                name(w.get(i + 1));
                return;
            }
        }
        if (n == 5 && w.subList(0, 3).equals(List.of("link", "set", "dev")) && List.of("up", "down").contains(w.get(4))) {
            name(w.get(3));
            return;
        }
        if (n == 6 && w.subList(0, 3).equals(List.of("link", "set", "dev"))) {
            name(w.get(3));
            String value = w.get(5);
            switch (w.get(4)) {
                case "name" -> name(value);
                case "alias" -> printable(value);
                case "address" -> MacAddress.parseAny(value);
                case "netns" -> {
                    // Only back to the host, from inside the guest.
                    if (!inGuest || !value.equals(entry.ownerHostNetns())) {
                        refuse("a move of a link to " + value);
                    }
                }
                default -> refuse("ip " + String.join(" ", w));
            }
            return;
        }
        refuse("ip " + printable(String.join(" ", w)));
    }

    private static void execArgv(List<String> argv, JournalEntry entry) {
        // An addition that does not wait for the switch has an undo that does not either.
        List<String> a = OvsSteps.withoutNoWait(argv);
        int n = a.size();
        if (n >= 5 && a.subList(0, 3).equals(List.of("ovs-vsctl", OvsSteps.OVS_TIMEOUT, "--if-exists"))) {
            if (n == 5 && a.get(3).equals("del-br")) {
                name(a.get(4));
                return;
            }
            if (n == 6 && a.get(3).equals("del-port")) {
                name(a.get(4));
                name(a.get(5));
                return;
            }
        }
        if (n == 3 && a.get(0).equals("rm") && a.get(1).equals("-f")
                && (RECORD.matcher(a.get(2)).matches() || NETNS_MOUNT.matcher(a.get(2)).matches()
                || a.get(2).matches(ETC_NETNS.pattern() + "/resolv\\.conf"))) {
            return;
        }
        // A kept DHCP client's files, and the client itself by its pid file (the keeper's, root's alone).
        if (n == 3 && a.get(0).equals("rm") && a.get(1).equals("-f") && (DhcpKeeping.KEPT_FILE.matcher(a.get(2)).matches()
                || UdhcpcHook.STAGED.matcher(a.get(2)).matches())) {
            return;
        }
        if (n == 4 && a.subList(0, 3).equals(List.of("pkill", "-x", "-f")) && DhcpKeeping.pidFileOfPattern(a.get(3)).isPresent()) {
            return;
        }
        // Undos written before the two forms above, read back after an upgrade: the client by its pid
        // file, the hook's files staged under one name for every run.
        if (n == 3 && a.get(0).equals("pkill") && a.get(1).equals("-F") && a.get(2).endsWith(".pid")
                && DhcpKeeping.KEPT_FILE.matcher(a.get(2)).matches()) {
            return;
        }
        if (n == 3 && a.get(0).equals("rm") && a.get(1).equals("-f") && (a.get(2).equals(DhcpKeeping.HOOK + ".new")
                || a.get(2).equals(DhcpKeeping.HOOK + ".args.new"))) {
            return;
        }
        if (n == 3 && a.get(0).equals("rm") && a.get(1).equals("-rf") && ETC_NETNS.matcher(a.get(2)).matches()) {
            return;
        }
        if (n == 2 && a.get(0).equals("umount") && NETNS_MOUNT.matcher(a.get(1)).matches()) {
            return;
        }
        if (n == 8 && a.get(0).equals("nsenter") && entry.guest().isPresent()
                && a.get(1).equals("--net=" + entry.guest().get().pinned())
                && a.subList(2, 4).equals(List.of("iw", "phy")) && PHY.matcher(a.get(4)).matches()
                && a.subList(5, 7).equals(List.of("set", "netns")) && a.get(7).equals(Long.toString(entry.owner().pid()))) {
            return;
        }
        refuse("the command " + printable(String.join(" ", a)));
    }

    static String lockName(String lock) {
        if (lock.startsWith("link-") && InterfaceName.valid(lock.substring(5))) {
            return lock;
        }
        if (lock.startsWith("netns-") && DIGITS.matcher(lock.substring(6)).matches()) {
            return lock;
        }
        return refuse("a lock named " + printable(lock));
    }

    /** A guest's namespace file: absolute, without {@code .} or {@code ..} segments, printable. */
    static String netnsPath(String path) {
        if (path == null || !path.startsWith("/") || path.length() > 4096 || List.of(path.split("/")).contains("..")
                || List.of(path.split("/")).contains(".")) {
            return refuse("a namespace path " + printable(String.valueOf(path)));
        }
        return printable(path);
    }

    /** The descriptor the owner reached the guest through: {@code /proc/<owner>/fd/<n>}. */
    static String pinnedPath(String path, JournalEntry.Owner owner) {
        String prefix = "/proc/" + owner.pid() + "/fd/";
        if (path == null || !path.startsWith(prefix) || !path.substring(prefix.length()).matches("[0-9]{1,9}")) {
            return refuse("a pinned namespace path " + printable(String.valueOf(path)));
        }
        return path;
    }

    private static void name(String name) {
        if (!InterfaceName.valid(name)) {
            refuse("an interface name " + printable(name));
        }
    }

    private static void address(String text) {
        try {
            IpAddress.parse(text);
        } catch (RuntimeException e) {
            refuse("an address " + printable(text));
        }
    }

    /** The text, when it has no control character and is not too long for a message or an alias. */
    static String printable(String text) {
        if (text.length() > 256 || text.chars().anyMatch(c -> c < ' ' || c == 0x7f)) {
            refuse("text with control characters or over 256 characters");
        }
        return text;
    }

    private static <T> T refuse(String what) {
        throw new IllegalArgumentException("not an undo pipework plans: " + what);
    }
}
