package dev.pipework.cli;

import dev.pipework.ipam.PoolsFile;
import dev.pipework.model.InvalidValueException;
import dev.pipework.run.Services;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pipework pool add <name> <subnet> [--gateway <ip>] [--range <first>-<last>]...
 * [--exclude <ip>[-<last>]]...}, {@code pool rm [--force] <name>}, {@code pool ls}: the address
 * pools of the pools file, which {@code pool:<name>} names in place of an address.
 */
@Command(name = "pool", description = "Declares (add), removes (rm) and lists (ls) the address pools that"
        + " pool:<name> gives addresses from, in place of <ipaddr>.")
final class PoolCommand implements Subcommand {
    @Option(names = "--gateway", paramLabel = "ip", description = "add: the subnet's router, never given;"
            + " pool:<name>@gw routes through it")
    String gateway;

    @Option(names = "--range", paramLabel = "first-last", description = "add: give addresses from this range only"
            + " (repeatable; default the whole subnet)")
    List<String> ranges = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "ip[-last]", description = "add: never give these (repeatable)")
    List<String> exclusions = new ArrayList<>();

    @Option(names = "--force", description = "rm: also when the pool holds addresses")
    boolean force;

    @Mixin
    Options.Output output = new Options.Output();

    @Mixin
    Options.Verbose verbose = new Options.Verbose();

    @Parameters(arity = "1..3", paramLabel = "add|rm|ls", description = "add <name> <subnet>, rm <name>, or ls")
    List<String> words = new ArrayList<>();

    @Override
    public int run(Invocation how, Services services, PrintStream out, PrintStream err) {
        String action = words.get(0);
        switch (action) {
            case "ls" -> {
                expect(1, "pool ls");
                how.renderer().pools(services.ipam().use(), out);
            }
            case "add" -> {
                expect(3, "pool add <name> <subnet>");
                services.requireRoot("it changes " + services.ipam().poolsPath());
                List<String> line = new ArrayList<>(List.of(words.get(1), words.get(2)));
                if (gateway != null) {
                    line.addAll(List.of("gateway", gateway));
                }
                if (ranges != null) {
                    ranges.forEach(r -> line.addAll(List.of("range", r)));
                }
                if (exclusions != null) {
                    exclusions.forEach(r -> line.addAll(List.of("exclude", r)));
                }
                services.ipam().add(PoolsFile.pool(line.toArray(String[]::new)));
            }
            case "rm" -> {
                expect(2, "pool rm <name>");
                services.requireRoot("it changes " + services.ipam().poolsPath());
                services.ipam().remove(words.get(1), force);
            }
            default -> throw new InvalidValueException("\"" + action + "\" is not a pool action: expected add, rm or ls");
        }
        return 0;
    }

    private void expect(int count, String form) {
        if (words.size() != count) {
            throw new InvalidValueException("expected " + form);
        }
    }
}
