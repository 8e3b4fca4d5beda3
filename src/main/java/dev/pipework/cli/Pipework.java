package dev.pipework.cli;

import dev.pipework.model.AttachRequest;
import dev.pipework.model.Failure;
import dev.pipework.run.Attach;
import dev.pipework.run.GuestCommand;
import dev.pipework.run.Services;
import dev.pipework.sys.CommandResult;
import picocli.CommandLine;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One invocation: reads the command line, gathers facts, plans, then prints or executes the plan. */
public final class Pipework {

    private final Services services;
    private final PrintStream out;
    private final PrintStream err;

    public Pipework(Services services, PrintStream out, PrintStream err) {
        this.services = services;
        this.out = out;
        this.err = err;
    }

    /** Runs the command and returns the exit status. */
    public int run(String... args) {
        return run(PlainLine.of(args), args);
    }

    /** The same, the line's plain forms read already (by {@link Main}, to ready the guest's runtime first). */
    int run(PlainLine plainLine, String... args) {
        try {
            if (args.length == 1 && args[0].equals(DhcpKeeperCommand.WORD)) {
                return DhcpKeeperCommand.run(services, err);
            }
            // As picocli would print it; setting picocli's model up costs more than the rest of the run.
            if (args.length == 1 && args[0].equals("--version")) {
                out.println("pipework " + Version.text());
                return 0;
            }
            int first = firstWord(args);
            if (first < args.length && Help.GUEST_COMMANDS.contains(args[first])) {
                return guestCommand(args, first);
            }
            // The guest's runtime readied beside the rest (it is asked under the locks, once the host is
            // read): GuestResolver.prepare.
            plainLine.guestAsked().ifPresent(services.guests()::prepare);
            if (plainLine.subcommand().isPresent()) {
                // Nothing for picocli to read, as in the plain attach form below.
                return plainLine.subcommand().get().run(Invocation.PLAIN, services, out, err);
            }
            if (first < args.length && Help.SUBCOMMANDS.contains(args[first]) && !hostInterfaceNamed(args[first])) {
                return subcommand(args);
            }
            if (plainLine.attach().isPresent()) {
                // Nothing for picocli to read: the words go to the request parser as they are.
                return attach(plainLine.attach().get(), Invocation.PLAIN);
            }
            PipeworkCommand command = new PipeworkCommand();
            CommandLine cli = commandLine(command);
            CommandLine.ParseResult parsed;
            try {
                parsed = cli.parseArgs(args);
            } catch (CommandLine.ParameterException e) {
                return new UsageError(err).report(e);
            }
            if (parsed.isUsageHelpRequested()) {
                out.print(Help.text());
                return 0;
            }
            if (parsed.isVersionHelpRequested()) {
                out.println("pipework " + Version.text());
                return 0;
            }
            Invocation how = Invocation.of(parsed);
            if (command.batch != null) {
                return new Batch(services, out, err).run(command, how);
            }
            if (command.waitForInterface) {
                return new InterfaceWait(Path.of("/sys/class/net"), err).await(
                        command.containerInterface == null ? "eth1" : command.containerInterface,
                        command.timeoutSeconds);
            }
            return attach(command, how);
        } catch (RuntimeException e) {
            return report(e, err, Options.Verbose.requested(args));
        }
    }

    /**
     * A failure, as {@link Failure} maps it: one line and its exit status; for what no check
     * foresaw (a bug, or input such as what a guest shows), the stack trace too under {@code -v}.
     */
    static int report(Throwable e, PrintStream err, boolean verbose) {
        Failure failure = Failure.of(e);
        err.println(failure.line());
        if (failure.unexpected() && verbose) {
            e.printStackTrace(err);
        }
        return failure.exitStatus();
    }

