package dev.pipework.it.support;

/**
 * A LAN for the tool's physical forms: the host's "NIC" {@code nic<suffix>}, up and with no
 * address, is the host end of a veth whose other end {@code lan<suffix>} sits in a namespace
 * {@code ns}.
 */
public record Lan(String ns, String nic, String end) {

    /** The MTU of both ends of the NIC's cable. */
    public static final int MTU = 1400;

    /** The LAN end's address, the gateway of attaches on the NIC. */
    public static final String GATEWAY = "10.160.0.254";

    /** The LAN of the physical forms: both ends with MTU {@value #MTU}, the far one holding {@value #GATEWAY}/24. */
    public static Lan create(Rig rig) {
        Lan lan = create(rig, GATEWAY + "/24");
        Sh.ok("ip", "link", "set", lan.nic(), "mtu", Integer.toString(MTU));
        Sh.ok("ip", "-n", lan.ns(), "link", "set", lan.end(), "mtu", Integer.toString(MTU));
        return lan;
    }

    /** A LAN whose far end holds {@code cidr}, both ends with a veth's own MTU; it goes when {@code rig} closes. */
    public static Lan create(Rig rig, String cidr) {
        String nic = "nic" + rig.suffix();
        String end = "lan" + rig.suffix();
        return new Lan(rig.netns().cable("lan", nic, end, cidr), nic, end);
    }
}
