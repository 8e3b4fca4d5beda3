package dev.pipework.guest;

import dev.pipework.model.IpCidr;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * rtnetlink's link and address messages as {@link RouteNetlink} decodes them: {@code struct ifinfomsg}
 * and {@code struct ifaddrmsg}, then their attributes, each bounded by its message.
 */
final class RouteMessages {
    private static final int IFLA_ADDRESS = 1;
    private static final int IFLA_IFNAME = 3;
    private static final int IFLA_MTU = 4;
    private static final int IFLA_LINK = 5;
    private static final int IFLA_MASTER = 10;
    private static final int IFLA_OPERSTATE = 16;
    private static final int IFLA_LINKINFO = 18;
    private static final int IFLA_INFO_KIND = 1;
    private static final int IFLA_IFALIAS = 20;
    private static final int IFLA_LINK_NETNSID = 37;
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;
    /** iproute2's names of {@code IF_OPER_*}, by value. */
    private static final String[] OPER_STATES = {"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING",
            "DORMANT", "UP"};
    private static final int SCOPE_LINK = 253;
    private static final int SCOPE_HOST = 254;

    private RouteMessages() {
    }

    /** A link as its {@code RTM_NEWLINK} gives it, then its addresses. */
    static final class Link {
        int index;
        /** {@code IFLA_LINK}, which the kernel leaves out where {@code iflink} is the link's own index. */
        Optional<Integer> iflink = Optional.empty();
        int master;
        String name;
        String kind = "";
        String alias = "";
        Optional<Integer> linkIndex = Optional.empty();
        Optional<Integer> linkNetnsid = Optional.empty();
        String mac = "";
        int mtu;
        String operstate = "UNKNOWN";
        final List<String> addresses = new ArrayList<>();
    }

    /** {@code struct ifinfomsg}, then its attributes; {@code link_index} as iproute2 prints it. */
    static Link link(ByteBuffer m, int start, int end) {
        Link link = new Link();
        int arpType = Short.toUnsignedInt(m.getShort(start + 2));
        link.index = m.getInt(start + 4);
        int iflink = 0;
        Optional<Integer> netnsid = Optional.empty();
        for (int at = start + 16; at + 4 <= end; at = next(m, at)) {
            int payload = length(m, at) - 4;
            if (payload < 0 || at + 4 + payload > end) {
                break;
            }
            switch (attribute(m, at)) {
                case IFLA_IFNAME -> link.name = string(m, at + 4, payload);
                case IFLA_IFALIAS -> link.alias = string(m, at + 4, payload);
                case IFLA_MTU -> link.mtu = payload >= 4 ? m.getInt(at + 4) : 0;
                case IFLA_LINK -> {
                    iflink = payload >= 4 ? m.getInt(at + 4) : 0;
                    link.iflink = Optional.of(iflink);
                }
                case IFLA_MASTER -> link.master = payload >= 4 ? m.getInt(at + 4) : 0;
                case IFLA_LINK_NETNSID -> netnsid = payload >= 4 ? Optional.of(m.getInt(at + 4)) : Optional.empty();
                case IFLA_OPERSTATE -> {
                    int state = payload >= 1 ? Byte.toUnsignedInt(m.get(at + 4)) : 0;
                    link.operstate = state < OPER_STATES.length ? OPER_STATES[state] : "UNKNOWN";
                }
                case IFLA_ADDRESS -> link.mac = hardwareAddress(m, at + 4, payload, arpType);
                case IFLA_LINKINFO -> {
                    for (int in = at + 4; in + 4 <= at + 4 + payload; in = next(m, in)) {
                        int inner = length(m, in) - 4;
                        if (inner < 0 || in + 4 + inner > at + 4 + payload) {
                            break;
                        }
                        if (attribute(m, in) == IFLA_INFO_KIND) {
                            link.kind = string(m, in + 4, inner);
                        }
                    }
                }
                default -> {
                }
            }
        }
        link.linkNetnsid = netnsid;
        if (iflink != 0 && netnsid.isPresent()) {
            link.linkIndex = Optional.of(iflink);
        }
        return link;
    }

    /** {@code struct ifaddrmsg}, then its attributes: {@code local}, else {@code address}, as iproute2 prints. */
    static void address(ByteBuffer m, int start, int end, Map<Integer, Link> links) {
        int prefix = Byte.toUnsignedInt(m.get(start + 1));
        int scope = Byte.toUnsignedInt(m.get(start + 3));
        Link link = links.get(m.getInt(start + 4));
        if (link == null || scope == SCOPE_LINK || scope == SCOPE_HOST) {
            return;
        }
        byte[] local = null;
        byte[] address = null;
        for (int at = start + 8; at + 4 <= end; at = next(m, at)) {
            int payload = length(m, at) - 4;
            if (payload < 0 || at + 4 + payload > end) {
                break;
            }
            if ((payload == 4 || payload == 16) && (attribute(m, at) == IFA_LOCAL || attribute(m, at) == IFA_ADDRESS)) {
                byte[] bytes = new byte[payload];
                m.get(at + 4, bytes);
                if (attribute(m, at) == IFA_LOCAL) {
                    local = bytes;
                } else {
                    address = bytes;
                }
            }
        }
        byte[] shown = local != null ? local : address;
        if (shown != null) {
            link.addresses.add(IpCidr.format(shown) + "/" + prefix);
        }
    }

    /** iproute2's {@code ll_addr_n2a}: an IPv4 tunnel's and an IPv6 tunnel's address as addresses, else hex pairs. */
    static String hardwareAddress(ByteBuffer m, int at, int length, int arpType) {
        byte[] bytes = new byte[length];
        m.get(at, bytes);
        boolean ipv4Tunnel = length == 4 && (arpType == 768 || arpType == 776 || arpType == 778);
        boolean ipv6Tunnel = length == 16 && (arpType == 769 || arpType == 823);
        if (ipv4Tunnel || ipv6Tunnel) {
            return IpCidr.format(bytes);
        }
        StringBuilder s = new StringBuilder(length * 3);
        for (byte b : bytes) {
            if (s.length() > 0) {
                s.append(':');
            }
            s.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return s.toString();
    }

    static int attribute(ByteBuffer m, int at) {
        return Short.toUnsignedInt(m.getShort(at + 2)) & 0x3fff;
    }

    static int length(ByteBuffer m, int at) {
        return Short.toUnsignedInt(m.getShort(at));
    }

    static int next(ByteBuffer m, int at) {
        return at + Math.max(4, align(length(m, at)));
    }

    static int align(int length) {
        return (length + 3) & ~3;
    }

    /** A C string attribute, up to its first NUL; bytes that are not UTF-8 are replaced. */
    static String string(ByteBuffer m, int at, int length) {
        int n = 0;
        while (n < length && m.get(at + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        m.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
