package dev.pipework.watch;

import dev.pipework.guest.DockerContainer;
import dev.pipework.guest.DockerException;
import dev.pipework.guest.EngineIdResolver;
import dev.pipework.model.AttachRequest;
import dev.pipework.model.Guest;
import dev.pipework.model.Failure;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.HostTarget;
import dev.pipework.plan.MachineView;
import dev.pipework.plan.Planner;
import dev.pipework.render.Renderer;
import dev.pipework.run.Admission;
import dev.pipework.run.Attach;
import dev.pipework.run.Services;
import dev.pipework.sys.Parallel;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Brings containers to what they declare: an interface that is missing is attached, one in place as
 * declared is left alone, one in place but different is reported and left alone. A declaration that
 * cannot be read is reported with the container's name and its value, and the others go on.
 */
public final class Reconciler {

    /** What became of one declaration. */
    public enum Action {
        ATTACHED("attached"), WOULD_ATTACH("would attach"), UNCHANGED("unchanged"), DIFFERENT("different"),
        INVALID("invalid"), FAILED("failed"), REFUSED("refused"), NO_GUEST("no such guest");

        private final String word;

        Action(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        /** Whether it makes {@code apply} exit with 1. */
        public boolean problem() {
            return this == DIFFERENT || this == INVALID || this == FAILED || this == REFUSED || this == NO_GUEST;
        }
    }

    /**
     * @param container the container's name ({@code -} when a file line names none that can be read)
     * @param iface     the interface in the guest, when known
     */
    public record Outcome(String container, Declaration declaration, Optional<String> iface, Action action,
                          String message) {
        /** The line on stderr. */
        public String line() {
            String what = iface.map(i -> i + " ").orElse("");
            return "pipework: " + container + ": " + what + action.word() + " (" + declaration.source() + "="
                    + quote(declaration.text()) + ")" + (message.isEmpty() ? "" : ": " + message);
        }
    }

    private final Services services;
    private final RequestReader reader;
    private final AttachmentsFile file;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean dryRun;
    private final Renderer renderer;
    private final Planner planner = new Planner();
    private final DeclarationPolicy policy;

    /**
     * @param out      where a dry run prints the commands it would run
     * @param err      where the attaches print their notices
     * @param renderer how a dry run shows them
     */
    public Reconciler(Services services, RequestReader reader, AttachmentsFile file, PrintStream out, PrintStream err,
                      boolean dryRun, Renderer renderer) {
        this(services, reader, file, out, err, dryRun, renderer, DeclarationPolicy.load(DeclarationPolicy.DEFAULT));
    }

    /** @param policy what labels may ask of the host */
    public Reconciler(Services services, RequestReader reader, AttachmentsFile file, PrintStream out, PrintStream err,
                      boolean dryRun, Renderer renderer, DeclarationPolicy policy) {
        this.policy = policy;
        this.services = services;
        this.reader = reader;
        this.file = file;
        this.out = out;
        this.err = err;
        this.dryRun = dryRun;
        this.renderer = renderer;
    }

