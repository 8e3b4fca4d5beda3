package dev.pipework.model;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An address pool: a named subnet, its gateway, the ranges addresses are given from (the whole
 * subnet when none) and the addresses never given. The subnet's own address, and for IPv4 its
 * broadcast address, and the gateway are never given.
 *
 * @param name       letters, digits, {@code _ . -}, at most 32, not starting with {@code . -}
 * @param subnet     the subnet, its address the network's (host bits zero)
 * @param gateway    the subnet's router: never given, and the default route with {@code pool:<name>@gw}
 * @param ranges     where addresses are given from, in order; empty for the whole subnet
 * @param exclusions addresses never given
 */
public record Pool(String name, IpCidr subnet, Optional<IpAddress> gateway, List<Range> ranges,
                   List<Range> exclusions) {

    /** The largest pool: its allocation looks at each free address in turn. */
    public static final BigInteger MAX_SIZE = BigInteger.valueOf(1 << 20);

    /** An inclusive range of addresses, {@code first-last}, or one address. */
    public record Range(IpAddress first, IpAddress last) {
        public Range {
            if (first.family() != last.family() || number(first).compareTo(number(last)) > 0) {
                throw new InvalidValueException("range \"" + first + "-" + last + "\" is not valid: "
                        + "expected <first>-<last> of one family, first not after last");
            }
        }

        /** {@code a.b.c.d} or {@code a.b.c.d-a.b.c.e}. */
        public static Range parse(String text) {
            int dash = text.indexOf('-');
            if (dash < 0) {
                IpAddress one = IpAddress.parse("address", text, text);
                return new Range(one, one);
            }
            return new Range(IpAddress.parse("address", text.substring(0, dash), text),
                    IpAddress.parse("address", text.substring(dash + 1), text));
        }

        public boolean contains(BigInteger n) {
            return number(first).compareTo(n) <= 0 && n.compareTo(number(last)) <= 0;
        }

        @Override
        public String toString() {
            return first.equals(last) ? first.toString() : first + "-" + last;
        }
    }

    public Pool {
        if (!name.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}")) {
            throw new InvalidValueException("pool name \"" + name + "\" is not valid: expected 1 to 32 letters, digits,"
                    + " '_', '.' or '-', not starting with '.' or '-'");
        }
        ranges = List.copyOf(ranges);
        exclusions = List.copyOf(exclusions);
        BigInteger hostMask = BigInteger.ONE.shiftLeft(subnet.family().bits() - subnet.prefix()).subtract(BigInteger.ONE);
        if (!new BigInteger(1, subnet.bytes()).and(hostMask).equals(BigInteger.ZERO)) {
            throw new InvalidValueException("subnet \"" + subnet + "\" of pool \"" + name
                    + "\" has host bits set: expected the network's address");
        }
        if (subnet.family().bits() - subnet.prefix() < 2) {
            throw new InvalidValueException("subnet \"" + subnet + "\" of pool \"" + name + "\" is too small");
        }
        if (gateway.isPresent() && !subnet.contains(gateway.get().bytes())) {
            throw new InvalidValueException("gateway \"" + gateway.get() + "\" of pool \"" + name + "\" is not in "
                    + subnet);
        }
        for (Range r : ranges) {
            if (!subnet.contains(r.first().bytes()) || !subnet.contains(r.last().bytes())) {
                throw new InvalidValueException("range \"" + r + "\" of pool \"" + name + "\" is not in " + subnet);
            }
        }
        for (Range r : exclusions) {
            if (r.first().family() != subnet.family()) {
                throw new InvalidValueException("exclusion \"" + r + "\" of pool \"" + name + "\" is not of its family");
            }
        }
        BigInteger total = BigInteger.ZERO;
        for (BigInteger[] span : spans(subnet, ranges)) {
            total = total.add(span[1].subtract(span[0]).add(BigInteger.ONE));
        }
        if (total.compareTo(MAX_SIZE) > 0) {
            throw new InvalidValueException("pool \"" + name + "\" has more than " + MAX_SIZE
                    + " addresses: give it ranges");
        }
    }

    /** The address as a number. */
    public static BigInteger number(IpAddress address) {
        return new BigInteger(1, address.bytes());
    }

    /** The address of this family that is this number. */
    public IpAddress address(BigInteger n) {
        byte[] raw = n.toByteArray();
        byte[] b = new byte[subnet.bytes().length];
        int copy = Math.min(raw.length, b.length);
        System.arraycopy(raw, raw.length - copy, b, b.length - copy, copy);
        return new IpAddress(subnet.family(), b);
    }

    /** The address with the pool's prefix length, as an interface gets it. */
    public IpCidr cidr(IpAddress address) {
        return new IpCidr(address.family(), address.bytes(), subnet.prefix());
    }

    /** Whether the pool could ever give this address (in a range, not excluded, not reserved). */
    public boolean gives(IpAddress address) {
        if (address.family() != subnet.family() || !subnet.contains(address.bytes())) {
            return false;
        }
        BigInteger n = number(address);
        if (!ranges.isEmpty() && ranges.stream().noneMatch(r -> r.contains(n))) {
            return false;
        }
        return !reserved(n);
    }

    /** Whether the subnet holds this address (the pool then keeps it, given or fixed). */
    public boolean holds(IpAddress address) {
        return address.family() == subnet.family() && subnet.contains(address.bytes());
    }

    private boolean reserved(BigInteger n) {
        BigInteger network = number(new IpAddress(subnet.family(), subnet.bytes()));
        BigInteger last = network.add(BigInteger.ONE.shiftLeft(subnet.family().bits() - subnet.prefix()))
                .subtract(BigInteger.ONE);
        if (n.equals(network) || (subnet.family() == Family.INET && n.equals(last))) {
            return true;
        }
        if (gateway.isPresent() && number(gateway.get()).equals(n)) {
            return true;
        }
        return exclusions.stream().anyMatch(r -> r.contains(n));
    }

    /** The spans addresses are given from, in order. */
    public List<BigInteger[]> spans() {
        return spans(subnet, ranges);
    }

    private static List<BigInteger[]> spans(IpCidr subnet, List<Range> ranges) {
        List<BigInteger[]> spans = new ArrayList<>();
        if (ranges.isEmpty()) {
            BigInteger network = number(new IpAddress(subnet.family(), subnet.bytes()));
            BigInteger last = network.add(BigInteger.ONE.shiftLeft(subnet.family().bits() - subnet.prefix()))
                    .subtract(BigInteger.ONE);
            spans.add(new BigInteger[] {network, last});
        } else {
            for (Range r : ranges) {
                spans.add(new BigInteger[] {number(r.first()), number(r.last())});
            }
        }
        return spans;
    }

    /** How many addresses the pool can give. */
    public long capacity() {
        long count = 0;
        for (BigInteger[] span : spans()) {
            for (BigInteger n = span[0]; n.compareTo(span[1]) <= 0; n = n.add(BigInteger.ONE)) {
                if (!reserved(n)) {
                    count++;
                }
            }
        }
        return count;
    }

    /** The pool as a line of the pools file. */
    public String line() {
        StringBuilder sb = new StringBuilder("pool ").append(name).append(' ').append(subnet);
        gateway.ifPresent(g -> sb.append(" gateway ").append(g));
        ranges.forEach(r -> sb.append(" range ").append(r));
        exclusions.forEach(r -> sb.append(" exclude ").append(r));
        return sb.toString();
    }
}
