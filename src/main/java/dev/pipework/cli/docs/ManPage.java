package dev.pipework.cli.docs;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders the manual page {@code pipework(1)} in roff (man macros) from the command model: the
 * Syntax lines and the forms of {@code del}, {@code status} and {@code --batch} in SYNOPSIS, the
 * options of each model in OPTIONS, and one example of every form.
 */
public final class ManPage {
    /** Commands in EXAMPLES longer than this are continued on the next line with a backslash. */
    private static final int EXAMPLE_WIDTH = 70;

    private final CommandModel model;
    private final String version;

    ManPage(CommandModel model, String version) {
        this.model = model;
        this.version = version;
    }

    /** An example: what it shows, then one or more commands. */
    private record Example(String what, List<String> commands) {
        Example(String what, String... commands) {
            this(what, List.of(commands));
        }
    }

    /** One for every form, in the order of the project's README. */
    private static final List<Example> EXAMPLES = List.of(
            new Example("Linux bridge: br1 is used, or created when missing and its name starts with br; the veth"
                    + " veth1pl<pid> joins the bridge, its peer is eth1 in the container.",
                    "pipework br1 web 192.168.1.10/24"),
            new Example("Gateway: the default route of the container is replaced through 192.168.1.1; a gateway"
                    + " outside the subnet first gets an on-link host route.",
                    "pipework br1 web 192.168.1.10/24@192.168.1.1"),
            new Example("Container interface: the interface in the container is eth2 (host side veth2pl<pid>).",
                    "pipework br1 -i eth2 web 10.0.2.10/24"),
            new Example("Host interface name: the host side of the veth is hostapp1.",
                    "pipework br1 -i eth2 -l hostapp1 web 10.0.2.10/24"),
            new Example("IPv6: -a 6 or -a inet6; without -a the family is taken from the address.",
                    "pipework br1 -a 6 web fd00:1::10/64@fd00:1::1"),
            new Example("No address: the interface is plumbed and up, without an address.",
                    "pipework br1 web 0/0"),
            new Example("MAC address of the container interface.",
                    "pipework br1 web 10.0.0.5/24 26:2e:71:98:60:8f"),
            new Example("MAC address from a name: 02: and the first five bytes of the MD5 of the text and a"
                    + " newline, here 02:72:6c:cd:9b:8d.",
                    "pipework br1 web 10.0.0.5/24 U:myhost.foo.com"),
            new Example("Open vSwitch: ovs0 is used, or created when missing and its name starts with ovs.",
                    "pipework ovs0 web 192.168.0.1/24"),
            new Example("VLAN on Open vSwitch: the port gets tag=100; MAC@100 sets both.",
                    "pipework ovs0 test1 192.168.0.1/24 @100"),
            new Example("Host interface by MAC: the host interface whose MAC address this is.",
                    "pipework mac:52:54:00:12:34:56 web 10.0.0.5/24"),
            new Example("Routes: the rest goes to ip route inside the guest; its output and exit status are the"
                    + " command's.",
                    "pipework route web add 10.0.5.0/24 via 192.168.1.254"),
            new Example("Rules: likewise for ip rule.",
                    "pipework rule web add from 172.19.0.2/32 table 1"),
            new Example("Traffic control: likewise for tc.",
                    "pipework tc web qdisc add dev eth1 root tbf rate 1mbit burst 32kbit latency 400ms"),
            new Example("Wait, inside a container, until eth1 exists, has carrier and is up; exit status 1 when it"
                    + " does not within 30 seconds.",
                    "pipework --wait -i eth1 --timeout 30"),
            new Example("Physical NIC: a macvlan in bridge mode, ph<pid><cif> (cut to 15 characters), with the"
                    + " NIC's MTU, moved into the container and renamed.",
                    "pipework eth2 web 50.19.169.157/24"),
            new Example("VLAN on a NIC: the 802.1Q sub-interface eth2.100 (made when missing) is the macvlan's"
                    + " parent; an eth2.100 that is not VLAN 100 is refused.",
                    "pipework eth2 web 10.100.0.5/24 @100"),
            new Example("The NIC itself moves into the container and is renamed; a wireless NIC moves with iw.",
                    "pipework --direct-phys eth1 web 192.168.1.2/24"),
            new Example("The NIC whose MAC address this is.",
                    "pipework --direct-phys mac:00:f3:15:4a:42:c8 -i container0 web 0/0"),
            new Example("Dummy: a dummy interface du<pid><cif>.",
                    "pipework dummy web 192.168.21.101/24@192.168.21.1"),
            new Example("IPoIB: a child ib0.<pid> (ib0.8001.<pid> with pkey 0x8001); the container interface"
                    + " defaults to ib0.",
                    "pipework ib0 web 10.10.0.2/24", "pipework ib0 web 10.10.0.2/24 @8001"),
            new Example("DHCP with busybox udhcpc in a helper container that shares the guest's network; it returns"
                    + " once the lease is applied; -f keeps the helper running to renew.",
                    "pipework br1 web dhcp", "pipework br1 web dhcp:-f"),
            new Example("DHCP with a client of the host, run in the guest's namespace (udhcpc, dhclient or dhcpcd;"
                    + " -f keeps it running, :ARGS are its arguments).",
                    "pipework br1 web udhcpc", "pipework br1 web dhclient-f:-v"),
            new Example("The same MAC address every time, so the same lease.",
                    "pipework eth0 web dhcp U:web.example.com"),
            new Example("Several addresses on one interface, each with its own gateway, at most one per family:"
                    + " IPv4 and IPv6 together.",
                    "pipework br1 web 10.0.0.5/24@10.0.0.1,fd00::5/64@fd00::1"),
            new Example("The MTU of the new interface (both ends of a veth; a macvlan at most its parent's).",
                    "pipework --mtu 1400 br1 web 10.0.0.5/24"),
            new Example("The mode of a macvlan on a NIC: bridge (the default), private, vepa or passthru.",
                    "pipework --macvlan-mode private eth2 web 10.0.2.5/24"),
            new Example("A macvlan on the host over the NIC, with an address, so that the host reaches the NIC's"
                    + " macvlan guests (kept when it is there already); and its removal.",
                    "pipework shim eth2 10.0.2.250/24", "pipework del shim eth2"),
            new Example("Remove what attaches made in a guest: eth1, another interface, or all of them.",
                    "pipework del web", "pipework del -i eth2 web", "pipework del --all web"),
            new Example("Every attachment, one line each, from the live kernel and Open vSwitch state; or those of"
                    + " one guest, as JSON.",
                    "pipework status", "pipework status web --json"),
            new Example("Attach once what running containers declare (labels pipework and pipework.<suffix>, whose"
                    + " value is an attach's words without the guest; lines of /etc/pipework/attachments, in the"
                    + " --batch syntax with the guest named) and do not have. What is in place as declared is left"
                    + " alone; what is in place but different is reported, exit status 1.",
                    "docker run -d --net=none --label pipework='br1 192.168.1.10/24@192.168.1.1' busybox sleep 1d",
                    "pipework apply", "pipework apply --dry-run"),
            new Example("Apply, then keep the declarations: follow the Docker engine's events; a container that"
                    + " starts gets its interfaces, one that stops loses its Open vSwitch ports and DHCP clients."
                    + " The systemd unit pipework-watch.service runs it.",
                    "pipework watch", "pipework watch -v --config /srv/attachments"),
            new Example("Many invocations in one process, one per line of a file, or of standard input.",
                    "pipework --batch attach.list", "pipework --batch - < attach.list"),
            new Example("The result of an attach as a JSON document.",
                    "pipework --json br1 web 10.0.0.5/24@10.0.0.1"),
            new Example("Dry run: print the commands, change nothing; also for del and --batch.",
                    "pipework --dry-run br1 web 192.168.1.10/24"),
            new Example("Verbose: each command and its result on standard error.",
                    "pipework -v br1 web 192.168.1.10/24"));

