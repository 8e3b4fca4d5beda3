package dev.pipework.cli;

import dev.pipework.model.InterfaceName;
import dev.pipework.model.InvalidValueException;
import dev.pipework.run.Removal;
import dev.pipework.run.Services;
import dev.pipework.run.Shim;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code pipework del <guest> [-i <cif>] [--all]}: removes what attaches plumbed into a guest;
 * {@code pipework del shim <nic>}: removes the host's shim on that NIC.
 */
@Command(name = "del", description = "Removes the interfaces an attach plumbed into a guest.")
final class DelCommand implements Subcommand {
    @Option(names = "-i", paramLabel = "containerinterface", converter = PipeworkCommand.ContainerInterface.class,
            description = "the interface to remove (default eth1)")
    String containerInterface;

    @Option(names = "--all", description = "remove every interface an attach plumbed into the guest")
    boolean all;

    @Mixin
    Options.DryRun dryRun = new Options.DryRun();

    @Mixin
    Options.Verbose verbose = new Options.Verbose();

    @Parameters(arity = "1..2", paramLabel = "guest", description = "the guest, or shim <nic>")
    List<String> words = new ArrayList<>();

    @Override
    public int run(Invocation how, Services services, PrintStream out, PrintStream err) {
        boolean dry = how.dryRun();
        if (words.size() == 2) {
            if (!words.get(0).equals("shim")) {
                throw new InvalidValueException("unexpected argument \"" + words.get(1)
                        + "\": expected del <guest>, or del shim <nic>");
            }
            String nic = InterfaceName.check("host interface", words.get(1));
            return new Shim(services, out, err).remove(nic, dry, how.renderer());
        }
        String guest = words.get(0);
        Optional<String> which = all ? Optional.empty()
                : Optional.of(containerInterface == null ? "eth1" : containerInterface);
        return new Removal(services, out, err).run(guest, which, dry, how.renderer());
    }
}
