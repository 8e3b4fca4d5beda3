package dev.pipework.model;

/** An 802.1Q VLAN ID (1 to 4094), as given after {@code @} in the MAC argument. */
public record Vlan(int id) {

    public static Vlan parse(String token) {
        if (token.isEmpty() || token.length() > 4 || !token.chars().allMatch(Character::isDigit)) {
            throw new InvalidValueException("VLAN \"" + token + "\" is not valid: expected a number from 1 to 4094");
        }
        int id = Integer.parseInt(token);
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
