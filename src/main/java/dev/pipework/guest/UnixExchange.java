package dev.pipework.guest;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One request and its answer on a Unix-domain socket (the Docker engine's, Open vSwitch's
 * database's), every step bounded by one deadline: the channel does not block, and waits in a
 * selector, so a server that accepts and never answers, or answers a part, cannot hold a run past
 * it; a listener too busy to take the connection fails it at once.
 */
public final class UnixExchange {
    public static final String CONNECTING = "connecting";
    public static final String SENDING = "sending the request";
    public static final String READING = "reading the answer";

    private UnixExchange() {
    }

    /** Reads an answer as it comes. */
    public interface Answer<T> {
        /** Takes the next {@code length} bytes read; the answer once it is whole, else null. */
        T take(byte[] bytes, int length) throws IOException;

        /** The server ended the stream: the answer as it stands, or why there is none. */
        T atEnd() throws IOException;
    }

    /** A step that did not end by the deadline. */
    public static final class TimedOut extends IOException {
        private static final long serialVersionUID = 1L;
        private final String step;

        TimedOut(String step) {
            super("no answer in time: " + step);
            this.step = step;
        }

        /** {@link #CONNECTING}, {@link #SENDING} or {@link #READING}. */
        public String step() {
            return step;
        }
    }

    /** A step the socket failed (nobody listening, no access, a reset); the cause says how. */
    public static final class StepFailed extends IOException {
        private static final long serialVersionUID = 1L;
        private final String step;

        StepFailed(String step, IOException cause) {
            super(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage(), cause);
            this.step = step;
        }

        /** {@link #CONNECTING}, {@link #SENDING} or {@link #READING}. */
        public String step() {
            return step;
        }
    }

    /**
     * Sends the request and reads its answer.
     *
     * @throws TimedOut    when a step does not end within {@code timeout} of the start
     * @throws StepFailed  when the socket fails a step
     * @throws IOException as {@code answer} throws it, unchanged
     */
    public static <T> T exchange(Path socket, ByteBuffer request, Duration timeout, Answer<T> answer) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SocketChannel channel;
        Selector selector;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new StepFailed(CONNECTING, e);
        }
        try (channel) {
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new StepFailed(CONNECTING, e);
            }
            try (selector) {
                return exchange(channel, selector, socket, request, deadline, answer);
            }
        }
    }

    private static <T> T exchange(SocketChannel channel, Selector selector, Path socket, ByteBuffer request,
                                  long deadline, Answer<T> answer) throws IOException {
        SelectionKey key;
        String step = CONNECTING;
        try {
            channel.configureBlocking(false);
            key = channel.register(selector, 0);
            // A listener whose backlog is full refuses a connect that does not block (EAGAIN, "Resource
            // temporarily unavailable"): that is the step failing, not a wait.
            if (!channel.connect(UnixDomainSocketAddress.of(socket))) {
                while (!channel.finishConnect()) {
                    await(selector, key, SelectionKey.OP_CONNECT, deadline, step);
                }
            }
            step = SENDING;
            while (request.hasRemaining()) {
                if (channel.write(request) == 0) {
                    await(selector, key, SelectionKey.OP_WRITE, deadline, step);
                }
            }
        } catch (TimedOut e) {
            throw e;
        } catch (IOException e) {
            throw new StepFailed(step, e);
        }
        ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        while (true) {
            int n;
            try {
                in.clear();
                n = channel.read(in);
                if (n == 0) {
                    await(selector, key, SelectionKey.OP_READ, deadline, READING);
                    continue;
                }
            } catch (TimedOut e) {
                throw e;
            } catch (IOException e) {
                throw new StepFailed(READING, e);
            }
            if (n < 0) {
                return answer.atEnd();
            }
            T whole = answer.take(in.array(), n);
            if (whole != null) {
                return whole;
            }
        }
    }

    private static void await(Selector selector, SelectionKey key, int ops, long deadline, String step)
            throws IOException {
        key.interestOps(ops);
        while (true) {
            // An interrupted thread's select returns at once: the step ends there, the flag kept.
            if (Thread.currentThread().isInterrupted()) {
                throw new java.io.InterruptedIOException("interrupted");
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new TimedOut(step);
            }
            // select(0) would wait forever; a sub-millisecond remainder is rounded up.
            int ready = selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
            selector.selectedKeys().clear();
            if (ready > 0) {
                key.interestOps(0);
                return;
            }
        }
    }
}