    /** Every running container with declarations, and every guest the attachments file names. */
    public List<Outcome> all() {
        List<Outcome> outcomes = new ArrayList<>();
        List<AttachmentsFile.Entry> entries = file.entries();
        List<AttachmentsFile.Entry> unmatched = new ArrayList<>(entries);
        List<String> ids;
        try {
            ids = services.docker().isAvailable() ? services.docker().runningIds() : List.of();
        } catch (DockerException e) {
            throw new PipeworkException("cannot list the running containers: " + e.getMessage());
        }
        // One inspect a container, then one reading of the machine for every decision, the guests'
        // links read a few at once: what is in place costs one child process a guest, side by side.
        List<DockerContainer> running = Parallel.map(ids, this::inspect).stream().flatMap(Optional::stream)
                .filter(DockerContainer::running).toList();
        List<DockerContainer> declaring = running.stream()
                .filter(c -> declares(c.id(), c.plainName(), c.labels())).toList();
        List<Optional<Guest>> guests = declaring.stream().map(this::guestOf).toList();
        Map<String, Guest> guestOf = new HashMap<>();
        for (int i = 0; i < declaring.size(); i++) {
            int at = i;
            guests.get(i).ifPresent(g -> guestOf.put(declaring.get(at).id(), g));
        }
        MachineView shared = services.viewOf(List.copyOf(guestOf.values()));
        for (DockerContainer c : declaring) {
            List<AttachmentsFile.Entry> its = entries.stream().filter(e -> e.request().isPresent()
                    && AttachmentsFile.names(e.request().get().guest(), c.id(), c.plainName())).toList();
            unmatched.removeAll(its);
            outcomes.addAll(container(c, its, Optional.ofNullable(guestOf.get(c.id())).map(g -> new Read(shared, g))));
        }
        for (AttachmentsFile.Entry e : unmatched) {
            if (e.request().isEmpty()) {
                outcomes.add(new Outcome("-", e.declaration(), Optional.empty(), Action.INVALID, e.error().orElse("")));
                continue;
            }
            // A guest of another runtime (a named netns, ...), or a container that is not running.
            AttachRequest request = e.request().get();
            Guest guest;
            try {
                guest = services.guests().resolve(request.guest());
            } catch (PipeworkException notThere) {
                // Not running (yet), or not there at all: a typo, or the words in another order.
                outcomes.add(new Outcome(request.guest(), e.declaration(), Optional.empty(), Action.NO_GUEST,
                        message(notThere)));
                continue;
            }
            outcomes.add(one(guest.displayName(), e.declaration(), request));
        }
        return outcomes;
    }

    /** One container's declarations: its labels, then the lines of the attachments file naming it. */
    public List<Outcome> container(DockerContainer c) {
        List<AttachmentsFile.Entry> its = file.entries().stream().filter(e -> e.request().isPresent()
                && AttachmentsFile.names(e.request().get().guest(), c.id(), c.plainName())).toList();
        return container(c, its, Optional.empty());
    }

    /** Whether a container declares anything, by label or in the attachments file. */
    public boolean declares(String id, String plainName, java.util.Map<String, String> labels) {
        return Declaration.anyIn(labels) || file.entries().stream().anyMatch(e -> e.request().isPresent()
                && AttachmentsFile.names(e.request().get().guest(), id, plainName));
    }

    /** The machine as read for every container at once, and this container's guest as resolved then. */
    private record Read(MachineView view, Guest guest) {
    }

    /** @param read the reading decisions start from; after a change to the container, each reads afresh */
    private List<Outcome> container(DockerContainer c, List<AttachmentsFile.Entry> fileEntries, Optional<Read> read) {
        List<Outcome> outcomes = new ArrayList<>();
        String name = c.plainName();
        Services byId = byId(c.id());
        for (Declaration d : Declaration.fromLabels(c.labels())) {
            AttachRequest request;
            try {
                request = reader.label(d.text(), c.id());
            } catch (PipeworkException | InvalidValueException | IllegalArgumentException e) {
                outcomes.add(new Outcome(name, d, Optional.empty(), Action.INVALID, message(e)));
                continue;
            }
            outcomes.add(one(name, d, request, byId, Optional.of(policy), read));
            if (changed(outcomes)) {
                read = Optional.empty();
            }
        }
        for (AttachmentsFile.Entry e : fileEntries) {
            outcomes.add(one(name, e.declaration(), e.request().orElseThrow(), services, Optional.empty(), read));
            if (changed(outcomes)) {
                read = Optional.empty();
            }
        }
        return outcomes;
    }

    private static boolean changed(List<Outcome> outcomes) {
        Action last = outcomes.get(outcomes.size() - 1).action();
        return last == Action.ATTACHED || last == Action.FAILED;
    }

    /** The engine's container as inspected as a guest, when it is one: the engine is not asked again. */
    private Optional<Guest> guestOf(DockerContainer c) {
        try {
            return byId(c.id()).guests().engineContainer(c);
        } catch (RuntimeException e) {
            // Gone, or not running: each declaration resolves it again and says why.
            return Optional.empty();
        }
    }

