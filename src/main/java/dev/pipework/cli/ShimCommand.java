package dev.pipework.cli;

import dev.pipework.model.IpCidr;
import dev.pipework.run.Services;
import dev.pipework.run.Shim;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;

/**
 * {@code pipework shim <nic> <ip>/<prefix>}: a macvlan in bridge mode on the host over the NIC, with
 * that address, through which the host reaches the NIC's macvlan guests. Only when no host
 * interface is named {@code shim}: then the original's attach form has the word.
 */
@Command(name = "shim", description = "Lets the host reach the macvlan guests of a NIC.")
final class ShimCommand implements Subcommand {
    @Mixin
    Options.DryRun dryRun = new Options.DryRun();

    @Mixin
    Options.Output output = new Options.Output();

    @Mixin
    Options.Verbose verbose = new Options.Verbose();

    @Parameters(index = "0", paramLabel = "nic", converter = PipeworkCommand.HostInterface.class)
    String nic;

    @Parameters(index = "1", paramLabel = "address", description = "<ip>/<prefix>")
    String address;

    @Override
    public int run(Invocation how, Services services, PrintStream out, PrintStream err) {
        return new Shim(services, out, err).add(nic, IpCidr.parse(address), how.dryRun(), how.renderer(),
                how.result());
    }
}
