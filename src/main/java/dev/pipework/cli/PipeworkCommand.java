package dev.pipework.cli;

import dev.pipework.model.Family;
import dev.pipework.model.InterfaceName;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.MacvlanMode;
import dev.pipework.model.Mtu;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line model. The original reads its arguments by position; options may stand
 * anywhere before the guest here, in any order, and the positional words are read as the original
 * reads them by {@link RequestParser}.
 */
@Command(name = "pipework", mixinStandardHelpOptions = false, usageHelpAutoWidth = true,
        description = "Plumbs an extra network interface into a running container.")
final class PipeworkCommand {

    @Option(names = "-i", paramLabel = "containerinterface", converter = ContainerInterface.class,
            description = "name of the interface in the guest (default eth1)")
    String containerInterface;

    @Option(names = "-l", paramLabel = "localinterfacename", converter = LocalInterface.class,
            description = "name of the host side of the link (default v<cif>pl<pid>)")
    String localInterface;

    @Option(names = "-a", paramLabel = "addressfamily", converter = FamilyConverter.class, completionCandidates = Families.class,
            description = "4, 6, inet or inet6")
    Family family;

    @Options.NotDeclarable
    @Option(names = "--wait", description = "wait until the container interface is up")
    boolean waitForInterface;

    @Options.NotDeclarable
    @Option(names = "--timeout", paramLabel = "seconds", converter = Seconds.class,
            description = "with --wait: give up after this long (exit 1); with a DHCP form: how long the first lease"
                    + " may take (default 60)")
    Double timeoutSeconds;

    @Option(names = "--mtu", paramLabel = "bytes", converter = MtuConverter.class,
            description = "MTU of the new interface (68-65535; default: the host interface's)")
    Mtu mtu;

    @Option(names = "--macvlan-mode", paramLabel = "mode", converter = MacvlanModeConverter.class,
            completionCandidates = MacvlanModes.class,
            description = "bridge (default), private, vepa or passthru, for a macvlan on a NIC")
    MacvlanMode macvlanMode;

    @Option(names = "--direct-phys", description = "move the physical interface itself into the guest")
    boolean directPhys;

    @Mixin
    Options.DryRun dryRun = new Options.DryRun();

    @Mixin
    Options.Output output = new Options.Output();

    @Options.NotDeclarable
    @Option(names = "--batch", paramLabel = "file", description = "run each line of the file (- for stdin) as one invocation")
    String batch;

    @Mixin
    Options.Verbose verbose = new Options.Verbose();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this text")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "show the version")
    boolean version;

    @Parameters(paramLabel = "word", description = "<hostinterface> <guest> <ipaddr>/<subnet>[@gateway] [macaddr][@vlan]")
    List<String> words = new ArrayList<>();

    /** The values of {@code -a}: each is one that {@link Family#parse} accepts. */
    static final class Families implements Iterable<String> {
        public java.util.Iterator<String> iterator() {
            return List.of("4", "6", "inet", "inet6").iterator();
        }
    }

    /** The values of {@code --macvlan-mode}, as {@code ip} takes them. */
    static final class MacvlanModes implements Iterable<String> {
        public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(MacvlanMode.values()).map(MacvlanMode::word).iterator();
        }
    }

    static final class ContainerInterface implements ITypeConverter<String> {
        public String convert(String value) {
            return InterfaceName.check("container interface", value);
        }
    }

    static final class HostInterface implements ITypeConverter<String> {
        public String convert(String value) {
            return InterfaceName.check("host interface", value);
        }
    }

    static final class LocalInterface implements ITypeConverter<String> {
        public String convert(String value) {
            return InterfaceName.check("local interface", value);
        }
    }

    static final class MtuConverter implements ITypeConverter<Mtu> {
        public Mtu convert(String value) {
            return Mtu.parse(value);
        }
    }

    static final class MacvlanModeConverter implements ITypeConverter<MacvlanMode> {
        public MacvlanMode convert(String value) {
            return MacvlanMode.parse(value);
        }
    }

    /**
     * A number of seconds in ASCII decimal ({@code 30}, {@code 0.5}, {@code 1e3}), or {@code inf}.
     * What {@link Double#valueOf} reads besides (hexadecimal, {@code NaN}, a {@code d} suffix, a
     * sign) is refused.
     */
    static final class Seconds implements ITypeConverter<Double> {
        public Double convert(String value) {
            if (value.equalsIgnoreCase("inf") || value.equalsIgnoreCase("infinity")) {
                return Double.POSITIVE_INFINITY;
            }
            if (!value.matches("([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
                throw new InvalidValueException("timeout \"" + value
                        + "\" is not valid: expected a number of seconds (0 or more, such as 30 or 0.5)");
            }
            return Double.valueOf(value);
        }
    }

    static final class FamilyConverter implements ITypeConverter<Family> {
        public Family convert(String value) {
            return Family.parse(value);
        }
    }
}
