package dev.pipework.cli;

import dev.pipework.exec.CommandResult;
import dev.pipework.exec.DryRunPrinter;
import dev.pipework.guest.Guest;
import dev.pipework.guest.NetnsPin;
import dev.pipework.host.LinkFacts;
import dev.pipework.json.Json;
import dev.pipework.host.RunLock;
import dev.pipework.model.AddressSpec;
import dev.pipework.model.AttachRequest;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.GuestFacts;
import dev.pipework.plan.HostFacts;
import dev.pipework.plan.HostTarget;
import dev.pipework.plan.Names;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Planner;
import dev.pipework.plan.Where;
import picocli.CommandLine;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One invocation: reads the command line, gathers facts, plans, then prints or executes the plan. */
public final class Pipework {
    private static final Set<String> GUEST_COMMANDS = Set.of("route", "rule", "tc");

    private final Services services;
    private final PrintStream out;
    private final PrintStream err;
    private final Planner planner = new Planner();

    public Pipework(Services services, PrintStream out, PrintStream err) {
        this.services = services;
        this.out = out;
        this.err = err;
    }

    /** Runs the command and returns the exit status. */
    public int run(String... args) {
        try {
            int first = firstWord(args);
            if (first < args.length && GUEST_COMMANDS.contains(args[first])) {
                return guestCommand(args, first);
            }
            if (first < args.length && args[first].equals("del")) {
                DelCommand del = new DelCommand();
                if (!parse(del, without(args, first))) {
                    return 1;
                }
                return new Removal(services, out, err).run(del);
            }
            if (first < args.length && args[first].equals("status")) {
                StatusCommand status = new StatusCommand();
                if (!parse(status, without(args, first))) {
                    return 1;
                }
                return new Status(services, out, err).run(status);
            }
            PipeworkCommand command = new PipeworkCommand();
            if (wordsOnly(args)) {
                // Nothing for picocli to read: the words go to the request parser as they are.
                // Setting picocli up costs more than the rest of such a run.
                command.words.addAll(List.of(args));
                return attach(command);
            }
            CommandLine cli = commandLine(command);
            CommandLine.ParseResult parsed;
            try {
                parsed = cli.parseArgs(args);
            } catch (CommandLine.ParameterException e) {
                return usageError(e);
            }
            if (parsed.isUsageHelpRequested()) {
                out.print(Syntax.ORIGINAL + Syntax.ADDED);
                return 0;
            }
            if (parsed.isVersionHelpRequested()) {
                out.println("pipework " + Version.text());
                return 0;
            }
            if (command.batch != null) {
                return new Batch(services, out, err).run(command);
            }
            if (command.waitForInterface) {
                return new InterfaceWait(Path.of("/sys/class/net"), err).await(
                        command.containerInterface == null ? "eth1" : command.containerInterface,
                        command.timeoutSeconds);
            }
            return attach(command);
        } catch (InvalidValueException e) {
            err.println("pipework: " + e.getMessage());
            return 1;
        } catch (PipeworkException e) {
            err.println(e.display());
            return e.exitStatus();
        }
    }

    /** The main form, once its options are read: the words become a request, then an attach. */
    private int attach(PipeworkCommand command) {
        AttachRequest request;
        try {
            request = RequestParser.attach(command);
        } catch (RequestParser.MissingArguments e) {
            out.print(Syntax.ORIGINAL);
            return 1;
        }
        return attach(request, command.dryRun, command.json);
    }

    /** Three or four words, none an option (none starts with '-'): the plain attach form. */
    private static boolean wordsOnly(String[] args) {
        if (args.length < 3 || args.length > 4) {
            return false;
        }
        for (String a : args) {
            if (a.startsWith("-")) {
                return false;
            }
        }
        return true;
    }

    private int attach(AttachRequest request, boolean dryRun, boolean json) {
        if (!dryRun) {
            services.requireRoot(Services.CHANGES);
        }
        request = resolveHostMac(request);
        if (dryRun) {
            HostFacts hostFacts = hostFacts(request);
            HostTarget target = planner.hostTarget(request, hostFacts);
            Guest guest = services.guests().resolve(request.guest());
            Plan plan = plan(request, target, guest, hostFacts);
            plan.notices().forEach(err::println);
            if (json) {
                List<Object> commands = new ArrayList<>();
                plan.steps().forEach(step -> commands.add(step.argv()));
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("dryRun", true);
                doc.put("commands", commands);
                out.println(Json.writePretty(doc));
            } else {
                DryRunPrinter.print(plan, out);
            }
            return 0;
        }
        // Facts are read under the locks, so that what the plan assumes still holds when it runs.
        // Every run takes the bridge's lock before the guest's: no two runs wait on each other in a circle.
        try (RunLock lock = new RunLock(services.lockDir()).acquire("link-" + request.hostInterface())) {
            HostFacts hostFacts = hostFacts(request);
            HostTarget target = planner.hostTarget(request, hostFacts);
            Guest guest = services.guests().resolve(request.guest());
            lock.acquire("netns-" + guest.netnsInode());
            try (NetnsPin pin = NetnsPin.open(guest)) {
                services.guestInspector().verifyUnchanged(guest);
                Guest held = guest.withNetnsPath(pin.path());
                Plan plan = plan(request, target, held, hostFacts);
                plan.notices().forEach(err::println);
                services.executor().execute(plan);
                plan.warnings().forEach(err::println);
                if (json) {
                    printResult(Planner.containerInterface(request, target), held, plan);
                }
            }
        }
        return 0;
    }

