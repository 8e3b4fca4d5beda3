package dev.pipework.cli;

import dev.pipework.render.Renderer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The plain forms of status and del ({@code del}'s {@code -i} and {@code --all} included), read without
 * picocli, are what picocli reads from them.
 */
class PlainSubcommandTest {

    /** The sub-command and its shared options as picocli reads the line (the command line's own path). */
    private record Read(Subcommand command, Invocation how, Renderer.Format format) {
    }

    private static Read picocli(String[] args) {
        CommandLine cli = Pipework.commandLine(new Pipework.BeforeSubcommand());
        cli.addSubcommand(Pipework.commandLine(args[0].equals("status") ? new StatusCommand() : new DelCommand()));
        CommandLine.ParseResult parsed = cli.parseArgs(args);
        return new Read((Subcommand) parsed.subcommand().commandSpec().userObject(), Invocation.of(parsed),
                Invocation.format(parsed));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"status", "status c1", "status 0123456789ab", "status /proc/42/ns/net", "del c1",
            "del /var/run/netns/ns1", "del shim", "status @100", "del c1@7", "del -i eth2 c1", "del c1 -i eth2",
            "del --all c1", "del c1 --all -i eth2", "del -i del c1"})
    void theSameAsPicocliReadsThem(String line) {
        String[] args = line.split(" ");
        Subcommand plain = PlainLine.subcommand(args).orElseThrow();
        Read read = picocli(args);
        // What Invocation.PLAIN says: no dry run, text, no -v.
        assertEquals(Invocation.PLAIN.dryRun(), read.how().dryRun());
        assertEquals(Invocation.PLAIN.verbose(), read.how().verbose());
        assertEquals(Renderer.Format.TEXT, read.format());
        assertEquals(Invocation.PLAIN.renderer().getClass(), read.how().renderer().getClass());
        assertEquals(read.command().getClass(), plain.getClass());
        assertSameFields(read.command(), plain, read.command().getClass().getSimpleName());
        String guest = read.command() instanceof DelCommand del ? del.words.get(0) : ((StatusCommand) read.command()).guest;
        assertEquals(Optional.of(guest == null ? "" : guest), PlainLine.of(args).guestAsked(), "the guest readied first");
    }

    /**
     * Every field of the two commands, those of their mixins (the options' holders of this package)
     * field by field: an option added to either command is compared without being named here.
     */
    static void assertSameFields(Object picocli, Object plain, String where) {
        for (Field field : picocli.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            field.setAccessible(true);
            try {
                Object a = field.get(picocli);
                Object b = field.get(plain);
                String name = where + "." + field.getName();
                if (a != null && a.getClass().getPackageName().equals(PlainSubcommandTest.class.getPackageName())) {
                    assertSameFields(a, b, name);
                } else {
                    assertEquals(a, b, name);
                }
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Any option, or a line of another shape, is picocli's to read. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"status --json", "status -v", "status c1 --graph", "status --graph=svg c1", "-v status",
            "--dry-run del c1", "del c1 -v", "del", "del shim eth0", "status a b", "del -i eth2", "del -i eth2 -i eth3 c1",
            "del --all --all c1", "del -i -v c1", "del -ieth2 c1", "del -i eth/2 c1", "del c1 -i", "del -i eth2 c1 c2",
            "del --all", "del -- c1", "del c1 --json",
            "shim c1", "apply", "watch", "br0 c1 10.0.0.2/24", "route c1 add default", "status c1 -o json"})
    void otherLinesAreNotPlain(String line) {
        assertEquals(Optional.empty(), PlainLine.subcommand(line.split(" ")), Arrays.toString(line.split(" ")));
    }

}
