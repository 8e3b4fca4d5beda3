package dev.pipework.it.support;

/**
 * A LAN for the tool's physical forms: the host's "NIC" {@code nic<suffix>} (up, MTU
 * {@value #MTU}) is the host end of a veth whose other end {@code lan<suffix>} sits in a
 * namespace {@code ns} holding {@value #GATEWAY}/24.
 */
public record Lan(String ns, String nic, String end) {

    /** The MTU of both ends of the NIC's cable. */
    public static final int MTU = 1400;

    /** The LAN end's address, the gateway of attaches on the NIC. */
    public static final String GATEWAY = "10.160.0.254";

    /** Makes the LAN and its NIC; both go when {@code rig} closes. */
    public static Lan create(Rig rig) {
        String nic = "nic" + rig.suffix();
        String end = "lan" + rig.suffix();
        String ns = rig.netns().cable("lan", nic, end, GATEWAY + "/24");
        Sh.ok("ip", "link", "set", nic, "mtu", Integer.toString(MTU));
        Sh.ok("ip", "-n", ns, "link", "set", end, "mtu", Integer.toString(MTU));
        return new Lan(ns, nic, end);
    }
}
