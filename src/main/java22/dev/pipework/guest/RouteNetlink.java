package dev.pipework.guest;

import dev.pipework.model.IpCidr;
import dev.pipework.plan.GuestLink;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a network namespace's links and addresses over rtnetlink from this process: what
 * {@code ip -n <namespace> -d addr show} and {@code ip netns list} print there, as
 * {@link IpGuestInspector} makes its links from them, without starting a program. The socket is made by a thread of its own that {@code setns(2)} moves into the namespace:
 * a netlink socket belongs to the namespace it was made in, whichever thread uses it, and that
 * thread ends with the reading, so no thread of this process is ever left in a guest's namespace.
 * What the kernel answers about a guest's links (names, aliases) is the guest's to choose: sizes
 * are bounded and the text is decoded leniently.
 */
public final class RouteNetlink {

    private static final short NLMSG_ERROR = 2;
    private static final short NLMSG_DONE = 3;
    private static final short RTM_NEWLINK = 16;
    private static final short RTM_GETLINK = 18;
    private static final short RTM_NEWADDR = 20;
    private static final short RTM_GETADDR = 22;
    private static final short RTM_NEWNSID = 88;
    private static final short RTM_GETNSID = 90;
    private static final short NLM_F_REQUEST = 0x1;
    private static final short NLM_F_DUMP = 0x300;
    private static final short NLM_F_DUMP_INTR = 0x10;

    private static final int IFLA_ADDRESS = 1;
    private static final int IFLA_IFNAME = 3;
    private static final int IFLA_MTU = 4;
    private static final int IFLA_LINK = 5;
    private static final int IFLA_OPERSTATE = 16;
    private static final int IFLA_LINKINFO = 18;
    private static final int IFLA_INFO_KIND = 1;
    private static final int IFLA_IFALIAS = 20;
    private static final int IFLA_LINK_NETNSID = 37;
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;
    private static final int NETNSA_NSID = 1;
    private static final int NETNSA_FD = 3;

    /** iproute2's names of {@code IF_OPER_*}, by value. */
    private static final String[] OPER_STATES = {"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING",
            "DORMANT", "UP"};
    private static final int SCOPE_LINK = 253;
    private static final int SCOPE_HOST = 254;

    /** A dump's datagrams: the kernel makes them at most 32 KiB; a larger one is reported, not cut. */
    private static final int BUFFER = 64 * 1024;
    /** Beyond this much answer a namespace is read by {@code ip}, which bounds its output. */
    private static final long MAX_ANSWER = 16L * 1024 * 1024;
    /** A dump the kernel marks interrupted (a link changed meanwhile) is asked again, this many times in all. */
    private static final int DUMP_TRIES = 3;

    private RouteNetlink() {
    }

    /** Whether this JVM reads namespaces over rtnetlink: the C library's functions were found and may be called. */
    public static boolean available() {
        return Libc.HANDLES != null;
    }

