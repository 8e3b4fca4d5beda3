package dev.pipework.cli;

import dev.pipework.model.AddressSpec;
import dev.pipework.model.AttachRequest;
import dev.pipework.model.Family;
import dev.pipework.model.InterfaceName;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.IpAddress;
import dev.pipework.model.IpCidr;
import dev.pipework.model.MacAddress;
import dev.pipework.model.PipeworkException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reads the positional words of an attach the way the original script reads {@code $1 $2 $3 $4}. */
final class RequestParser {
    private static final Set<String> HOST_DHCP_CLIENTS = Set.of("udhcpc", "dhclient", "dhcpcd");

    /** Thrown when the words are too few: the original prints its Syntax lines then. */
    static final class MissingArguments extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MissingArguments() {
            super("missing arguments");
        }
    }

    private RequestParser() {
    }

    static AttachRequest attach(PipeworkCommand command) {
        List<String> words = command.words;
        if (words.size() < 3) {
            throw new MissingArguments();
        }
        if (words.size() > 4) {
            throw new InvalidValueException("unexpected argument \"" + words.get(4)
                    + "\": expected at most <hostinterface> <guest> <address> [macaddr][@vlan]");
        }
        String hostWord = words.get(0);
        Optional<MacAddress> hostMac = Optional.empty();
        if (hostWord.startsWith("mac:")) {
            hostMac = Optional.of(MacAddress.parseAny(hostWord.substring(4)));
        } else {
            InterfaceName.check("host interface", hostWord);
        }
        String guest = words.get(1);
        if (guest.isEmpty()) {
            throw new InvalidValueException("guest \"\" is not valid: expected a container name or ID");
        }
        AddressSpec address = address(words.get(2));
        if (address instanceof AddressSpec.Dhcp dhcp && command.timeoutSeconds != null) {
            address = dhcp.withTimeout(Optional.of((int) Math.max(1, Math.min(3600, Math.ceil(command.timeoutSeconds)))));
        }
        Optional<MacAddress> mac = Optional.empty();
        Optional<String> tag = Optional.empty();
        if (words.size() == 4) {
            String macWord = words.get(3);
            int at = macWord.indexOf('@');
            String macText = at < 0 ? macWord : macWord.substring(0, at);
            if (at >= 0) {
                // The tag is all that follows the first '@'. The original drops a second '@' and what
                // follows it; here it makes the tag invalid, and the run is refused naming it.
                String rest = macWord.substring(at + 1);
                if (!rest.isEmpty()) {
                    tag = Optional.of(rest);
                }
            }
            if (macText.startsWith("U:")) {
                mac = Optional.of(MacAddress.fromUniqueText(macText.substring(2)));
            } else if (!macText.isEmpty()) {
                mac = Optional.of(MacAddress.parse(macText));
            }
        }
        Optional<Family> family = Optional.ofNullable(command.family);
        for (AddressSpec.Static s : address.statics()) {
            if (family.isPresent() && s.address().family() != family.get()) {
                throw new InvalidValueException("address " + s.address() + " is not of the family asked for with -a ("
                        + (family.get() == Family.INET ? "inet" : "inet6") + ")");
            }
        }
        return AttachRequest.on(hostWord, guest).hostInterfaceMac(hostMac)
                .containerInterface(Optional.ofNullable(command.containerInterface))
                .localInterface(Optional.ofNullable(command.localInterface)).family(family).address(address).mac(mac)
                .tag(tag).directPhys(command.directPhys).mtu(Optional.ofNullable(command.mtu))
                .macvlanMode(Optional.ofNullable(command.macvlanMode)).build();
    }

    static AddressSpec address(String word) {
        if (word.startsWith("pool:")) {
            return pool(word);
        }
        Optional<AddressSpec.Ipv6Mode> alone = AddressSpec.Ipv6Mode.of(word);
        if (alone.isPresent()) {
            return new AddressSpec.Dhcp(AddressSpec.Dhcp.NO_CLIENT, false, "", Optional.empty(), alone);
        }
        int comma = word.lastIndexOf(',');
        Optional<AddressSpec.Ipv6Mode> v6 = comma < 0 ? Optional.empty() : AddressSpec.Ipv6Mode.of(word.substring(comma + 1));
        if (v6.isPresent()) {
            // <dhcp form>,dhcp6 or <dhcp form>,slaac: dual stack, IPv4 by the original's client.
            if (!(dhcpWord(word.substring(0, comma)) instanceof AddressSpec.Dhcp v4) || v4.client().equals("dhcp")) {
                throw new InvalidValueException("address \"" + word + "\": " + v6.get().word()
                        + " goes with udhcpc, dhclient or dhcpcd (udhcpc,dhcp6 or dhclient,slaac), or alone");
            }
            return new AddressSpec.Dhcp(v4.client(), v4.foreground(), v4.options(), Optional.empty(), v6);
        }
        AddressSpec dhcp = dhcpWord(word);
        if (dhcp != null) {
            return dhcp;
        }
        if (word.indexOf(',') >= 0) {
            return several(word);
        }
        return single(word);
    }

    /** The original's DHCP words ({@code dhcp[:opts]}, {@code udhcpc[-f][:opts]}, ...), or null. */
    private static AddressSpec dhcpWord(String word) {
        if (word.equals("dhcp") || word.startsWith("dhcp:")) {
            return new AddressSpec.Dhcp("dhcp", false, options(word));
        }
        String client = word.contains(":") && !word.contains("/") ? word.substring(0, word.indexOf(':')) : word;
        boolean foreground = client.endsWith("-f");
        String bare = foreground ? client.substring(0, client.length() - 2) : client;
        if (HOST_DHCP_CLIENTS.contains(bare) && !(foreground && bare.equals("dhcpcd"))) {
            return new AddressSpec.Dhcp(bare, foreground, options(word));
        }
        return null;
    }

    /**
     * {@code <addr>/<prefix>[@gateway],<addr>/<prefix>[@gateway]...}: several fixed addresses on one
     * interface, each with its own family and optional gateway.
     */
    private static AddressSpec several(String word) {
        List<AddressSpec.Static> addresses = new ArrayList<>();
        for (String part : word.split(",", -1)) {
            if (part.isEmpty()) {
                throw new InvalidValueException("address list \"" + word + "\" has an empty entry");
            }
            if (!(single(part) instanceof AddressSpec.Static s)) {
                throw new InvalidValueException("address \"" + part + "\" in \"" + word
                        + "\" is not valid in a list: each entry is <address>/<prefix>[@gateway]");
            }
            addresses.add(s);
        }
        return new AddressSpec.Several(addresses);
    }

    private static AddressSpec single(String word) {
        int slash = word.indexOf('/');
        if (slash < 0) {
            throw PipeworkException.original("The IP address should include a netmask.\nMaybe you meant " + word + "/24 ?");
        }
        int at = word.indexOf('@');
        String cidrText = at < 0 ? word : word.substring(0, at);
        Optional<IpAddress> gateway = Optional.empty();
        if (at >= 0) {
            String rest = word.substring(at + 1);
            int next = rest.indexOf('@');
            String gatewayText = next < 0 ? rest : rest.substring(0, next);
            gateway = Optional.of(IpAddress.parse("gateway", gatewayText, word));
        }
        if (cidrText.equals("0/0")) {
            if (gateway.isPresent()) {
                throw new InvalidValueException("gateway \"" + gateway.get()
                        + "\" needs an address: 0/0 plumbs the interface without one");
            }
            return new AddressSpec.None();
        }
        IpCidr cidr = IpCidr.parse(cidrText);
        if (cidr.isUnspecifiedDefault() && gateway.isEmpty()) {
            return new AddressSpec.None();
        }
        if (gateway.isPresent() && gateway.get().family() != cidr.family()) {
            throw new InvalidValueException("gateway \"" + gateway.get() + "\" is not of the same family as the address "
                    + cidr);
        }
        return new AddressSpec.Static(cidr, gateway);
    }

    /** {@code pool:<name>} or {@code pool:<name>@gw}: an address the pool gives, the default route through its gateway. */
    private static AddressSpec pool(String word) {
        String rest = word.substring(5);
        boolean route = rest.endsWith("@gw");
        String name = route ? rest.substring(0, rest.length() - 3) : rest;
        if (!name.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}")) {
            throw new InvalidValueException("address \"" + word + "\" is not valid: expected pool:<name> or pool:<name>@gw,"
                    + " the name 1 to 32 letters, digits, '_', '.' or '-'");
        }
        return new AddressSpec.FromPool(name, route);
    }

    private static String options(String word) {
        int colon = word.indexOf(':');
        return colon < 0 ? "" : word.substring(colon + 1);
    }
}
