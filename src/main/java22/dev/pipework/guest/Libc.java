package dev.pipework.guest;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The C library's functions {@link RouteNetlink} calls, each with {@code errno} captured, through the
 * JDK's foreign function API. {@link #HANDLES} is null where they cannot be called (native access
 * refused, a C library without them), and {@link #WHY} says why.
 */
@SuppressWarnings("restricted")
final class Libc {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_ROUTE = 0;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int MSG_TRUNC = 0x20;

    static final Libc HANDLES;
    static final String WHY;

    static {
        Libc handles = null;
        String why = "";
        try {
            handles = new Libc();
        } catch (RuntimeException | LinkageError e) {
            why = String.valueOf(e);
        }
        HANDLES = handles;
        WHY = why;
    }

    private final StructLayout state = Linker.Option.captureStateLayout();
    private final VarHandle errno = state.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private final MethodHandle open;
    private final MethodHandle setns;
    private final MethodHandle socket;
    private final MethodHandle sendto;
    private final MethodHandle recv;
    private final MethodHandle close;

    private Libc() {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        Linker.Option errnoOption = Linker.Option.captureCallState("errno");
        ValueLayout.OfInt i = ValueLayout.JAVA_INT;
        ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
        ValueLayout p = ValueLayout.ADDRESS;
        open = linker.downcallHandle(libc.find("open").orElseThrow(),
                FunctionDescriptor.of(i, p, i, i), errnoOption, Linker.Option.firstVariadicArg(2));
        setns = linker.downcallHandle(libc.find("setns").orElseThrow(), FunctionDescriptor.of(i, i, i), errnoOption);
        socket = linker.downcallHandle(libc.find("socket").orElseThrow(), FunctionDescriptor.of(i, i, i, i),
                errnoOption);
        sendto = linker.downcallHandle(libc.find("sendto").orElseThrow(),
                FunctionDescriptor.of(l, i, p, l, i, p, i), errnoOption);
        recv = linker.downcallHandle(libc.find("recv").orElseThrow(), FunctionDescriptor.of(l, i, p, l, i),
                errnoOption);
        close = linker.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(i, i));
    }

    int open(Arena arena, String path) throws IOException {
        MemorySegment captured = arena.allocate(state);
        int fd;
        try {
            fd = (int) open.invokeExact(captured, arena.allocateFrom(path), O_RDONLY_CLOEXEC, 0);
        } catch (Throwable t) {
            throw failed(t);
        }
        if (fd < 0) {
            throw new IOException("cannot open " + path + ": errno " + errno(captured));
        }
        return fd;
    }

    void setns(Arena arena, int fd, String path) throws IOException {
        MemorySegment captured = arena.allocate(state);
        int done;
        try {
            done = (int) setns.invokeExact(captured, fd, CLONE_NEWNET);
        } catch (Throwable t) {
            throw failed(t);
        }
        if (done != 0) {
            throw new IOException("cannot enter the network namespace of " + path + ": errno " + errno(captured));
        }
    }

    int socket(Arena arena) throws IOException {
        MemorySegment captured = arena.allocate(state);
        int fd;
        try {
            fd = (int) socket.invokeExact(captured, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        } catch (Throwable t) {
            throw failed(t);
        }
        if (fd < 0) {
            throw new IOException("cannot make an rtnetlink socket: errno " + errno(captured));
        }
        return fd;
    }

    /** To the kernel: a {@code struct sockaddr_nl} of family {@code AF_NETLINK}, port 0. */
    void send(Arena arena, int fd, byte[] message) throws IOException {
        MemorySegment captured = arena.allocate(state);
        MemorySegment kernel = arena.allocate(12, 4);
        kernel.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
        MemorySegment bytes = arena.allocateFrom(ValueLayout.JAVA_BYTE, message);
        long sent;
        try {
            sent = (long) sendto.invokeExact(captured, fd, bytes, (long) message.length, 0, kernel, 12);
        } catch (Throwable t) {
            throw failed(t);
        }
        if (sent != message.length) {
            throw new IOException("cannot send an rtnetlink request: errno " + errno(captured));
        }
    }

    /** One datagram; its whole length ({@code MSG_TRUNC}), which may exceed the buffer. */
    int receive(Arena arena, int fd, MemorySegment buffer) throws IOException {
        MemorySegment captured = arena.allocate(state);
        long n;
        try {
            n = (long) recv.invokeExact(captured, fd, buffer, buffer.byteSize(), MSG_TRUNC);
        } catch (Throwable t) {
            throw failed(t);
        }
        if (n <= 0) {
            throw new IOException("cannot receive an rtnetlink answer: errno " + errno(captured));
        }
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    void close(int fd) {
        try {
            int ignored = (int) close.invokeExact(fd);
        } catch (Throwable t) {
            // a descriptor that would not close is the kernel's to reclaim at exit
        }
    }

    private int errno(MemorySegment captured) {
        return (int) errno.get(captured, 0L);
    }

    private static IOException failed(Throwable t) {
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IOException(t);
    }
}
