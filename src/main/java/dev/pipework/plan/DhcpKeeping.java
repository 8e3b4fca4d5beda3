package dev.pipework.plan;

import dev.pipework.model.Guest;
import dev.pipework.model.MacAddress;
import dev.pipework.model.Sha256;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The lease keeper's names and records. Every client the keeper keeps has a key,
 * {@code <identity>-<interface>-v4} (or {@code -v6}), and four files of that key under
 * {@link #DIR}, a directory only root can write: the keeper's record ({@code .record}), the client's
 * pid file ({@code .pid}), its lease file ({@code .leases}) and, for dhclient, its configuration
 * ({@code .conf}). The identity is made from the guest's name, or from the MAC given on the
 * command line ({@code U:...}): the same container gets the same key, client ID and lease file
 * after a restart, so the server gives it the same address back.
 */
public final class DhcpKeeping {
    public static final String DIR = "/var/lib/pipework/dhcp";
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{16}-[A-Za-z0-9_.:@-]{1,15}-v[46]");
    /** A file of the keeper's for one kept client, as {@link Kept} names them (and nothing else). */
    public static final Pattern KEPT_FILE = Pattern.compile(Pattern.quote(DIR) + "/" + KEY.pattern()
            + "\\.(record|pid|leases|conf|leases\\.new)");
    /**
     * udhcpc's script: an executable of root's alone whose first line has the kernel start this
     * pipework's Java with its arguments file ({@code #!<java> @<args file>}), so that no shell is
     * written or run; it records the lease and then runs udhcpc's own script. The arguments file is
     * named by its content ({@link UdhcpcHook#argumentsFile}), so the hook, replaced in one rename, always
     * names arguments written for it, whoever wrote last.
     */
    public static final String HOOK = DIR + "/udhcpc-hook";
    /** The word the hook's arguments end with: {@code pipework udhcpc-event <hook> <udhcpc's action>}. */
    public static final String HOOK_WORD = "udhcpc-event";
    /** The variable, set on udhcpc and passed by it to its script, naming the kept client's key. */
    public static final String KEY_VARIABLE = "PIPEWORK_DHCP_KEY";
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9_./:-]{1,253}");
    private static final int MAX_OPTIONS = 32;

    private DhcpKeeping() {
    }

    /**
     * Stops the kept client of this pid file: {@code pkill -x -f} with {@link #clientPattern}. A client
     * still asking for its first lease has not written its pid file yet (dhclient writes it once it
     * goes to the background), so a run killed meanwhile can only find it by its command line,
     * which names that pid file. pkill exits 1 when none matched: the client has gone already.
     */
    public static Command stopClient(String client, String pidFile) {
        return new Command.Exec(List.of("pkill", "-x", "-f", clientPattern(client, pidFile)), java.util.Set.of(0, 1),
                Optional.empty());
    }

    /**
     * The command line of a kept client with this pid file, as an extended regular expression of
     * the whole line ({@code pkill -x} anchors it): the client (by any path), then its words, one of
     * which is the pid file's option and the file.
     */
    public static String clientPattern(String client, String pidFile) {
        String option = client.equals("udhcpc") ? "-p" : "-pf";
        return "([^ ]*/)?" + client + " (.* )?" + option + " " + pidFile.replace(".", "\\.") + "( .*)?";
    }

    /** The pid file a {@link #clientPattern} names, when the text is exactly one (of a kept client's pid file). */
    public static Optional<String> pidFileOfPattern(String pattern) {
        for (String client : List.of("udhcpc", "dhclient")) {
            String tail = "( .*)?";
            String head = clientPattern(client, "").replace(tail, "");
            if (pattern.startsWith(head) && pattern.endsWith(tail) && pattern.length() > head.length() + tail.length()) {
                String file = pattern.substring(head.length(), pattern.length() - tail.length()).replace("\\.", ".");
                if (KEPT_FILE.matcher(file).matches() && file.endsWith(".pid") && clientPattern(client, file).equals(pattern)) {
                    return Optional.of(file);
                }
            }
        }
        return Optional.empty();
    }

    public static boolean validKey(String key) {
        return key != null && KEY.matcher(key).matches();
    }

    /** The hook's first line, from the command that runs this pipework (its Java first). */
    public static String hookText(List<String> pipework) {
        return "#!" + pipework.get(0) + " @" + UdhcpcHook.argumentsFile(hookArguments(pipework)) + "\n";
    }

    /**
     * The hook's Java arguments ({@code java @file}: one a line, each quoted), from the command that
     * runs this pipework: no performance data file (the hook runs at each renewal), the entry point
     * and {@link #HOOK_WORD}.
     */
    public static String hookArguments(List<String> pipework) {
        StringBuilder b = new StringBuilder("-XX:-UsePerfData\n");
        for (String a : pipework.subList(1, pipework.size())) {
            b.append('"').append(a.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
        }
        return b.append(HOOK_WORD).append('\n').toString();
    }

    /**
     * What the hook records of udhcpc's {@code bound} or {@code renew}: the address, the server and
     * the expiry from the variables udhcpc sets ({@code ip}, {@code serverid}, {@code lease}, in
     * seconds). They came from the network: each is checked, and without a valid address nothing is
     * recorded.
     */
    public static Optional<String> udhcpcLease(Map<String, String> env, java.time.Instant now) {
        Optional<String> address = Optional.ofNullable(env.get("ip")).flatMap(DhcpKeeping::checked);
        if (address.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder t = new StringBuilder("address=").append(address.get()).append('\n');
        Optional.ofNullable(env.get("serverid")).flatMap(DhcpKeeping::checked)
                .ifPresent(s -> t.append("server=").append(s).append('\n'));
        String lease = env.get("lease");
        if (lease != null && lease.matches("\\d{1,9}")) {
            t.append("expires=").append(now.plusSeconds(Long.parseLong(lease)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                    .append('\n');
        }
        return Optional.of(t.toString());
    }

    /** The lease the hook recorded for a udhcpc (its file is root's, its values checked again). */
    public static Optional<Lease> udhcpcLeaseOf(String key, String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.putIfAbsent(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        Optional<String> address = Optional.ofNullable(m.get("address")).flatMap(DhcpKeeping::checked);
        Optional<String> expires = Optional.ofNullable(m.get("expires"))
                .filter(e -> e.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));
        return address.map(a -> new Lease(key, "udhcpc", Optional.of(a),
                Optional.ofNullable(m.get("server")).flatMap(DhcpKeeping::checked), expires));
    }

    /**
     * How long the files of a client nobody keeps any more stay untouched before they may go: longer
     * than the longest first try (3600 s), so that an attach under way, whose configuration and pid
     * file are written as it starts and whose record comes once it has its lease, is never taken for
     * one.
     */
    public static final java.time.Duration LEFTOVER_AGE = java.time.Duration.ofHours(2);

    /**
     * The files of clients that no record keeps any more (their guest went for good: the keeper
     * forgot its client and left the lease file for the container's return) that may go now: those of
     * a key without a record, none of whose files changed for {@link #LEFTOVER_AGE}, whose lease
     * expired or which hold none. A key with a record is never touched.
     *
     * @param files    the directory's file names, with when each was last modified
     * @param leaseOf  the lease a client's lease file holds, by key (read only for a key that may go)
     */
    public static List<String> leftovers(Map<String, java.time.Instant> files,
                                         java.util.function.Function<String, Optional<Lease>> leaseOf,
                                         java.time.Instant now) {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        Map<String, java.time.Instant> newest = new LinkedHashMap<>();
        for (Map.Entry<String, java.time.Instant> f : files.entrySet()) {
            java.util.regex.Matcher m = LEFTOVER.matcher(f.getKey());
            if (m.matches()) {
                byKey.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(f.getKey());
                newest.merge(m.group(1), f.getValue(), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        List<String> gone = new ArrayList<>();
        byKey.forEach((key, names) -> {
            boolean recorded = names.contains(key + ".record");
            boolean quiet = newest.get(key).plus(LEFTOVER_AGE).isBefore(now);
            // No lease, or one without an expiry, holds nothing to wait for.
            if (!recorded && quiet && leaseOf.apply(key).flatMap(Lease::expires)
                    .map(e -> java.time.Instant.parse(e).isBefore(now)).orElse(true)) {
                gone.addAll(names);
            }
        });
        gone.sort(null);
        return gone;
    }

    private static final Pattern LEFTOVER = Pattern.compile("(" + KEY.pattern() + ")\\.(record|pid|leases|conf|leases\\.new|pid\\.release)");

    /** The identity of a guest's leases: a hash of its name, or of the MAC asked for. */
    public static String identity(Guest guest, Optional<MacAddress> mac) {
        return mac.map(DhcpKeeping::identityOfMac).orElse(identityOfName(guest.displayName()));
    }

    /** The identity of the leases of a guest of this name (a container named so has the same). */
    public static String identityOfName(String name) {
        return identity("name:" + name);
    }

    /** The identity of the leases of an interface given this MAC. */
    public static String identityOfMac(MacAddress mac) {
        return identity("mac:" + mac.text());
    }

    private static String identity(String source) {
        return Sha256.hex(source, 8);
    }

    /**
     * One client kept for one interface of one guest.
     *
     * @param client   {@code udhcpc} or {@code dhclient}
     * @param family   4, or 6 for DHCPv6 ({@code dhclient -6})
     * @param hostname the DHCP hostname (the guest as named, as in the original)
     * @param netnsFile the guest's namespace file as resolved ({@code /proc/<pid>/ns/net}, {@code /var/run/netns/<name>}):
     *                  while it is the namespace {@code netnsInode}, the guest is there
     * @param timeout  how long a lease may take, in seconds
     */
    public record Kept(String key, String client, int family, String iface, String hostname, List<String> options,
                       String netnsFile, long netnsInode, int timeout) {
        public Kept {
            options = List.copyOf(options);
            if (!KEY.matcher(key).matches() || !(client.equals("udhcpc") || client.equals("dhclient"))
                    || !(family == 4 || family == 6) || (family == 6 && !client.equals("dhclient"))
                    || !key.endsWith("-" + iface + "-v" + family) || !HOSTNAME.matcher(hostname).matches()
                    || options.size() > MAX_OPTIONS || options.stream().anyMatch(o -> o.isEmpty() || o.length() > 256
                    || o.chars().anyMatch(c -> c < 0x20)) || !netnsFile.startsWith("/") || netnsFile.contains("/../") || netnsFile.length() > 255
                    || netnsFile.chars().anyMatch(c -> c < 0x20) || netnsInode <= 0
                    || timeout < 1 || timeout > 3600) {
                throw new IllegalArgumentException("not a valid record of a kept DHCP client");
            }
        }

        public static String key(String identity, String iface, int family) {
            return identity + "-" + iface + "-v" + family;
        }

        public String recordFile() {
            return DIR + "/" + key + ".record";
        }

        public String pidFile() {
            return DIR + "/" + key + ".pid";
        }

        public String leaseFile() {
            return DIR + "/" + key + ".leases";
        }

        public String configFile() {
            return DIR + "/" + key + ".conf";
        }

        /** The client ID sent (option 61): type 0 and the text {@code pipework-<identity>}. */
        public String clientIdHex() {
            String identity = key.substring(0, 16);
            return "00" + HexFormat.of().formatHex(("pipework-" + identity).getBytes(StandardCharsets.US_ASCII));
        }

        /**
         * The client's arguments. udhcpc without {@code -q} goes to the background once it has its
         * lease and renews it; {@code -n} makes it exit 1 when there is none after its tries; {@code -R}
         * releases the lease when it is stopped. dhclient with {@code -1} exits when the first try
         * fails, and otherwise goes to the background and renews.
         */
        public List<String> arguments() {
            return arguments(false);
        }

        /**
         * @param again started again by the keeper: no first try that fails; the client goes to the
         *              background at once if it has no lease and goes on asking (dhclient without
         *              {@code -1}, udhcpc with {@code -b}), first for the address its lease file holds
         */
        public List<String> arguments(boolean again) {
            List<String> args = new ArrayList<>();
            if (client.equals("udhcpc")) {
                args.addAll(List.of("-i", iface, "-x", "hostname:" + hostname, "-x", "0x3d:" + clientIdHex(),
                        "-p", pidFile(), again ? "-b" : "-n", "-t", Integer.toString(Math.max(1, (timeout + 2) / 3)),
                        "-T", "3", "-R", "-s", HOOK));
            } else {
                if (family == 6) {
                    args.add("-6");
                }
                if (!again) {
                    args.add("-1");
                }
                args.addAll(List.of("-pf", pidFile(), "-lf", leaseFile(), "-cf", configFile(), iface));
            }
            args.addAll(options);
            return args;
        }

        /**
         * dhclient's configuration: the hostname, the client ID (DHCPv4) or the DUID (DHCPv6, a
         * DUID-UUID made from the identity), the first try's length.
         */
        public String configuration() {
            StringBuilder c = new StringBuilder();
            c.append("timeout ").append(timeout).append(";\n");
            c.append("send host-name \"").append(hostname).append("\";\n");
            String id = key.substring(0, 16);
            if (family == 4) {
                c.append("send dhcp-client-identifier ").append(colons(clientIdHex())).append(";\n");
                c.append("request subnet-mask, broadcast-address, routers, domain-name, domain-name-servers, interface-mtu;\n");
            } else {
                c.append("send dhcp6.client-id ").append(colons("0004" + id + id)).append(";\n");
                c.append("request dhcp6.name-servers, dhcp6.domain-search;\n");
            }
            return c.toString();
        }

        /** The record as written: one {@code name=value} a line, an {@code option=} line per option. */
        public String text() {
            StringBuilder t = new StringBuilder();
            t.append("key=").append(key).append('\n').append("client=").append(client).append('\n')
                    .append("family=").append(family).append('\n').append("interface=").append(iface).append('\n')
                    .append("hostname=").append(hostname).append('\n').append("netnsFile=").append(netnsFile).append('\n')
                    .append("netns=").append(netnsInode).append('\n').append("timeout=").append(timeout);
            options.forEach(o -> t.append('\n').append("option=").append(o));
            return t.toString();
        }

        /** A record as read back; anything that does not validate is no record. */
        public static Optional<Kept> parse(String text) {
            try {
                Map<String, String> m = new LinkedHashMap<>();
                List<String> options = new ArrayList<>();
                for (String line : text.split("\n")) {
                    int eq = line.indexOf('=');
                    if (eq <= 0) {
                        continue;
                    }
                    String name = line.substring(0, eq);
                    String value = line.substring(eq + 1);
                    if (name.equals("option")) {
                        options.add(value);
                    } else if (m.putIfAbsent(name, value) != null) {
                        return Optional.empty();
                    }
                }
                return Optional.of(new Kept(m.get("key"), m.get("client"), Integer.parseInt(m.get("family")),
                        m.get("interface"), m.get("hostname"), options, m.get("netnsFile"),
                        Long.parseLong(m.get("netns")), Integer.parseInt(m.get("timeout"))));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }

        private static String colons(String hex) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < hex.length(); i += 2) {
                if (i > 0) {
                    s.append(':');
                }
                s.append(hex, i, i + 2);
            }
            return s.toString();
        }
    }

    /** The DHCP hostname: the guest as named when it is a plain name, else {@code pipework}. */
    public static String hostname(String token) {
        if (!HOSTNAME.matcher(token).matches()) {
            return "pipework";
        }
        // A runtime's 64-digit container ID (CNI): its 12-digit short form, within a DNS label.
        return token.length() > 63 ? token.substring(0, 12) : token;
    }

    private static final Pattern EXPIRE = Pattern.compile("[0-6] \\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}");
    private static final Pattern DUID = Pattern.compile("[0-9a-fA-F:\"\\\\]{1,200}");

    /**
     * The last lease of a dhclient lease file ({@code lease { ... }} or {@code lease6 { ... }}).
     * The file is the client's, but what it holds came from the network: each value is checked, and
     * a value that does not check is left out.
     */
    public static Optional<Lease> lastLease(String key, String text) {
        int at = Math.max(text.lastIndexOf("lease {"), text.lastIndexOf("lease6 {"));
        if (at < 0) {
            return Optional.empty();
        }
        Optional<String> address = Optional.empty();
        Optional<String> server = Optional.empty();
        Optional<String> expires = Optional.empty();
        long starts = -1;
        for (String raw : text.substring(at).split("\n")) {
            String line = raw.strip();
            if (line.endsWith(";")) {
                line = line.substring(0, line.length() - 1);
            }
            String[] w = line.split("\\s+");
            if (w.length == 2 && w[0].equals("fixed-address")) {
                address = checked(w[1]);
            } else if (w.length == 3 && w[0].equals("iaaddr")) {
                address = checked(w[1]);
            } else if (w.length == 3 && w[1].equals("dhcp-server-identifier")) {
                server = checked(w[2]);
            } else if (w.length == 3 && w[1].equals("dhcp6.server-id") && DUID.matcher(w[2]).matches()) {
                server = Optional.of(w[2].replace("\"", ""));
            } else if (line.startsWith("expire ") && EXPIRE.matcher(line.substring(7)).matches()) {
                String[] d = line.substring(9).split("[/ :]");
                expires = Optional.of(d[0] + "-" + d[1] + "-" + d[2] + "T" + d[3] + ":" + d[4] + ":" + d[5] + "Z");
            } else if (w.length == 2 && w[0].equals("starts") && w[1].matches("\\d{1,12}")) {
                starts = Long.parseLong(w[1]);
            } else if (w.length == 2 && w[0].equals("max-life") && w[1].matches("\\d{1,10}") && starts >= 0) {
                expires = Optional.of(java.time.Instant.ofEpochSecond(starts + Long.parseLong(w[1])).toString());
            }
        }
        Optional<String> server6 = server;
        Optional<String> expires6 = expires;
        return address.map(a -> new Lease(key, "dhclient", Optional.of(a), server6, expires6));
    }

    private static Optional<String> checked(String address) {
        try {
            return Optional.of(dev.pipework.model.IpAddress.parse("address", address, address).toString());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * A lease as its client's lease file shows it (input the guest's server chose: checked).
     *
     * @param expires when it expires (UTC, {@code 2026-12-04T16:10:00Z}), or empty
     */
    public record Lease(String key, String client, Optional<String> address, Optional<String> server,
                        Optional<String> expires) {
    }
}