    /** The page, ready for {@code man -l}. */
    public String render() {
        Roff r = new Roff();
        r.line(".\\\" Generated from the command model of pipework " + version + "; do not edit.");
        // No hyphenation: names and addresses must read as typed. HY is read by the man macros' paragraphs.
        r.line(".nr HY 0");
        r.line(".TH PIPEWORK 1 \"\" \"pipework " + version + "\" \"User Commands\"");
        r.line(".nh");
        r.line(".ad l");

        r.line(".SH NAME");
        r.line("pipework \\- plumb an extra network interface into a running container");

        r.line(".SH SYNOPSIS");
        for (String form : model.syntaxForms()) {
            synopsis(r, form);
        }
        for (CommandSpec sub : model.subcommands()) {
            synopsis(r, form(sub));
        }
        synopsis(r, "pipework --batch file [--dry-run] [-v]");
        synopsis(r, "pipework -h | --help | --version");

        r.line(".SH DESCRIPTION");
        r.text(description(model.attach) + " A veth pair goes into a Linux bridge or an Open vSwitch bridge"
                + " (with a VLAN tag), with an address, a MAC address and a default gateway. It is a drop-in"
                + " replacement for the pipework shell script: the same command line, the same exit statuses, the"
                + " same interface names, the same Open vSwitch external-ids.");
        r.line(".PP");
        r.text("Every value is checked before anything changes; when a command fails midway, what the run did is"
                + " undone in reverse order and the first error is reported. Runs on the same bridge or the same"
                + " guest are serialised. The guest's network namespace is held open for the whole run, and a"
                + " container is checked to be still the same before anything moves into it.");
        r.line(".PP");
        r.text("Options may stand anywhere before the guest, in any order.");
        r.line(".SS Arguments");
        arg(r, "hostinterface", "A Linux bridge (created when missing and its name starts with br), an Open vSwitch"
                + " bridge (created when missing and its name starts with ovs), a physical NIC (a macvlan on it,"
                + " or the NIC itself with --direct-phys), dummy, an InfiniBand interface (IPoIB), or mac:MAC for"
                + " the host interface with that MAC address.");
        arg(r, "guest", "An LXC container name, a Docker or podman (rootful) container name or ID, a named"
                + " network namespace (ip netns), a PID, or the path of a network namespace file. A name is looked"
                + " up in that order: the first runtime that knows it wins.");
        arg(r, "ipaddr/subnet[@default_gateway]", "The address of the container interface; 0/0 for none. With a"
                + " gateway, the default route of the guest is replaced through it.");
        arg(r, "dhcp[:options], udhcpc, dhclient, dhcpcd", "An address by DHCP instead: busybox udhcpc in a helper"
                + " container, or that client of the host in the guest's namespace; -f after the name keeps the"
                + " client running, :ARGS gives it arguments.");
        arg(r, "[macaddr][@vlan]", "The MAC address of the container interface (U:text derives one from the"
                + " text), and the VLAN tag of an Open vSwitch port.");
        arg(r, "route_command, rule_command, tc_command", "The rest of the line, given to ip route, ip rule or tc"
                + " inside the guest.");
        for (CommandSpec sub : model.subcommands()) {
            arg(r, sub.name(), description(sub));
        }

        r.line(".SH OPTIONS");
        options(r, model.attach);
        for (CommandSpec sub : model.subcommands()) {
            r.line(".SS \"Options of " + sub.name() + "\"");
            options(r, sub);
        }

        r.line(".SH EXAMPLES");
        for (Example example : EXAMPLES) {
            r.line(".PP");
            r.text(example.what());
            r.line(".PP");
            r.line(".RS 4");
            r.line(".nf");
            for (String command : example.commands()) {
                for (String line : wrapCommand(command)) {
                    r.text(line);
                }
            }
            r.line(".fi");
            r.line(".RE");
        }

        r.line(".SH EXIT STATUS");
        r.text("0 on success, also for --help and --version. 1 for any refusal: a usage error (the Syntax lines"
                + " are printed), a value that does not validate, a guest or interface not found, not root; as the"
                + " original. Otherwise the exit status of the command that failed, after what the run did has"
                + " been undone. route, rule and tc exit with the status of their command; --batch exits 1 when"
                + " any line failed; --wait --timeout exits 1 when the interface is not up in time.");

        r.line(".SH ENVIRONMENT");
        env(r, "PIPEWORK_JAR", "The jar to run, instead of the one installed beside the launcher.");
        env(r, "PIPEWORK_JAVA, JAVA, JAVA_HOME", "The Java runtime that runs it: PIPEWORK_JAVA (or JAVA), else"
                + " JAVA_HOME/bin/java, else the newest JDK of 17 or later under /usr/lib/jvm (PIPEWORK_JVM_DIR) or the"
                + " runtime linked from it, else java on PATH.");
        env(r, "PIPEWORK_RUNTIME", "Where the runtime linked from the newest JDK is, instead of lib/pipework/runtime"
                + " beside the launcher's directory.");
        env(r, "PIPEWORK_CDS", "off: neither use nor make the start-up caches; create: link the runtime (beside an installed"
                + " launcher) and make the caches now, then exit.");
        env(r, "DOCKER_HOST", "A unix:// address of the Docker Engine socket.");

        r.line(".SH FILES");
        file(r, "/usr/share/pipework/pipework.jar", "The program. The launcher looks for it in share/pipework"
                + " beside its own bin directory (/usr/local/share/pipework when installed under /usr/local).");
        file(r, "/usr/share/pipework/pipework.aot", "Start-up caches beside the jar: pipework for the"
                + " original's plain form, pipework-commands for every other command line, pipework-cni for the"
                + " CNI plugin; .aot (AOT cache) on Java 25 and later, .jsa (AppCDS archive) on Java 17 to 24."
                + " Made on installation, or by a run that may write there when its cache is missing or older than"
                + " the jar. A cache that does not fit the jar or the Java runtime is ignored.");
        file(r, "/usr/lib/pipework/runtime/", "A Java runtime of java.base linked from the newest JDK (jlink), made"
                + " with the start-up caches; run in that JDK's place while the JDK is of the build it was linked from.");
        file(r, "/run/lock/pipework/", "Locks that serialise runs per host interface and per guest.");
        file(r, "/var/run/docker.sock", "The Docker Engine API, through which Docker containers are found (the"
                + " docker command is the fallback).");
        file(r, "/var/run/netns/", "Named network namespaces, as made by ip netns add.");
        file(r, "/sys/class/net/", "The host's network interfaces.");

        r.line(".SH SEE ALSO");
        r.line(String.join(",\n", List.of(
                ".BR ip (8)", ".BR ip\\-link (8)", ".BR ip\\-netns (8)", ".BR ip\\-route (8)", ".BR ip\\-rule (8)",
                ".BR tc (8)", ".BR nsenter (1)", ".BR ovs\\-vsctl (8)", ".BR docker (1)", ".BR arping (8)")));
        return r.toString();
    }

