package dev.pipework.guest;

import dev.pipework.guest.RouteMessages.Link;
import dev.pipework.plan.GuestLink;
import dev.pipework.plan.HostLink;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.pipework.guest.RouteMessages.align;
import static dev.pipework.guest.RouteMessages.attribute;
import static dev.pipework.guest.RouteMessages.length;
import static dev.pipework.guest.RouteMessages.next;

/**
 * Reads a network namespace's links and addresses over rtnetlink from this process: what
 * {@code ip -n <namespace> -d addr show} and {@code ip netns list} print there, as
 * {@link IpGuestInspector} makes its links from them, without starting a program. The socket is made
 * by a reading thread that {@code setns(2)} moves into the namespace (a netlink socket belongs to the
 * namespace it was made in, whichever thread uses it); the thread reads nothing else there, and goes
 * back to the host's namespace for the next reading or ends, so no thread of this process that runs
 * anything else is ever in a guest's namespace.
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

    private static final int NETNSA_NSID = 1;
    private static final int NETNSA_FD = 3;


    /** A dump's datagrams: the kernel makes them at most 32 KiB; a larger one is reported, not cut. */
    private static final int BUFFER = 64 * 1024;
    /** Beyond this much answer a namespace is read by {@code ip}, which bounds its output. */
    private static final long MAX_ANSWER = 16L * 1024 * 1024;
    /** A dump the kernel marks interrupted (a link changed meanwhile) is asked again, this many times in all. */
    private static final int DUMP_TRIES = 3;
    /** A reading thread waits this long for the next reading, then ends. */
    private static final long IDLE_MILLIS = 200;
    /** A reader taken from {@link #IDLE} is on its way to wait: this long at most. */
    private static final long HANDOVER_MILLIS = 20;
    /** Reading threads made so far, which name them. */
    private static final AtomicInteger STARTED = new AtomicInteger();
    /** The reading threads back in the host's namespace and waiting, the last to come back first. */
    private static final ConcurrentLinkedDeque<Reader> IDLE = new ConcurrentLinkedDeque<>();

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
        Reading reading = new Reading(netnsPath);
        Reader idle;
        do {
            idle = IDLE.pollFirst();
        } while (idle != null && !handedOver(idle, reading));
        if (idle == null) {
            // Made by this thread, which is in the host's namespace: so is the new thread.
            Thread reader = new Thread(new Reader(reading), "rtnetlink-" + STARTED.incrementAndGet());
            reader.setDaemon(true);
            reader.start();
        }
        Object outcome;
        try {
            outcome = reading.outcome.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + netnsPath);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(String.valueOf(e.getCause()), e.getCause());
        }
        if (outcome instanceof List<?> links) {
            return links.stream().map(GuestLink.class::cast).toList();
        }
        if (outcome instanceof IOException e) {
            throw e;
        }
        throw new IOException(String.valueOf(outcome), (Throwable) outcome);
    }

    /**
     * Whether the reader took the reading: it is on its way to wait for one, or waiting. A reader whose
     * wait ended meanwhile takes nothing, and the reading goes to another or to a new one.
     */
    private static boolean handedOver(Reader reader, Reading reading) {
        try {
            return reader.inbox.offer(reading, HANDOVER_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A reading asked of a {@link Reader}: the namespace file, and its links or the failure. */
    private record Reading(String netnsPath, CompletableFuture<Object> outcome) {
        Reading(String netnsPath) {
            this(netnsPath, new CompletableFuture<>());
        }
    }

    /**
     * A thread that reads namespaces one after another: it enters each, reads it and goes back to
     * the namespace it was made in (the host's), then waits {@link #IDLE_MILLIS} for the next reading
     * and ends. Where it cannot go back it ends at once, so no thread that runs anything else is ever
     * in a guest's namespace; a thread's start costs about as much as a reading.
     */
    private static final class Reader implements Runnable {
        /** Taken only while the thread waits in {@code poll}: a reading handed over is always read. */
        final SynchronousQueue<Reading> inbox = new SynchronousQueue<>();
        private final Reading first;

        Reader(Reading first) {
            this.first = first;
        }

        @Override
        public void run() {
            Reading reading = first;
            try {
                Libc c = Libc.HANDLES;
                int home;
                try (Arena arena = Arena.ofConfined()) {
                    // Its makers are in the host's namespace (the main thread's); a reader made elsewhere
                    // would go back there, and take that for the host's: it reads nothing.
                    if (!Files.getAttribute(Path.of("/proc/thread-self/ns/net"), "unix:ino")
                            .equals(Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino"))) {
                        throw new IOException("a reading thread made outside the host's network namespace");
                    }
                    home = c.open(arena, "/proc/thread-self/ns/net");
                }
                try {
                    while (reading != null) {
                        Object[] outcome = new Object[1];
                        boolean back = readAndReturn(c, reading, home, outcome);
                        if (back) {
                            IDLE.addFirst(this);
                        }
                        reading.outcome.complete(outcome[0]);
                        if (!back) {
                            return;
                        }
                        try {
                            reading = inbox.poll(IDLE_MILLIS, TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            reading = null;
                        }
                        if (reading == null) {
                            IDLE.remove(this);
                        }
                    }
                } finally {
                    c.close(home);
                }
            } catch (Throwable t) {
                if (reading != null) {
                    reading.outcome.complete(t);
                }
            } finally {
                IDLE.remove(this);
                if (reading != null) {
                    // Its caller never waits for nothing (a no-op when the reading was answered).
                    reading.outcome.complete(new IOException("the reading thread ended"));
                }
            }
        }
    }

    /**
     * Reads in the namespace, its links or failure in {@code outcome}, then enters {@code home} again
     * whatever happened: whether it did.
     */
    private static boolean readAndReturn(Libc c, Reading reading, int home, Object[] outcome) {
        try (Arena arena = Arena.ofConfined()) {
            String path = reading.netnsPath();
            try {
                int guest = c.open(arena, path);
                try {
                    c.setns(arena, guest, path);
                } finally {
                    c.close(guest);
                }
                outcome[0] = readHere(c, arena, path, home);
            } catch (Throwable t) {
                outcome[0] = t;
            }
            try {
                c.setns(arena, home, "the host");
                return true;
            } catch (Throwable t) {
                return false;
            }
        }
    }

    /**
     * The links of this thread's namespace as {@code /sys/class/net} shows them there: {@code iflink},
     * {@code master} and whether it is a Linux bridge, {@code ifalias}; one dump where sysfs takes a few
     * files a link. An unbound tunnel's or a veth's whose peer went: {@code iflink} 0, as sysfs shows.
     */
    public static List<HostLink> hostLinks() throws IOException {
        if (!available()) {
            throw new IOException("the C library's functions cannot be called here: " + Libc.WHY);
        }
        Libc c = Libc.HANDLES;
        try (Arena arena = Arena.ofConfined()) {
            int socket = c.socket(arena);
            try {
                Session session = new Session(c, arena, socket);
                for (int tries = 1; ; tries++) {
                    try {
                        Map<Integer, Link> links = session.linkDump();
                        List<HostLink> all = new ArrayList<>(links.size());
                        for (Link l : links.values()) {
                            Link master = l.master == 0 ? null : links.get(l.master);
                            if (l.name != null) {
                                all.add(new HostLink(l.name, l.index, l.iflink.orElse(l.index),
                                        Optional.ofNullable(master).map(m -> m.name), master != null
                                        && master.kind.equals("bridge"), l.alias.trim()));
                            }
                        }
                        return all;
                    } catch (Interrupted e) {
                        if (tries == DUMP_TRIES) {
                            throw new IOException("the host's links kept changing while read");
                        }
                    }
                }
            } finally {
                c.close(socket);
            }
        }
    }

    /** On a reading thread, in the namespace read: its links, the host's namespace being {@code home}. */
    private static List<GuestLink> readHere(Libc c, Arena arena, String netnsPath, int home) throws IOException {
        int socket = c.socket(arena);
        try {
            Session session = new Session(c, arena, socket);
            Optional<Integer> hostNsid = session.hostNsid(home);
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
            Map<Integer, Link> links = linkDump();
            exchange(header(24, RTM_GETADDR, (short) (NLM_F_REQUEST | NLM_F_DUMP)), true, (type, m, start, end) -> {
                if (type == RTM_NEWADDR && end - start >= 8) {
                    RouteMessages.address(m, start, end, links);
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

        /** {@code RTM_GETLINK}, a dump: every link by its index. */
        Map<Integer, Link> linkDump() throws IOException, Interrupted {
            Map<Integer, Link> links = new LinkedHashMap<>();
            exchange(header(32, RTM_GETLINK, (short) (NLM_F_REQUEST | NLM_F_DUMP)), true, (type, m, start, end) -> {
                if (type == RTM_NEWLINK && end - start >= 16) {
                    Link link = RouteMessages.link(m, start, end);
                    links.put(link.index, link);
                }
            });
            return links;
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
}
