package dev.pipework.render;

import dev.pipework.model.Guest;
import dev.pipework.model.Pool;
import dev.pipework.model.PoolAddress;
import dev.pipework.model.PoolUse;
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

    @Override
    public void dryRun(Plan plan, List<PoolAddress> given, PrintStream out) {
        for (PoolAddress g : given) {
            out.println("# pool " + g.pool() + ": " + g.address() + (g.fresh() ? " (would be given)" : " (held already)"));
        }
        dryRun(plan, out);
    }

    /**
     * The attachments' table; then, each after a blank line when it has rows, the DHCP leases the
     * keeper keeps and the host's overlays.
     */
    @Override
    public void status(Status status, PrintStream out) {
        List<Attachment> attachments = status.attachments();
        List<PoolAddress> pools = status.pools();
        List<String[]> rows = new ArrayList<>();
        boolean anyPool = attachments.stream().anyMatch(a -> !Renderer.kept(a, pools).isEmpty());
        rows.add(new String[] {"GUEST", "ID", "PID", "INTERFACE", "ADDRESSES", "MAC", "MTU", "HOST-INTERFACE", "BRIDGE",
            "KIND", "VLAN", "RUNTIME", "POOL"});
        for (Attachment a : attachments) {
            Guest g = a.guest();
            List<PoolAddress> kept = Renderer.kept(a, pools);
            rows.add(new String[] {
                g.displayName(),
                g.id().map(TextRenderer::shortId).orElse("-"),
                g.pid() > 0 ? Integer.toString(g.pid()) : "-",
                a.containerInterface(),
                a.addresses().isEmpty() ? "-" : String.join(",", a.addresses()),
                a.mac(),
                Integer.toString(a.mtu()),
                a.hostInterface().orElse("-"),
                a.bridge().orElse("-"),
                a.kind().key(),
                a.vlan().map(String::valueOf).orElse("-"),
                g.runtime().key(),
                kept.isEmpty() ? "-" : String.join(",", kept.stream().map(PoolAddress::pool).distinct().toList())});
        }
        if (!anyPool) {
            rows.replaceAll(row -> java.util.Arrays.copyOf(row, row.length - 1));
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
            // The DHCP leases the keeper keeps, read from their clients' lease files.
            out.println();
            table(leases, out);
        }
        if (status.overlaysShown() && !status.overlays().isEmpty()) {
            List<String[]> overlays = new ArrayList<>();
            overlays.add(new String[] {"OVERLAY", "KIND", "VNI", "UNDERLAY", "LOCAL", "MTU", "TUNNELS", "PEERS"});
            for (Overlay o : status.overlays()) {
                overlays.add(new String[] {o.bridge(), o.ovs() ? "ovs" : "linux", Integer.toString(o.vni()), o.underlay(),
                    o.local(), Integer.toString(o.mtu()), String.join(",", o.tunnels()), String.join(",", o.peers())});
            }
            out.println();
            table(overlays, out);
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

    /**
     * An engine's ID (64 hex digits) as the engine shows it, by its first 12; another runtime's ID
     * (a CNI container ID a runtime chose) whole, as two of those may share their first 12 characters.
     */
    static String shortId(String id) {
        return id.length() == 64 && id.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
                ? id.substring(0, 12) : id;
    }

    @Override
    public void attached(Attachment attachment, Plan plan, PrintStream out) {
    }

    @Override
    public void pools(List<PoolUse> pools, PrintStream out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"POOL", "SUBNET", "GATEWAY", "RANGES", "EXCLUDED", "SIZE", "HELD", "COOLING", "FREE"});
        for (PoolUse u : pools) {
            Pool p = u.pool();
            rows.add(new String[] {p.name(), p.subnet().toString(), p.gateway().map(Object::toString).orElse("-"),
                p.ranges().isEmpty() ? "-" : String.join(",", p.ranges().stream().map(Object::toString).toList()),
                p.exclusions().isEmpty() ? "-" : String.join(",", p.exclusions().stream().map(Object::toString).toList()),
                Long.toString(u.capacity()), Long.toString(u.held()), Long.toString(u.cooling()),
                Long.toString(Math.max(0, u.capacity() - u.held() - u.cooling()))});
        }
        table(rows, out);
    }

    @Override
    public void applied(List<Applied> outcomes, PrintStream out) {
    }
}
