package dev.pipework.model;

/** An 802.1Q VLAN ID (1 to 4094), as given after {@code @} in the MAC argument. */
public record Vlan(int id) {

    /** ASCII decimal without leading zeros: {@code ip link ... id 0100} would read it as octal. */
    public static Vlan parse(String token) {
        int id = IpCidr.decimal(token, 4);
        if (id < 1 || id > 4094) {
            throw new InvalidValueException("VLAN \"" + token + "\" is not valid: expected a number from 1 to 4094");
        }
        return new Vlan(id);
    }

    @Override
    public String toString() {
        return Integer.toString(id);
    }
}
