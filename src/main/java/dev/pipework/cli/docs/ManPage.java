package dev.pipework.cli.docs;

import dev.pipework.cli.Forms;
import dev.pipework.cli.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders the manual page {@code pipework(1)} in roff (man macros) from the command model: the
 * Syntax lines and the forms of {@code del}, {@code status} and {@code --batch} in SYNOPSIS, the
 * options of each model in OPTIONS, and one example of every form.
 */
public final class ManPage {
    /** Commands in EXAMPLES longer than this are continued on the next line with a backslash. */
    private static final int EXAMPLE_WIDTH = 66;

    private final CommandModel model;
    private final String version;

    ManPage(CommandModel model, String version) {
        this.model = model;
        this.version = version;
    }

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
            synopsis(r, Help.form(sub));
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
        arg(r, "guest", Character.toUpperCase(model.guests.charAt(0)) + model.guests.substring(1) + ". A word is"
                + " looked up in that order: the first runtime that knows it wins.");
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
        for (Forms.Form example : model.forms) {
            r.line(".PP");
            r.text(example.what());
            r.line(".PP");
            r.line(".RS 4");
            r.line(".nf");
            for (String command : example.examples()) {
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
                + " CNI plugin, pipework-guest for status and del of one guest written without options; .aot (AOT"
                + " cache) on Java 25 and later, .jsa (AppCDS archive) on Java 17 to 24."
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
