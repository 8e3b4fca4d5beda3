package dev.pipework.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --help, the usage of a usage error and the hints for a word mistyped, all from one model. */
class HelpTest {

    @Test
    void helpNamesEveryOptionOfTheAttachFormAndEverySubCommand() {
        CommandLineTest.Outcome o = CommandLineTest.run("--help");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().startsWith(Syntax.ORIGINAL), o.out());
        for (String word : List.of("--batch <file>", "--json", "--dry-run", "--macvlan-mode <mode>", "--mtu <bytes>",
                "--direct-phys", "--timeout <seconds>", "-v, --verbose", "--version", "pipework del <guest>",
                "pipework status [<guest>] [--json]", "pipework shim <nic> <address>", "pipework apply",
                "pipework watch", "CNI_COMMAND=ADD", "container ID of an attachment made as a CNI plugin")) {
            assertTrue(o.out().replaceAll("\\s+", " ").contains(word), word + " in\n" + o.out());
        }
    }

    @Test
    void theSubCommandsNamesAreTheModels() {
        assertEquals(Help.SUBCOMMANDS, Help.subcommands().stream().map(CommandSpec::name).toList());
    }

    @Test
    void aMistypedSubCommandIsNamedWithASuggestionAndItsUsage() {
        CommandLineTest.Outcome o = CommandLineTest.run("staus");
        assertEquals(1, o.status());
        assertEquals("", o.out(), "not the whole syntax");
        List<String> lines = o.err().lines().toList();
        assertEquals("pipework: \"staus\" is neither a command nor a host interface; did you mean status?",
                lines.get(0));
        assertTrue(lines.get(1).startsWith("Usage: pipework status [<guest>] [--json]"), o.err());
        assertTrue(lines.size() < 10, "a short hint:\n" + o.err());
        assertFalse(o.err().contains("Syntax:"), o.err());

        CommandLineTest.Outcome route = CommandLineTest.run("rout web");
        assertEquals(1, route.status());
        assertTrue(route.err().contains("did you mean route?"), route.err());
        assertTrue(route.err().contains("Usage: pipework route <guest> <route_command>"), route.err());
    }

    @Test
    void aWordNearNothingStillGetsTheOriginalsSyntax() {
        CommandLineTest.Outcome o = CommandLineTest.run("br0");
        assertEquals(1, o.status());
        assertEquals(Syntax.ORIGINAL, o.out());
        assertEquals("", o.err());
    }

    @Test
    void aMistypedOptionOfASubCommandIsNamedWithASuggestionAndTheSubCommandsUsage() {
        CommandLineTest.Outcome o = CommandLineTest.run("status --jsno");
        assertEquals(1, o.status());
        List<String> lines = o.err().lines().toList();
        assertEquals("pipework: status: unknown option \"--jsno\"; did you mean --json?", lines.get(0));
        assertTrue(lines.get(1).startsWith("Usage: pipework status [<guest>] [--json]"), o.err());
        assertFalse(o.err().contains("Syntax:"), "not the attach form's syntax:\n" + o.err());
        assertTrue(o.err().contains("--json"), o.err());
    }

    @Test
    void aMistypedOptionOfTheAttachFormIsNamedWithASuggestion() {
        CommandLineTest.Outcome o = CommandLineTest.run("--dry-rn br0 c1 10.0.0.2/24");
        assertEquals(1, o.status());
        assertTrue(o.err().startsWith("pipework: unknown option \"--dry-rn\"; did you mean --dry-run?\n"), o.err());
        assertTrue(o.err().contains(Syntax.ORIGINAL), o.err());
    }

    @Test
    void nearestAllowsOneOrTwoEdits() {
        assertEquals("status", Help.nearest("staus", Help.SUBCOMMANDS).orElseThrow());
        assertEquals("--json", Help.nearest("--jsno", List.of("--json", "--dry-run")).orElseThrow());
        assertEquals("del", Help.nearest("dle", Help.SUBCOMMANDS).orElseThrow());
        assertTrue(Help.nearest("br0", Help.SUBCOMMANDS).isEmpty());
        assertTrue(Help.nearest("eth1", Help.SUBCOMMANDS).isEmpty());
        assertTrue(Help.nearest("status", Help.SUBCOMMANDS).isEmpty(), "a word that is right needs no hint");
    }
}