    /**
     * The services a container's labels are carried out with: its guest is the engine's container of
     * that ID, whatever its name is also the name of.
     */
    public Services byId(String id) {
        return new Services(services.runner(), services.host(), new EngineIdResolver(services.guests(), id),
                services.guestInspector(), services.effectiveUid(), services.lockDir(), services.docker(),
                services.warn(), services.ipam(), services.journal(), services.ovsdb());
    }

    /** One declaration: decide, then attach what is missing. */
    Outcome one(String container, Declaration d, AttachRequest request) {
        return one(container, d, request, services, Optional.empty(), Optional.empty());
    }

    /**
     * @param policy given for a label: what it may ask of the host
     * @param read   the machine already read, with the guest of the container the labels are on
     */
    private Outcome one(String container, Declaration d, AttachRequest request, Services services,
                        Optional<DeclarationPolicy> policy, Optional<Read> read) {
        Optional<String> cif = request.containerInterface();
        try {
            MachineView view = read.map(Read::view).orElseGet(services::view);
            Guest guest = read.isPresent() && policy.isPresent() ? read.get().guest()
                    : services.guests().resolve(request.guest());
            if (policy.isPresent()) {
                AttachRequest named = planner.resolveHostMac(request, view);
                HostTarget wanted = planner.hostTarget(named, view);
                Optional<DeclarationPolicy.Refusal> refused = policy.get().check(request, wanted);
                if (refused.isPresent()) {
                    return new Outcome(container, d, cif, Action.REFUSED, refused.get().message());
                }
            }
            List<Attachment> there = planner.attachments(guest, view);
            Reconcile.Decision decision;
            if (Reconcile.surelyMissing(request, there)) {
                // The common case after a start: nothing of the host side needs reading to know it.
                decision = new Reconcile.Missing(request.containerInterface().orElse("eth1"));
            } else {
                AttachRequest resolved = planner.resolveHostMac(request, view);
                HostTarget target = planner.hostTarget(resolved, view);
                decision = Reconcile.decide(resolved, target, there);
            }
            cif = Optional.of(decision.containerInterface());
            if (decision instanceof Reconcile.Same) {
                return new Outcome(container, d, cif, Action.UNCHANGED, "");
            }
            if (decision instanceof Reconcile.Different diff) {
                return new Outcome(container, d, cif, Action.DIFFERENT,
                        String.join("; ", diff.differences()) + "; left alone");
            }
            Attach attach = new Attach(services, out, err);
            if (dryRun) {
                attach.dryRun(request, renderer);
                return new Outcome(container, d, cif, Action.WOULD_ATTACH, "");
            }
            // Checked again inside the run, on the host as read under its locks: the reading above
            // decides what is reported, the one under the locks what is done.
            attach.run(request, Optional.empty(), target -> policy.flatMap(p -> p.check(request, target))
                    .map(DeclarationPolicy.Refusal::message));
            return new Outcome(container, d, cif, Action.ATTACHED, "");
        } catch (Admission.Refused e) {
            return new Outcome(container, d, cif, Action.REFUSED, e.getMessage());
        } catch (PipeworkException | InvalidValueException | IllegalArgumentException e) {
            return new Outcome(container, d, cif, Action.FAILED, message(e));
        }
    }

    private Optional<DockerContainer> inspect(String id) {
        try {
            return services.docker().inspect(id);
        } catch (DockerException e) {
            return Optional.empty();
        }
    }

    static String message(Exception e) {
        return escape(Failure.of(e).oneLine(), 4 * SHOWN, false);
    }

    /** At most this many characters of a label go into a line: a label may be 100 KB, a line should not. */
    static final int SHOWN = 200;

    /**
     * A label as it goes into the log: quoted, control characters escaped (a newline in a label would
     * forge a log line of its own), and cut at {@link #SHOWN} characters.
     */
    static String quote(String s) {
        return "\"" + escape(s, SHOWN, true) + "\"";
    }

    private static String escape(String s, int max, boolean quoted) {
        StringBuilder b = new StringBuilder();
        int n = Math.min(s.length(), max);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (quoted && (c == '\\' || c == '"')) {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                b.append(String.format("\\x%02x", (int) c & 0xffff));
            } else {
                b.append(c);
            }
        }
        if (s.length() > max) {
            b.append("...(").append(s.length() - max).append(" more)");
        }
        return b.toString();
    }
}
