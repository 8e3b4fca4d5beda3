package dev.pipework.run;

import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.MachineView;
import dev.pipework.plan.OvsPort;
import dev.pipework.plan.Overlay;
import dev.pipework.plan.Planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code status}: what attaches plumbed, from the live kernel and Open vSwitch state. */
public final class StatusQuery {
    private final Services services;
    private final Planner planner = new Planner();
    /** One reading of the machine for the report and the overlays: each table and link read once. */
    private MachineView view;

    public StatusQuery(Services services) {
        this.services = services;
    }

    /** The host's overlays. */
    public List<Overlay> overlays() {
        return planner.overlays(view());
    }

    private MachineView view() {
        if (view == null) {
            view = services.view();
        }
        return view;
    }

    /**
     * What {@code status} shows: the attachments found, and the Open vSwitch ports an attach made
     * whose interface is gone (of every guest, or of the one named, by its ID).
     */
    public record Report(List<Attachment> attachments, List<OvsPort> stalePorts) {
    }

    /** The attachments of one guest, or of every guest that exists now. */
    public List<Attachment> attachments(Optional<String> token) {
        return report(token).attachments();
    }

    /** The attachments and stale ports of one guest, or of every guest that exists now. */
    public Report report(Optional<String> token) {
        services.requireRoot("it reads the guests' network namespaces");
        List<Guest> guests = token.isEmpty() ? services.guests().all()
                : List.of(services.guests().resolve(token.get(), false));
        if (view == null && token.isEmpty()) {
            view = services.viewOfEverything(guests);
        }
        MachineView view = view();
        List<OvsPort> stale = token.isEmpty() ? planner.staleOvsPorts(view)
                : guests.get(0).id().map(id -> planner.staleOvsPortsOf(id, view)).orElse(List.of());
        List<Attachment> found = new ArrayList<>();
        for (Guest guest : guests) {
            try {
                planner.attachments(guest, view).forEach(a -> found.add(planner.withLeases(a, view)));
            } catch (PipeworkException e) {
                if (token.isPresent()) {
                    throw e;
                }
                // A guest that went away while the others were read.
            }
        }
        if (token.isEmpty()) {
            found.addAll(planner.shims(view));
        }
        return new Report(found, stale);
    }
}
