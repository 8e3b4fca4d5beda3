package dev.pipework.cli;

/** The usage text: the original's Syntax lines, which scripts and users know, then what this tool adds. */
final class Syntax {
    static final String ORIGINAL = String.join("\n",
            "Syntax:",
            "pipework <hostinterface> [-i containerinterface] [-l localinterfacename] [-a addressfamily] <guest> <ipaddr>/<subnet>[@default_gateway] [macaddr][@vlan]",
            "pipework <hostinterface> [-i containerinterface] [-l localinterfacename] <guest> dhcp [macaddr][@vlan]",
            "pipework mac:<hostinterface_macaddress> [-i containerinterface] [-l localinterfacename] [-a addressfamily] <guest> <ipaddr>/<subnet>[@default_gateway] [macaddr][@vlan]",
            "pipework mac:<hostinterface_macaddress> [-i containerinterface] [-l localinterfacename] <guest> dhcp [macaddr][@vlan]",
            "pipework route <guest> <route_command>",
            "pipework rule <guest> <rule_command>",
            "pipework tc <guest> <tc_command>",
            "pipework --wait [-i containerinterface]",
            "");

    static final String ADDED = String.join("\n",
            "",
            "<guest> is an LXC container name, a Docker container name or ID, the container ID of an",
            "attachment made as a CNI plugin, a podman container name or ID, a named network namespace",
            "(ip netns), a PID, or the path of a network namespace file; a word is looked up in that order.",
            "",
            "<ipaddr>/<subnet>[@default_gateway] may be a comma-separated list, at most one gateway",
            "per family: pipework br1 web 10.0.0.5/24@10.0.0.1,fd00::5/64@fd00::1",
            "",
            "More forms:",
            "pipework del [-i containerinterface] [--all] <guest>",
            "pipework status [<guest>] [--json | --graph[=svg]]",
            "pipework shim <nic> <ipaddr>/<subnet>      a host macvlan through which the host reaches",
            "                                           the NIC's macvlan guests; pipework del shim <nic>",
            "pipework apply [--config file]             attach what containers declare (labels pipework,",
            "                                           pipework.*; /etc/pipework/attachments)",
            "pipework watch [--config file]             apply, then keep it across restarts",
            "CNI_COMMAND=ADD ... pipework < conf.json   the CNI plugin (also as lib/cni/pipework)",
            "",
            "Options:",
            "  --direct-phys        move the physical interface itself into the guest",
            "  --mtu <bytes>        MTU of the new interface (68-65535; default: the host interface's)",
            "  --macvlan-mode <m>   bridge (default), private, vepa or passthru, for a macvlan on a NIC",
            "  --dry-run            print the commands an attach would run, and change nothing",
            "  --timeout <seconds>  with --wait: give up after this long (exit 1)",
            "  -v, --verbose        show every command run, and its result, on stderr",
            "  -h, --help           show this text",
            "  --version            show the version",
            "");

    private Syntax() {
    }
}
