package dev.pipework.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared options are read once, wherever they stand: before the sub-command's name or after it. */
class InvocationTest {

    private static Invocation of(String line) {
        CommandLine cli = Pipework.commandLine(new PipeworkCommand());
        Help.models().forEach(sub -> cli.addSubcommand(Pipework.commandLine(sub)));
        return Invocation.of(cli.parseArgs(line.split(" ")));
    }

    @Test
    void beforeOrAfterTheSubCommandsName() {
        for (String line : new String[] {"-v --dry-run --json shim eth2 10.0.0.1/24",
            "shim -v --dry-run --json eth2 10.0.0.1/24", "--verbose shim --dry-run eth2 10.0.0.1/24 --json"}) {
            Invocation how = of(line);
            assertTrue(how.verbose(), line);
            assertTrue(how.dryRun(), line);
            assertTrue(how.renderer().showsResult(), line);
            assertTrue(how.result().isPresent(), line);
        }
    }

    @Test
    void theTextFormatShowsNoResult() {
        Invocation how = of("status web");
        assertFalse(how.verbose());
        assertFalse(how.dryRun());
        assertFalse(how.renderer().showsResult());
        assertEquals(java.util.Optional.empty(), how.result());
    }

    @Test
    void theFormatIsTheOutputOptionsChoice() {
        assertEquals(dev.pipework.render.Renderer.Format.JSON, Invocation.format(
                Pipework.commandLine(new PipeworkCommand()).parseArgs("--json", "br1", "web", "10.0.0.2/24")));
        assertEquals(dev.pipework.render.Renderer.Format.TEXT, Invocation.format(
                Pipework.commandLine(new PipeworkCommand()).parseArgs("--json=false", "br1", "web", "10.0.0.2/24")));
    }
}