    /** The {@code --json} result of an attach: the interface as the kernel now shows it, and the host side. */
    private void printResult(String containerIf, Guest guest, Plan plan) {
        Map<String, Object> doc = services.attachments().get().attachments(guest).stream()
                .filter(a -> a.containerInterface().equals(containerIf))
                .findFirst()
                .map(a -> a.toJson())
                .orElseThrow(() -> new PipeworkException("interface \"" + containerIf + "\" is not in "
                        + guest.describe() + " after the attach"));
        List<String> routes = new ArrayList<>();
        plan.steps().forEach(step -> step.routeAdded().ifPresent(routes::add));
        Json.object(doc.get("interface")).put("routes", routes);
        out.println(Json.writePretty(doc));
    }

    private Plan plan(AttachRequest request, HostTarget target, Guest guest, HostFacts hostFacts) {
        String containerIf = Planner.containerInterface(request, target);
        String local = request.localInterface().orElse(Names.vethHostEnd(containerIf, guest.nameNumber()));
        HostFacts facts = withLink(hostFacts, local);
        GuestFacts inside = GuestFacts.none();
        if (request.address() instanceof AddressSpec.Static s && s.gateway().isPresent()) {
            inside = new GuestFacts(services.guestInspector().defaultRoute(guest, request.effectiveFamily()));
        }
        return planner.planAttach(request, target, guest, facts, inside);
    }

    private AttachRequest resolveHostMac(AttachRequest request) {
        if (request.hostInterfaceMac().isEmpty()) {
            return request;
        }
        String mac = request.hostInterfaceMac().get().text();
        String name = services.host().linkWithMac(mac).orElseThrow(() -> PipeworkException.original(
                "Mac address " + mac + " specified for interface but no host interface matched."));
        return new AttachRequest(name, request.hostInterfaceMac(), request.containerInterface(),
                request.localInterface(), request.family(), request.guest(), request.address(), request.mac(),
                request.tag(), request.directPhys());
    }

    /** The facts the planner needs about the host interface; Open vSwitch is asked only when it matters. */
    private HostFacts hostFacts(AttachRequest request) {
        var host = services.host();
        String name = request.hostInterface();
        Map<String, LinkFacts> links = new HashMap<>();
        Set<String> ovsBridges = new HashSet<>();
        host.link(name).ifPresent(link -> {
            links.put(name, link);
            if (!link.linuxBridge() && host.isOvsBridge(name)) {
                ovsBridges.add(name);
            }
        });
        boolean ovsInstalled = links.containsKey(name) || !name.startsWith("ovs") || host.ovsInstalled();
        boolean kernelDatapath = host.ovsKernelDatapath();
        Set<String> commands = new HashSet<>();
        if (host.commandInstalled("arping")) {
            commands.add("arping");
        }
        if (request.tag().isPresent() && request.tag().get().matches("[0-9]{1,4}")) {
            String sub = name + "." + Integer.parseInt(request.tag().get());
            host.link(sub).ifPresent(link -> links.put(sub, link));
        }
        if (request.address() instanceof AddressSpec.Dhcp dhcp && host.commandInstalled(dhcp.client())) {
            commands.add(dhcp.client());
        }
        return new HostFacts(links, ovsBridges, ovsInstalled, kernelDatapath, commands, host.hostPid());
    }

    private HostFacts withLink(HostFacts facts, String name) {
        Map<String, LinkFacts> links = new HashMap<>(facts.links());
        services.host().link(name).ifPresent(link -> links.put(name, link));
        return new HostFacts(links, facts.ovsBridges(), facts.ovsInstalled(), facts.ovsKernelDatapath(),
                facts.installedCommands(), facts.hostPid());
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
        Guest guest = services.guests().resolve(args[index + 1]);
        List<String> tool = new ArrayList<>(keyword.equals("tc") ? List.of("tc") : List.of("ip", keyword));
        tool.addAll(List.of(args).subList(index + 2, args.length));
        if (dryRun) {
            out.println(dev.pipework.exec.ShellWords.join(Where.guest(guest.netnsPath()).wrap(tool)));
            return 0;
        }
        services.requireRoot("it enters the guest's network namespace");
        try (NetnsPin pin = NetnsPin.open(guest)) {
            services.guestInspector().verifyUnchanged(guest);
            CommandResult result = services.runner().run(Where.guest(pin.path()).wrap(tool));
            out.print(result.stdout());
            err.print(result.stderr());
            return result.exitStatus();
        }
    }

    /** Where the first word stands after leading {@code -v} and {@code --dry-run}. */
    private static int firstWord(String[] args) {
        int i = 0;
        while (i < args.length && (args[i].equals("-v") || args[i].equals("--verbose") || args[i].equals("--dry-run"))) {
            i++;
        }
        return i;
    }

    private static String[] without(String[] args, int index) {
        List<String> rest = new ArrayList<>(List.of(args));
        rest.remove(index);
        return rest.toArray(String[]::new);
    }

    /** Parses a sub-command's arguments into its model; false (after saying why) when they do not fit. */
    private boolean parse(Object model, String[] args) {
        try {
            commandLine(model).parseArgs(args);
            return true;
        } catch (CommandLine.ParameterException e) {
            usageError(e);
            return false;
        }
    }

    private int usageError(CommandLine.ParameterException e) {
        Throwable cause = e.getCause();
        if (cause instanceof InvalidValueException) {
            err.println("pipework: " + cause.getMessage());
        } else {
            err.println("pipework: " + e.getMessage());
            err.print(Syntax.ORIGINAL);
        }
        return 1;
    }

    static CommandLine commandLine(Object command) {
        CommandLine cli = new CommandLine(command);
        // '@100' is the original's VLAN-only MAC argument, not an argument file.
        cli.setExpandAtFiles(false);
        cli.setOverwrittenOptionsAllowed(true);
        return cli;
    }
}
