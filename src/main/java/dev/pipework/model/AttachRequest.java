package dev.pipework.model;

import java.util.Optional;

/**
 * One attach, as the original's main form asks for it:
 * {@code pipework <hostif> [-i cif] [-l lif] [-a family] <guest> <address> [mac][@vlan]}.
 *
 * @param hostInterface the host interface, bridge or keyword as typed (after {@code mac:} was resolved
 *                      it is still given here as typed; see {@link #hostInterfaceMac})
 * @param hostInterfaceMac set when the host interface was named by its MAC ({@code mac:<hwaddr>})
 * @param containerInterface {@code -i}; empty means the default ({@code eth1}, or {@code ib0} for IPoIB)
 * @param localInterface {@code -l}; empty means the original's {@code v<cif>pl<pid>}
 * @param family {@code -a}; empty means taken from the address (IPv4 when there is none)
 * @param tag    what follows {@code @} in the MAC argument: a VLAN ID, or for IPoIB a partition key
 *               in hex; checked once the kind of host interface is known
 * @param mtu    {@code --mtu}: the new interface's MTU; empty means the host interface's
 * @param macvlanMode {@code --macvlan-mode}, for the NIC forms; empty means bridge
 */
public record AttachRequest(
        String hostInterface,
        Optional<MacAddress> hostInterfaceMac,
        Optional<String> containerInterface,
        Optional<String> localInterface,
        Optional<Family> family,
        String guest,
        AddressSpec address,
        Optional<MacAddress> mac,
        Optional<String> tag,
        boolean directPhys,
        Optional<Mtu> mtu,
        Optional<MacvlanMode> macvlanMode) {

    /** A request to attach to this host interface this guest; the rest is named on the builder. */
    public static Builder on(String hostInterface, String guest) {
        return new Builder(hostInterface, guest);
    }

    /** Names what a request sets; what it does not set is the original's default. */
    public static final class Builder {
        private final String hostInterface;
        private final String guest;
        private Optional<MacAddress> hostInterfaceMac = Optional.empty();
        private Optional<String> containerInterface = Optional.empty();
        private Optional<String> localInterface = Optional.empty();
        private Optional<Family> family = Optional.empty();
        private AddressSpec address = new AddressSpec.None();
        private Optional<MacAddress> mac = Optional.empty();
        private Optional<String> tag = Optional.empty();
        private boolean directPhys;
        private Optional<Mtu> mtu = Optional.empty();
        private Optional<MacvlanMode> macvlanMode = Optional.empty();

        private Builder(String hostInterface, String guest) {
            this.hostInterface = hostInterface;
            this.guest = guest;
        }

        public Builder hostInterfaceMac(Optional<MacAddress> value) {
            hostInterfaceMac = value;
            return this;
        }

        public Builder containerInterface(Optional<String> value) {
            containerInterface = value;
            return this;
        }

        public Builder localInterface(Optional<String> value) {
            localInterface = value;
            return this;
        }

        public Builder family(Optional<Family> value) {
            family = value;
            return this;
        }

        public Builder address(AddressSpec value) {
            address = value;
            return this;
        }

        public Builder mac(Optional<MacAddress> value) {
            mac = value;
            return this;
        }

        public Builder tag(Optional<String> value) {
            tag = value;
            return this;
        }

        public Builder directPhys(boolean value) {
            directPhys = value;
            return this;
        }

        public Builder mtu(Optional<Mtu> value) {
            mtu = value;
            return this;
        }

        public Builder macvlanMode(Optional<MacvlanMode> value) {
            macvlanMode = value;
            return this;
        }

        public AttachRequest build() {
            return new AttachRequest(hostInterface, hostInterfaceMac, containerInterface, localInterface, family, guest,
                    address, mac, tag, directPhys, mtu, macvlanMode);
        }
    }

    /** The same request on another host interface (a {@code mac:} form resolved to its name). */
    public AttachRequest onHostInterface(String name) {
        return new AttachRequest(name, hostInterfaceMac, containerInterface, localInterface, family, guest, address,
                mac, tag, directPhys, mtu, macvlanMode);
    }

    /** The same request with this address (a pool's word exchanged for the address it gave). */
    public AttachRequest withAddress(AddressSpec value) {
        return new AttachRequest(hostInterface, hostInterfaceMac, containerInterface, localInterface, family, guest, value,
                mac, tag, directPhys, mtu, macvlanMode);
    }

    /** The tag read as a VLAN ID (1-4094). */
    public Optional<Vlan> vlan() {
        return tag.map(Vlan::parse);
    }

    /** The tag read as an InfiniBand partition key: one to four hex digits, as the original passes {@code pkey 0x<tag>}. */
    public Optional<String> pkey() {
        return tag.map(t -> {
            if (!t.matches("(0x)?[0-9A-Fa-f]{1,4}")) {
                throw new InvalidValueException("partition key \"" + t + "\" is not valid: expected one to four hex digits");
            }
            return (t.startsWith("0x") ? t.substring(2) : t).toLowerCase(java.util.Locale.ROOT);
        });
    }

    /** The family {@code ip} commands in the guest are given. */
    public Family effectiveFamily() {
        if (family.isPresent()) {
            return family.get();
        }
        if (!address.statics().isEmpty()) {
            return address.statics().get(0).address().family();
        }
        return Family.INET;
    }
}
