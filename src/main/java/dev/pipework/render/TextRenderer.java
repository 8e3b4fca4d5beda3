package dev.pipework.render;

import dev.pipework.model.Guest;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Step;
import dev.pipework.sys.ShellWords;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Plain text: a dry run as shell lines, status as a table; an attach prints nothing, like the original. */
public final class TextRenderer implements Renderer {

    @Override
    public void dryRun(Plan plan, PrintStream out) {
        StringBuilder text = new StringBuilder();
        for (Step step : plan.steps()) {
            text.append(ShellWords.join(step.argv())).append('\n');
        }
        out.print(text);
        out.flush();
    }

    @Override
    public void status(List<Attachment> attachments, PrintStream out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"GUEST", "ID", "PID", "INTERFACE", "ADDRESSES", "MAC", "MTU", "HOST-INTERFACE", "BRIDGE",
            "KIND", "VLAN", "RUNTIME"});
        for (Attachment a : attachments) {
            Guest g = a.guest();
            rows.add(new String[] {
                g.displayName(),
                g.id().map(id -> id.substring(0, Math.min(12, id.length()))).orElse("-"),
                g.pid() > 0 ? Integer.toString(g.pid()) : "-",
                a.containerInterface(),
                a.addresses().isEmpty() ? "-" : String.join(",", a.addresses()),
                a.mac(),
                Integer.toString(a.mtu()),
                a.hostInterface().orElse("-"),
                a.bridge().orElse("-"),
                a.kind().key(),
                a.vlan().map(String::valueOf).orElse("-"),
                g.runtime().key()});
        }
        table(rows, out);
        List<String[]> leases = new ArrayList<>();
        leases.add(new String[] {"GUEST", "INTERFACE", "CLIENT", "FAMILY", "LEASE", "SERVER", "EXPIRES"});
        for (Attachment a : attachments) {
            a.leases().forEach(l -> leases.add(new String[] {a.guest().displayName(), a.containerInterface(),
                l.client(), l.key().endsWith("-v6") ? "inet6" : "inet", l.address().orElse("-"), l.server().orElse("-"),
                l.expires().orElse("-")}));
        }
        if (leases.size() > 1) {
            // After a blank line: the DHCP leases the keeper keeps, read from their clients' lease files.
            out.println();
            table(leases, out);
        }
    }

    private static void table(List<String[]> rows, PrintStream out) {
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
    }

    @Override
    public void attached(Attachment attachment, Plan plan, PrintStream out) {
    }

    @Override
    public void applied(List<Applied> outcomes, PrintStream out) {
    }
}
