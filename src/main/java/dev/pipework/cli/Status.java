package dev.pipework.cli;

import dev.pipework.guest.Attachment;
import dev.pipework.guest.AttachmentInspector;
import dev.pipework.guest.Guest;
import dev.pipework.json.Json;
import dev.pipework.model.PipeworkException;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code status}: one line per attachment, or a JSON document, from the live kernel and Open vSwitch state. */
final class Status {
    private final Services services;
    private final PrintStream out;
    private final PrintStream err;

    Status(Services services, PrintStream out, PrintStream err) {
        this.services = services;
        this.out = out;
        this.err = err;
    }

    int run(StatusCommand command) {
        services.requireRoot("it reads the guests' network namespaces");
        List<Guest> guests = command.guest == null ? services.guests().all()
                : List.of(services.guests().resolve(command.guest, false));
        AttachmentInspector inspector = services.attachments().get();
        List<Attachment> found = new ArrayList<>();
        for (Guest guest : guests) {
            try {
                found.addAll(inspector.attachments(guest));
            } catch (PipeworkException e) {
                if (command.guest != null) {
                    throw e;
                }
                // A guest that went away while the others were read.
            }
        }
        if (command.json) {
            List<Object> items = new ArrayList<>();
            found.forEach(a -> items.add(a.toJson()));
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("attachments", items);
            out.println(Json.writePretty(doc));
            return 0;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"GUEST", "ID", "PID", "INTERFACE", "ADDRESSES", "MAC", "MTU", "HOST-INTERFACE", "BRIDGE",
            "KIND", "VLAN"});
        for (Attachment a : found) {
            Guest g = a.guest();
            rows.add(new String[] {
                g.containerName().map(n -> n.startsWith("/") ? n.substring(1) : n).orElse(g.token()),
                g.containerId().map(id -> id.substring(0, Math.min(12, id.length()))).orElse("-"),
                g.pid() > 0 ? Integer.toString(g.pid()) : "-",
                a.containerInterface(),
                a.addresses().isEmpty() ? "-" : String.join(",", a.addresses()),
                a.mac(),
                Integer.toString(a.mtu()),
                a.hostInterface().orElse("-"),
                a.bridge().orElse("-"),
                a.kind(),
                a.vlan().map(String::valueOf).orElse("-")});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        return 0;
    }
}
