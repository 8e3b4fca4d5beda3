package dev.pipework.cli;

import java.util.List;

/**
 * Every form of the command, each with what it does and examples: the man page's EXAMPLES and the
 * README's table of forms (a test holds the table to this list) come from here.
 */
public final class Forms {
    private Forms() {
    }

    /** A form: its name in the README's table, what it does, and one or more commands. */
    public record Form(String name, String what, List<String> examples) {
        Form(String name, String what, String... examples) {
            this(name, what, List.of(examples));
        }
    }

    /** In the order of the README's table. */
    public static final List<Form> ALL = List.of(
            new Form("Linux bridge", "Linux bridge: br1 is used, or created when missing and its name starts with br; the veth"
                    + " veth1pl<pid> joins the bridge, its peer is eth1 in the container.",
                    "pipework br1 web 192.168.1.10/24"),
            new Form("gateway", "Gateway: the default route of the container is replaced through 192.168.1.1; a gateway"
                    + " outside the subnet first gets an on-link host route.",
                    "pipework br1 web 192.168.1.10/24@192.168.1.1"),
            new Form("container interface", "Container interface: the interface in the container is eth2 (host side veth2pl<pid>).",
                    "pipework br1 -i eth2 web 10.0.2.10/24"),
            new Form("host interface name", "Host interface name: the host side of the veth is hostapp1.",
                    "pipework br1 -i eth2 -l hostapp1 web 10.0.2.10/24"),
            new Form("IPv6", "IPv6: -a 6 or -a inet6; without -a the family is taken from the address.",
                    "pipework br1 -a 6 web fd00:1::10/64@fd00:1::1"),
            new Form("no address", "No address: the interface is plumbed and up, without an address.",
                    "pipework br1 web 0/0"),
            new Form("MAC", "MAC address of the container interface.",
                    "pipework br1 web 10.0.0.5/24 26:2e:71:98:60:8f"),
            new Form("MAC from a name", "MAC address from a name: 02: and the first five bytes of the MD5 of the text and a"
                    + " newline, here 02:72:6c:cd:9b:8d.",
                    "pipework br1 web 10.0.0.5/24 U:myhost.foo.com"),
            new Form("Open vSwitch", "Open vSwitch: ovs0 is used, or created when missing and its name starts with ovs.",
                    "pipework ovs0 web 192.168.0.1/24"),
            new Form("VLAN on OVS", "VLAN on Open vSwitch: the port gets tag=100; MAC@100 sets both.",
                    "pipework ovs0 test1 192.168.0.1/24 @100"),
            new Form("host interface by MAC", "Host interface by MAC: the host interface whose MAC address this is.",
                    "pipework mac:52:54:00:12:34:56 web 10.0.0.5/24"),
            new Form("routes", "Routes: the rest goes to ip route inside the guest; its output and exit status are the"
                    + " command's.",
                    "pipework route web add 10.0.5.0/24 via 192.168.1.254"),
            new Form("rules", "Rules: likewise for ip rule.",
                    "pipework rule web add from 172.19.0.2/32 table 1"),
            new Form("traffic control", "Traffic control: likewise for tc.",
                    "pipework tc web qdisc add dev eth1 root tbf rate 1mbit burst 32kbit latency 400ms"),
            new Form("wait (in a container)", "Wait, inside a container, until eth1 exists, has carrier and is up; exit status 1 when it"
                    + " does not within 30 seconds.",
                    "pipework --wait -i eth1 --timeout 30"),
            new Form("physical NIC", "Physical NIC: a macvlan in bridge mode, ph<pid><cif> (cut to 15 characters), with the"
                    + " NIC's MTU, moved into the container and renamed.",
                    "pipework eth2 web 50.19.169.157/24"),
            new Form("VLAN on a NIC", "VLAN on a NIC: the 802.1Q sub-interface eth2.100 (made when missing) is the macvlan's"
                    + " parent; an eth2.100 that is not VLAN 100 is refused.",
                    "pipework eth2 web 10.100.0.5/24 @100"),
            new Form("the NIC itself", "The NIC itself moves into the container and is renamed; a wireless NIC moves with iw.",
                    "pipework --direct-phys eth1 web 192.168.1.2/24"),
            new Form("NIC by MAC", "The NIC whose MAC address this is.",
                    "pipework --direct-phys mac:00:f3:15:4a:42:c8 -i container0 web 0/0"),
            new Form("dummy", "Dummy: a dummy interface du<pid><cif>.",
                    "pipework dummy web 192.168.21.101/24@192.168.21.1"),
            new Form("IPoIB", "IPoIB: a child ib0.<pid> (ib0.8001.<pid> with pkey 0x8001); the container interface"
                    + " defaults to ib0.",
                    "pipework ib0 web 10.10.0.2/24", "pipework ib0 web 10.10.0.2/24 @8001"),
            new Form("DHCP (busybox)", "DHCP with busybox udhcpc in a helper container that shares the guest's network; it returns"
                    + " once the lease is applied; -f keeps the helper running to renew.",
                    "pipework br1 web dhcp", "pipework br1 web dhcp:-f"),
            new Form("DHCP (host client)", "DHCP with a client of the host, run in the guest's namespace (udhcpc, dhclient or dhcpcd;"
                    + " :ARGS are its arguments); udhcpc and dhclient stay to renew the lease, kept by the lease keeper,"
                    + " and del releases it; --timeout bounds the first lease (default 60 s, else exit 1).",
                    "pipework br1 web udhcpc", "pipework br1 web dhclient", "pipework br1 web dhcpcd",
                    "pipework br1 web udhcpc-f", "pipework br1 web dhclient-f:-v", "pipework --timeout 10 br1 web dhclient"),
            new Form("IPv6 by DHCPv6 or SLAAC", "IPv6 without a fixed address: dhcp6 (dhclient -6, kept as dhclient is) or slaac"
                    + " (router advertisements accepted on the interface), alone or after a host client's word.",
                    "pipework br1 web dhclient,dhcp6", "pipework br1 web udhcpc,slaac", "pipework br1 web slaac"),
            new Form("MAC for DHCP", "The same MAC address every time, so the same lease.",
                    "pipework eth0 web dhcp U:web.example.com"),
            new Form("several addresses", "Several addresses on one interface, each with its own gateway, at most one per family:"
                    + " IPv4 and IPv6 together.",
                    "pipework br1 web 10.0.0.5/24@10.0.0.1,fd00::5/64@fd00::1"),
            new Form("address pool", "An address from the pool lan (declared with pipework pool add), the one the interface"
                    + " holds already if any; @gw adds the default route through the pool's gateway; the address given"
                    + " is printed; del gives it back.",
                    "pipework pool add lan 10.0.0.0/24 --gateway 10.0.0.1", "pipework br1 web pool:lan@gw",
                    "pipework pool ls"),
            new Form("MTU", "The MTU of the new interface (both ends of a veth; a macvlan at most its parent's).",
                    "pipework --mtu 1400 br1 web 10.0.0.5/24"),
            new Form("macvlan mode", "The mode of a macvlan on a NIC: bridge (the default), private, vepa or passthru.",
                    "pipework --macvlan-mode private eth2 web 10.0.2.5/24"),
            new Form("host shim", "A macvlan on the host over the NIC, with an address, so that the host reaches the NIC's"
                    + " macvlan guests (kept when it is there already); and its removal.",
                    "pipework shim eth2 10.0.2.250/24", "pipework del shim eth2"),
            new Form("overlay", "A bridge with a VXLAN segment to other hosts, static peers or peers kept in etcd (overlay"
                    + " keep, run by pipework-overlay.service, registers and follows them): its attachments get the"
                    + " overlay's MTU; and its removal.",
                    "pipework overlay add br42 vni 42 underlay eth0 peers 192.0.2.2,192.0.2.3",
                    "pipework overlay add br43 vni 43 underlay eth0 peers etcd",
                    "pipework overlay keep",
                    "pipework overlay add ovs42 vni 42 underlay eth0 peers 192.0.2.2 mtu 1400",
                    "pipework overlay rm br42"),
            new Form("remove", "Remove what attaches made in a guest: eth1, another interface, or all of them.",
                    "pipework del web", "pipework del -i eth2 web", "pipework del --all web"),
            new Form("declare", "Declare attachments on a container: labels pipework and pipework.<suffix>, whose value"
                    + " is an attach's words without the guest (several labels, several interfaces); or lines of"
                    + " /etc/pipework/attachments, in the --batch syntax with the guest named. Nothing happens by"
                    + " itself: apply and watch read them.",
                    "docker run --label pipework=\"br1 192.168.1.10/24@192.168.1.1\" --label pipework.lan=\"ovs0 -i"
                            + " eth2 10.0.0.5/24 @100\" -d --net=none busybox sleep 1d"),
            new Form("apply", "Attach once what running containers declare and do not have. What is in place as"
                    + " declared is left alone; what is in place but different is reported, exit status 1.",
                    "pipework apply", "pipework apply --dry-run", "pipework apply --json"),
            new Form("watch", "Apply, then keep the declarations: follow the Docker engine's events; a container that"
                    + " starts gets its interfaces, one that stops loses its Open vSwitch ports and DHCP clients."
                    + " The systemd unit pipework-watch.service runs it.",
                    "pipework watch", "pipework watch -v", "pipework watch -v --config /srv/attachments"),
            new Form("network driver", "Serve Docker's network and IPAM driver API, so that docker network create -d"
                    + " pipework -o bridge=<bridge> [-o vlan=<id>] (or -o parent=<nic>) makes a network whose containers"
                    + " pipework plumbs at every start. The systemd socket pipework-docker.socket starts it on the first"
                    + " call.",
                    "pipework driver", "pipework driver --socket /run/docker/plugins/pipework.sock"),
            new Form("inspect", "Every attachment, one line each, from the live kernel and Open vSwitch state; or those of"
                    + " one guest, as JSON.",
                    "pipework status", "pipework status web --json"),
            new Form("picture", "The same attachments as a Graphviz graph: DOT, or SVG drawn by Graphviz's dot.",
                    "pipework status --graph > host.dot", "pipework status --graph=svg > host.svg"),
            new Form("recover", "Undo what runs killed midway left (their journal in /run/pipework/journal); every"
                    + " run, status and watch do it first.",
                    "pipework recover"),
            new Form("many at once", "Many invocations in one process, one per line of a file, or of standard input.",
                    "pipework --batch attach.list", "pipework --batch - < attach.list"),
            new Form("JSON result", "The result of an attach as a JSON document.",
                    "pipework --json br1 web 10.0.0.5/24@10.0.0.1"),
            new Form("dry run", "Dry run: print the commands, change nothing; also for del and --batch.",
                    "pipework --dry-run br1 web 192.168.1.10/24"),
            new Form("verbose", "Verbose: each command and its result on standard error.",
                    "pipework -v br1 web 192.168.1.10/24"));
}
