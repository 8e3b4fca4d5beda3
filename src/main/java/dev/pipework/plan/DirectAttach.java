package dev.pipework.plan;

import dev.pipework.model.Guest;
import dev.pipework.model.MacAddress;
import dev.pipework.model.PipeworkException;
import dev.pipework.sys.Where;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code --direct-phys}: the NIC itself (or its {@code @vlan} sub-interface) moves into the guest;
 * a wireless NIC moves with its wiphy. Undo restores what it was (name, MAC, alias, up); {@code del}
 * gives back its name and MAC, and leaves it down with no alias. It is marked with the alias
 * {@code pipework direct <name> <MAC>}, set while it is still on the host. A guest can set that
 * alias on any link of its own, so it only says where to look: the host keeps its own record of
 * each move ({@link LinkSteps.RecordDirect}), and only a link that matches it (namespace, name in
 * the guest, MAC) is taken for a NIC to give back.
 */
final class DirectAttach {
    /** Where the host's records of NICs moved whole live: root's, on a tmpfs, out of any guest's reach. */
    static final String RECORDS = "/run/pipework/direct";

    private DirectAttach() {
    }

    static String record(long netnsInode, String nic) {
        return RECORDS + "/" + netnsInode + "-" + nic;
    }

    static Arrival attach(AttachContext c) {
        VlanParent parent = VlanParent.of(c);
        String nic = parent.name();
        Optional<LinkFacts> link = parent.link();
        if (parent.up()) {
            c.steps().add(new LinkSteps.SetLinkDown(Where.HOST, nic));
        }
        String alias = Alias.mark(AttachKind.DIRECT, link.map(l -> new String[] {nic, l.mac()})
                .orElse(new String[] {nic}));
        c.steps().add(new LinkSteps.SetAlias(Where.HOST, nic, alias, Optional.of(link.map(LinkFacts::alias).orElse(""))));
        Optional<String> phy = link.flatMap(LinkFacts::wirelessPhy);
        Guest guest = c.guest();
        if (phy.isPresent()) {
            if (guest.pid() <= 0) {
                throw new PipeworkException("wireless interface \"" + nic + "\" moves with its wiphy, which needs a guest"
                        + " with a PID, and " + guest.describe() + " has none");
            }
            c.steps().add(new LinkSteps.MovePhyToNetns(phy.get(), nic, guest.pid(), guest.netnsPath(),
                    guest.describe(), c.view().hostPid()));
        } else {
            c.steps().add(new LinkSteps.MoveToNetns(nic, guest.netnsPath(), guest.describe(),
                    Optional.of(c.view().hostNetnsPath())));
        }
        String original = link.map(LinkFacts::mac).orElse("-");
        String inGuest = c.request().mac().map(m -> m.text()).orElse(original);
        c.steps().add(new LinkSteps.RecordDirect(record(guest.netnsInode(), nic),
                String.join(" ", c.containerIf(), inGuest, nic, original), nic));
        return new Arrival(nic, true, Optional.empty(), link.map(LinkFacts::mac));
    }

    /**
     * A link is a NIC moved whole only when the host's record of the move, found by the guest's
     * namespace and the NIC's name, names this link and its MAC. What the alias says beyond the
     * NIC's name is not used: the name and MAC to give back are the record's.
     */
    static Optional<Attachment> recognise(Guest guest, GuestLink link, Alias.Mark mark, MachineView view) {
        if (mark.hostName().isEmpty() || guest.netnsInode() == 0 || !plainName(mark.hostName().get())) {
            return Optional.empty();
        }
        String nic = mark.hostName().get();
        Optional<String> record = view.hostFile(record(guest.netnsInode(), nic));
        if (record.isEmpty()) {
            return Optional.empty();
        }
        String[] words = record.get().strip().split(" ");
        if (words.length != 4 || !words[0].equals(link.name()) || !words[1].equalsIgnoreCase(link.mac())
                || !words[2].equals(nic)) {
            return Optional.empty();
        }
        Optional<String> original = words[3].equals("-") ? Optional.empty() : Optional.of(words[3]);
        return Optional.of(Attachment.of(guest, link, AttachKind.DIRECT, Optional.of(nic), Optional.empty(),
                Optional.empty(), original));
    }

    /** A name that can be part of a file name in the records' directory. */
    private static boolean plainName(String name) {
        return !name.isEmpty() && name.length() <= 15 && !name.contains("/") && !name.equals(".") && !name.equals("..");
    }

    /** The NIC goes back to the host as it was: its name, its MAC, no alias, down. */
    static List<Step> remove(Attachment a, MachineView view) {
        Where in = Where.guest(a.guest().netnsPath());
        String nic = a.hostInterface().orElseThrow();
        List<Step> steps = new ArrayList<>();
        steps.add(new LinkSteps.SetLinkDown(in, a.containerInterface()));
        a.originalMac().filter(mac -> !mac.equals(a.mac())).ifPresent(mac ->
                steps.add(new LinkSteps.SetMacAddress(in, a.containerInterface(), MacAddress.parseAny(mac))));
        if (!nic.equals(a.containerInterface())) {
            steps.add(new LinkSteps.RenameLink(in, a.containerInterface(), nic));
        }
        steps.add(new LinkSteps.SetAlias(in, nic, ""));
        steps.add(new LinkSteps.ReturnToHost(in, nic, view.hostNetnsPath()));
        steps.add(new DhcpSteps.RemoveFile(record(a.guest().netnsInode(), nic)));
        return steps;
    }
}
