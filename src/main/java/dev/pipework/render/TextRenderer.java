package dev.pipework.render;

import dev.pipework.model.Guest;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.Overlay;
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

    /** The attachments' table, then, when there are overlays, a blank line and theirs. */
    @Override
    public void status(List<Attachment> attachments, List<Overlay> overlays, PrintStream out) {
        status(attachments, out);
        if (overlays.isEmpty()) {
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"OVERLAY", "KIND", "VNI", "UNDERLAY", "LOCAL", "MTU", "TUNNELS", "PEERS"});
        for (Overlay o : overlays) {
            rows.add(new String[] {o.bridge(), o.ovs() ? "ovs" : "linux", Integer.toString(o.vni()), o.underlay(),
                o.local(), Integer.toString(o.mtu()), String.join(",", o.tunnels()), String.join(",", o.peers())});
        }
        out.println();
        table(rows, out);
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
