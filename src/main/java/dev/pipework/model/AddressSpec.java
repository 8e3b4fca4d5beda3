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
     * host's {@code udhcpc}, {@code dhclient} or {@code dhcpcd}; {@code -f} is accepted as in the
     * original. The host's {@code udhcpc} and {@code dhclient} stay running to renew, kept by the
     * lease keeper.
     *
     * @param client  the original's word without {@code -f}; {@link #NO_CLIENT} when only IPv6 is asked for
     * @param timeout how long the lease may take, in seconds ({@code --timeout}); empty: {@link #DEFAULT_TIMEOUT}
     * @param ipv6    IPv6 as well (or alone): DHCPv6 or router advertisements
     */
    record Dhcp(String client, boolean foreground, String options, Optional<Integer> timeout, Optional<Ipv6Mode> ipv6)
            implements AddressSpec {
        public static final int DEFAULT_TIMEOUT = 60;
        /** The client word when no IPv4 client is asked for ({@code dhcp6} or {@code slaac} alone). */
        public static final String NO_CLIENT = "none";

        public Dhcp(String client, boolean foreground, String options) {
            this(client, foreground, options, Optional.empty(), Optional.empty());
        }

        public Dhcp {
            timeout.ifPresent(t -> {
                if (t < 1 || t > 3600) {
                    throw new InvalidValueException("DHCP timeout " + t + " s is out of range (1-3600)");
                }
            });
        }

        public int timeoutSeconds() {
            return timeout.orElse(DEFAULT_TIMEOUT);
        }

        /** Whether an IPv4 client is asked for. */
        public boolean ipv4() {
            return !client.equals(NO_CLIENT);
        }

        public Dhcp withTimeout(Optional<Integer> seconds) {
            return new Dhcp(client, foreground, options, seconds, ipv6);
        }

        @Override
        public String describe() {
            String v4 = ipv4() ? client + (foreground ? "-f" : "") + (options.isEmpty() ? "" : ":" + options) : "";
            String v6 = ipv6.map(Ipv6Mode::word).orElse("");
            return v4.isEmpty() ? v6 : v6.isEmpty() ? v4 : v4 + "," + v6;
        }
    }

    /** IPv6 without a fixed address: {@code dhcp6} (stateful DHCPv6 with {@code dhclient -6}) or {@code slaac}. */
    enum Ipv6Mode {
        DHCP6("dhcp6"), SLAAC("slaac");

        private final String word;

        Ipv6Mode(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        public static Optional<Ipv6Mode> of(String word) {
            for (Ipv6Mode m : values()) {
                if (m.word.equals(word)) {
                    return Optional.of(m);
                }
            }
            return Optional.empty();
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
