package dev.pipework.render;

import dev.pipework.model.PoolAddress;
import dev.pipework.model.PoolUse;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.Overlay;
import dev.pipework.plan.Plan;

import java.io.PrintStream;
import java.util.List;

/**
 * How results are shown on stdout: what a dry run would run, the attachments {@code status} found,
 * the interface an attach made. A structured format writes the documents every such format shares
 * ({@code DocumentRenderer}); a new one is that class and its place in {@link Format}.
 */
public interface Renderer {

    /** The commands a plan would run. */
    void dryRun(Plan plan, PrintStream out);

    /** What {@code status} shows: the attachments found, what pools keep for them, the host's overlays. */
    void status(Status status, PrintStream out);

    /** The attachments found, one per interface. */
    default void status(List<Attachment> attachments, PrintStream out) {
        status(new Status(attachments, List.of(), List.of(), false), out);
    }

    /** The result of an attach: the interface as the kernel now shows it, and the routes the plan added. */
    void attached(Attachment attachment, Plan plan, PrintStream out);

    /** The commands a plan would run, and the addresses the pools would give for it. */
    default void dryRun(Plan plan, List<PoolAddress> given, PrintStream out) {
        dryRun(plan, out);
    }

    /** The result of an attach, and the addresses the pools gave for it. */
    default void attached(Attachment attachment, Plan plan, List<PoolAddress> given, PrintStream out) {
        attached(attachment, plan, out);
    }

    /** The pools and their use ({@code pool ls}). */
    default void pools(List<PoolUse> pools, PrintStream out) {
        new TextRenderer().pools(pools, out);
    }

    /**
     * What the pools keep for this attachment's interface: held for it, or held by the Docker
     * driver's IPAM side and on the interface (a Docker network's endpoint).
     */
    static List<PoolAddress> kept(Attachment a, List<PoolAddress> pools) {
        return pools.stream().filter(p -> !p.state().equals("cooling") && (p.runtime().equals(a.guest().runtime().key())
                && p.id().equals(a.guest().id().orElse(a.guest().token()))
                && p.iface().equals(a.containerInterface())
                || p.runtime().equals(PoolAddress.DOCKER_IPAM) && a.addresses().contains(p.address()))).toList();
    }

    /** What {@code apply} did, one entry per declaration; nothing in a format that reports it on stderr only. */
    void applied(List<Applied> outcomes, PrintStream out);

    /** Whether the format shows the result of a change (the text format is silent, as the original). */
    default boolean showsResult() {
        return false;
    }

    /**
     * What {@code status} found.
     *
     * @param attachments one per interface
     * @param pools       the addresses the pools keep (each shown with the attachment that holds it)
     * @param overlays    the host's overlays
     * @param wholeHost   whether {@code status} named no guest: only then are the overlays shown
     */
    record Status(List<Attachment> attachments, List<PoolAddress> pools, List<Overlay> overlays, boolean wholeHost) {
        /** The overlays, when they are shown. */
        public boolean overlaysShown() {
            return wholeHost;
        }
    }

    /** One declaration {@code apply} read, and what became of it. */
    record Applied(String container, String source, String declaration, java.util.Optional<String> iface,
                   String action, String message) {
    }

    /** The output formats, one renderer each. */
    enum Format {
        /** The original's: a dry run as shell lines, {@code status} as a table, nothing on a change. */
        TEXT,
        JSON
    }

    static Renderer of(Format format) {
        return switch (format) {
            case TEXT -> new TextRenderer();
            case JSON -> new JsonRenderer();
        };
    }
}
