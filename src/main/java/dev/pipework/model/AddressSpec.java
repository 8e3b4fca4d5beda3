package dev.pipework.model;

import java.util.Optional;

/** What the container interface gets in place of the original's {@code <ipaddr>} argument. */
public sealed interface AddressSpec permits AddressSpec.Static, AddressSpec.None, AddressSpec.Dhcp {

    /** A fixed address, with an optional default gateway. */
    record Static(IpCidr address, Optional<IpAddress> gateway) implements AddressSpec {
        @Override
        public String describe() {
            return address + gateway.map(g -> "@" + g).orElse("");
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

    String describe();
}
