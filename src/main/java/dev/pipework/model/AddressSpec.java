package dev.pipework.model;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** What the container interface gets in place of the original's {@code <ipaddr>} argument. */
public sealed interface AddressSpec permits AddressSpec.Static, AddressSpec.Several, AddressSpec.None, AddressSpec.Dhcp,
        AddressSpec.FromPool {

    /** A fixed address, with an optional default gateway. */
    record Static(IpCidr address, Optional<IpAddress> gateway) implements AddressSpec {
        @Override
        public String describe() {
            return address + gateway.map(g -> "@" + g).orElse("");
        }
    }

    /**
     * Several fixed addresses on one interface ({@code 10.0.0.5/24@10.0.0.1,fd00::5/64@fd00::1}),
     * each with its own family, at most one gateway per family. All are added, or none.
     */
    record Several(List<Static> addresses) implements AddressSpec {
        public Several {
            addresses = List.copyOf(addresses);
            if (addresses.size() < 2) {
                throw new IllegalArgumentException("several addresses need at least two");
            }
            Set<Family> gateways = EnumSet.noneOf(Family.class);
            for (Static s : addresses) {
                if (s.gateway().isPresent() && !gateways.add(s.address().family())) {
                    throw new InvalidValueException("gateway \"" + s.gateway().get() + "\" in \"" + s.describe()
                            + "\" is a second " + (s.address().family() == Family.INET ? "IPv4" : "IPv6")
                            + " gateway: at most one gateway per family");
                }
            }
        }

        @Override
        public String describe() {
            return addresses.stream().map(Static::describe).collect(Collectors.joining(","));
        }
    }

    /** {@code 0/0}: the interface is plumbed and brought up, with no address. */
    record None() implements AddressSpec {
        @Override
        public String describe() {
            return "0/0";
        }
    }

    /**
     * A DHCP client instead of an address: {@code dhcp} (busybox in a helper container), or the
     * host's {@code udhcpc}, {@code dhclient} or {@code dhcpcd}; {@code -f} keeps it running.
     */
    record Dhcp(String client, boolean foreground, String options) implements AddressSpec {
        @Override
        public String describe() {
            return client + (foreground ? "-f" : "") + (options.isEmpty() ? "" : ":" + options);
        }
    }

    /**
     * {@code pool:<name>}: an address the pool gives (the one the guest's interface holds already, if
     * any), with the pool's prefix length; {@code pool:<name>@gw} adds the default route through
     * the pool's gateway. Exchanged for a {@link Static} before planning: the planner never sees it.
     */
    record FromPool(String pool, boolean route) implements AddressSpec {
        @Override
        public String describe() {
            return "pool:" + pool + (route ? "@gw" : "");
        }
    }

    String describe();

    /** The fixed addresses: none, one, or several. */
    default List<Static> statics() {
        if (this instanceof Static s) {
            return List.of(s);
        }
        if (this instanceof Several several) {
            return several.addresses();
        }
        return List.of();
    }
}