    /** The links of the namespace of this file ({@code /proc/<pid>/ns/net}, a bind mount of one). */
    public static List<GuestLink> read(String netnsPath) throws IOException {
        if (!available()) {
            throw new IOException("the C library's functions cannot be called here: " + Libc.WHY);
        }
        Object[] outcome = new Object[1];
        Thread reader = new Thread(() -> {
            try {
                outcome[0] = readHere(netnsPath);
            } catch (IOException | RuntimeException e) {
                outcome[0] = e;
            } catch (Throwable t) {
                outcome[0] = new IOException(String.valueOf(t), t);
            }
        }, "rtnetlink");
        reader.setDaemon(true);
        reader.start();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + netnsPath);
        }
        if (outcome[0] instanceof List<?> links) {
            return links.stream().map(GuestLink.class::cast).toList();
        }
        if (outcome[0] instanceof IOException e) {
            throw e;
        }
        throw new IOException(String.valueOf(outcome[0]), (Throwable) outcome[0]);
    }

    /** On the reading's own thread, which it leaves in the namespace read. */
    private static List<GuestLink> readHere(String netnsPath) throws IOException {
        Libc c = Libc.HANDLES;
        try (Arena arena = Arena.ofConfined()) {
            int host = c.open(arena, "/proc/self/ns/net");
            try {
                int guest = c.open(arena, netnsPath);
                try {
                    c.setns(arena, guest, netnsPath);
                } finally {
                    c.close(guest);
                }
                int socket = c.socket(arena);
                try {
                    Session session = new Session(c, arena, socket);
                    Optional<Integer> hostNsid = session.hostNsid(host);
                    for (int tries = 1; ; tries++) {
                        try {
                            return session.links(hostNsid);
                        } catch (Interrupted e) {
                            if (tries == DUMP_TRIES) {
                                throw new IOException("the links of " + netnsPath + " kept changing while read");
                            }
                        }
                    }
                } finally {
                    c.close(socket);
                }
            } finally {
                c.close(host);
            }
        }
    }

    /** A dump the kernel marked {@code NLM_F_DUMP_INTR}. */
    private static final class Interrupted extends Exception {
        private static final long serialVersionUID = 1L;

        Interrupted() {
            super(null, null, false, false);
        }
    }

    /** One socket's requests and answers. */
    private static final class Session {
        private final Libc c;
        private final Arena arena;
        private final int socket;
        private final MemorySegment buffer;
        private int sequence;

        Session(Libc c, Arena arena, int socket) {
            this.c = c;
            this.arena = arena;
            this.socket = socket;
            this.buffer = arena.allocate(BUFFER, 8);
        }

        /** {@code RTM_GETNSID} of the namespace file descriptor {@code host}: the id given it here, if any. */
        Optional<Integer> hostNsid(int host) throws IOException {
            ByteBuffer request = header(28, RTM_GETNSID, NLM_F_REQUEST);
            request.put(16, (byte) 0); // rtgenmsg: AF_UNSPEC, padded to 4
            request.putShort(20, (short) 8).putShort(22, (short) NETNSA_FD).putInt(24, host);
            List<Integer> id = new ArrayList<>(1);
            try {
                exchange(request, false, (type, message, start, end) -> {
                    if (type == RTM_NEWNSID) {
                        for (int at = start + 4; at + 4 <= end; at = next(message, at)) {
                            if (attribute(message, at) == NETNSA_NSID && length(message, at) >= 8) {
                                int nsid = message.getInt(at + 4);
                                id.clear();
                                if (nsid >= 0) {
                                    id.add(nsid);
                                }
                            }
                        }
                    }
                });
            } catch (Interrupted e) {
                throw new IOException("an id request marked interrupted");
            }
            return id.stream().findFirst();
        }

        /**
         * {@code RTM_GETLINK}, then {@code RTM_GETADDR} of every family, each a dump; a link's peer is
         * in the host when the id of its namespace is the one given the host's ({@code hostNsid}).
         */
        List<GuestLink> links(Optional<Integer> hostNsid) throws IOException, Interrupted {
            Map<Integer, Link> links = new LinkedHashMap<>();
            exchange(header(32, RTM_GETLINK, (short) (NLM_F_REQUEST | NLM_F_DUMP)), true, (type, m, start, end) -> {
                if (type == RTM_NEWLINK && end - start >= 16) {
                    Link link = link(m, start, end);
                    links.put(link.index, link);
                }
            });
            exchange(header(24, RTM_GETADDR, (short) (NLM_F_REQUEST | NLM_F_DUMP)), true, (type, m, start, end) -> {
                if (type == RTM_NEWADDR && end - start >= 8) {
                    address(m, start, end, links);
                }
            });
            List<GuestLink> all = new ArrayList<>(links.size());
            for (Link l : links.values()) {
                if (l.name != null) {
                    boolean peerInHost = hostNsid.isPresent() && l.linkNetnsid.equals(hostNsid);
                    all.add(new GuestLink(l.name, l.index, l.kind, l.alias, l.linkIndex, peerInHost, l.mac, l.mtu,
                            l.operstate, l.addresses));
                }
            }
            return all;
        }

        private ByteBuffer header(int length, short type, short flags) {
            ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
            b.putInt(0, length).putShort(4, type).putShort(6, flags).putInt(8, ++sequence).putInt(12, 0);
            return b;
        }

        interface Handler {
            void message(short type, ByteBuffer message, int start, int end) throws IOException;
        }

        /** Sends the request and hands each answer's message to {@code handler} until the last. */
        private void exchange(ByteBuffer request, boolean dump, Handler handler) throws IOException, Interrupted {
            c.send(arena, socket, request.array());
            int seq = request.getInt(8);
            long total = 0;
            boolean interrupted = false;
            while (true) {
                int n = c.receive(arena, socket, buffer);
                if (n > BUFFER) {
                    throw new IOException("an rtnetlink answer of " + n + " bytes");
                }
                total += n;
                if (total > MAX_ANSWER) {
                    throw new IOException("an rtnetlink answer of over " + MAX_ANSWER + " bytes");
                }
                ByteBuffer m = ByteBuffer.wrap(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE))
                        .order(ByteOrder.nativeOrder());
                for (int at = 0; at + 16 <= n; ) {
                    int length = m.getInt(at);
                    if (length < 16 || at + length > n) {
                        throw new IOException("a malformed rtnetlink answer");
                    }
                    short type = m.getShort(at + 4);
                    short flags = m.getShort(at + 6);
                    if (m.getInt(at + 8) == seq) {
                        interrupted |= (flags & NLM_F_DUMP_INTR) != 0;
                        if (type == NLMSG_DONE) {
                            if (interrupted) {
                                throw new Interrupted();
                            }
                            return;
                        }
                        if (type == NLMSG_ERROR) {
                            int error = length >= 20 ? m.getInt(at + 16) : 0;
                            if (error != 0) {
                                throw new IOException("rtnetlink answered error " + -error);
                            }
                            return;
                        }
                        handler.message(type, m, at + 16, at + length);
                        if (!dump) {
                            return;
                        }
                    }
                    at += align(length);
                }
            }
        }
    }

    /** A link as its {@code RTM_NEWLINK} gives it, then its addresses. */
    private static final class Link {
        int index;
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
    private static Link link(ByteBuffer m, int start, int end) {
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
                case IFLA_LINK -> iflink = payload >= 4 ? m.getInt(at + 4) : 0;
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
    private static void address(ByteBuffer m, int start, int end, Map<Integer, Link> links) {
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
    private static String hardwareAddress(ByteBuffer m, int at, int length, int arpType) {
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

    private static int attribute(ByteBuffer m, int at) {
        return Short.toUnsignedInt(m.getShort(at + 2)) & 0x3fff;
    }

    private static int length(ByteBuffer m, int at) {
        return Short.toUnsignedInt(m.getShort(at));
    }

    private static int next(ByteBuffer m, int at) {
        return at + Math.max(4, align(length(m, at)));
    }

    private static int align(int length) {
        return (length + 3) & ~3;
    }

    /** A C string attribute, up to its first NUL; bytes that are not UTF-8 are replaced. */
    private static String string(ByteBuffer m, int at, int length) {
        int n = 0;
        while (n < length && m.get(at + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        m.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