    /** The main form, once its options are read: the words become a request, then an attach. */
    private int attach(PipeworkCommand command, Invocation how) {
        AttachRequest request;
        try {
            request = RequestParser.attach(command);
        } catch (RequestParser.MissingArguments e) {
            if (!command.words.isEmpty() && services.host().link(command.words.get(0)).isEmpty()
                    && new UsageError(err).mistypedCommand(command.words.get(0))) {
                return 1;
            }
            out.print(Syntax.ORIGINAL);
            return 1;
        }
        Attach attach = new Attach(services, out, err);
        if (how.dryRun()) {
            attach.dryRun(request, how.renderer());
        } else {
            attach.run(request, how.result());
        }
        return 0;
    }

    /**
     * {@code route|rule|tc <guest> <args...>}: the rest of the line goes verbatim to {@code ip route},
     * {@code ip rule} or {@code tc} in the guest; their output and exit status are the command's.
     * Leading {@code -v}/{@code --dry-run} may precede the keyword.
     */
    private int guestCommand(String[] args, int index) {
        boolean dryRun = List.of(args).subList(0, index).contains("--dry-run");
        if (args.length < index + 2) {
            out.print(Syntax.ORIGINAL);
            return 1;
        }
        String keyword = args[index];
        List<String> tool = new ArrayList<>(keyword.equals("tc") ? List.of("tc") : List.of("ip", keyword));
        tool.addAll(List.of(args).subList(index + 2, args.length));
        GuestCommand command = new GuestCommand(services);
        if (dryRun) {
            out.println(command.dryRun(args[index + 1], tool));
            return 0;
        }
        CommandResult result = command.run(args[index + 1], tool);
        out.print(result.stdout());
        err.print(result.stderr());
        return result.exitStatus();
    }

    /**
     * {@code del}, {@code status}, {@code apply}, {@code watch}: picocli sub-commands of the attach form's model, which holds the
     * options given before the name. Only a first word selects one: later words are the attach
     * form's (a container may be named {@code del}).
     */
    private int subcommand(String[] args) {
        // Before the sub-command's name stand only -v and --dry-run (firstWord): the attach form's model,
        // a dozen options with their converters, is not read for them.
        CommandLine cli = commandLine(new BeforeSubcommand());
        // Only the first word selects one: the model of that one alone (each costs its annotations' reading).
        cli.addSubcommand(commandLine(Help.models().get(Help.SUBCOMMANDS.indexOf(args[firstWord(args)]))));
        CommandLine.ParseResult parsed;
        try {
            parsed = cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            return new UsageError(err).report(e);
        }
        Subcommand sub = (Subcommand) parsed.subcommand().commandSpec().userObject();
        return sub.run(Invocation.of(parsed), services, out, err);
    }

    /** The options that may stand before a sub-command's name ({@link #firstWord}), as picocli reads them. */
    @CommandLine.Command(name = "pipework")
    static final class BeforeSubcommand {
        @CommandLine.Mixin
        Options.DryRun dryRun = new Options.DryRun();

        @CommandLine.Mixin
        Options.Verbose verbose = new Options.Verbose();
    }

    /**
     * {@code shim} and {@code overlay} are words of this tool's; a host interface of that name keeps the original's
     * meaning of the first word.
     */
    private boolean hostInterfaceNamed(String word) {
        return (word.equals("shim") || word.equals("pool") || word.equals("overlay"))
                && services.host().link(word).isPresent();
    }

    /** Where the first word stands after leading {@code -v} and {@code --dry-run}. */
    private static int firstWord(String[] args) {
        int i = 0;
        while (i < args.length && (Options.Verbose.NAMES.contains(args[i]) || args[i].equals("--dry-run"))) {
            i++;
        }
        return i;
    }

    static CommandLine commandLine(Object command) {
        CommandLine cli = new CommandLine(command);
        // '@100' is the original's VLAN-only MAC argument, not an argument file.
        cli.setExpandAtFiles(false);
        cli.setOverwrittenOptionsAllowed(true);
        return cli;
    }
}