    private static String description(CommandSpec spec) {
        return String.join(" ", spec.usageMessage().description());
    }

    /** {@code pipework del <guest> [-i containerinterface] [--all] ...}, from the model of a sub-command. */
    static String form(CommandSpec spec) {
        StringBuilder b = new StringBuilder("pipework ").append(spec.name());
        for (PositionalParamSpec p : spec.positionalParameters()) {
            String label = "<" + p.paramLabel().replaceAll("^<|>$", "") + ">";
            b.append(' ').append(p.arity().min() == 0 ? "[" + label + "]" : label);
        }
        for (OptionSpec o : spec.options()) {
            if (o.hidden() || o.usageHelp() || o.versionHelp()) {
                continue;
            }
            b.append(" [").append(o.shortestName());
            if (CommandModel.takesValue(o)) {
                b.append(' ').append(o.paramLabel());
            }
            b.append(']');
        }
        return b.toString();
    }

    private static void synopsis(Roff r, String form) {
        String[] parts = form.split(" ", 2);
        r.line(".SY " + parts[0]);
        if (parts.length > 1) {
            r.text(parts[1]);
        }
        r.line(".YS");
    }

    private static void options(Roff r, CommandSpec spec) {
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            List<String> names = new ArrayList<>();
            for (String name : o.names()) {
                names.add("\\fB" + Roff.escape(name) + "\\fR");
            }
            String head = String.join(", ", names);
            if (CommandModel.takesValue(o)) {
                head += " \\fI" + Roff.escape(o.paramLabel()) + "\\fR";
            }
            r.line(".TP");
            r.line(head);
            r.text(String.join(" ", o.description()));
        }
    }

    private static void arg(Roff r, String name, String what) {
        r.line(".TP");
        r.line("\\fI" + Roff.escape(name) + "\\fR");
        r.text(what);
    }

    private static void env(Roff r, String name, String what) {
        r.line(".TP");
        r.line("\\fB" + Roff.escape(name) + "\\fR");
        r.text(what);
    }

    private static void file(Roff r, String path, String what) {
        r.line(".TP");
        r.line("\\fI" + Roff.escape(path) + "\\fR");
        r.text(what);
    }

    /** Splits a long command at spaces into lines continued by a backslash. */
    static List<String> wrapCommand(String command) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : command.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > EXAMPLE_WIDTH) {
                lines.add(line + " \\");
                line = new StringBuilder("    ");
            } else if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    /** Builds roff source: requests as given, text escaped. */
    static final class Roff {
        private final StringBuilder out = new StringBuilder();

        void line(String request) {
            out.append(request).append('\n');
        }

        void text(String text) {
            for (String line : text.split("\n", -1)) {
                String escaped = escape(line);
                if (escaped.startsWith(".") || escaped.startsWith("'")) {
                    escaped = "\\&" + escaped;
                }
                out.append(escaped).append('\n');
            }
        }

        /** Backslashes and minus signs, which roff would otherwise read as escapes and hyphens. */
        static String escape(String text) {
            return text.replace("\\", "\\e").replace("-", "\\-");
        }

        @Override
        public String toString() {
            return out.toString();
        }
    }
}
