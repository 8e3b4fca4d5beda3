package dev.pipework.cli;

/** The original's Syntax lines, which scripts and users know; {@link Help} adds the rest. */
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

    private Syntax() {
    }
}
