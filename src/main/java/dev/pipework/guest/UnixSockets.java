package dev.pipework.guest;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/** The JDK's Unix-domain sockets, readied ahead of a run's first use of one. */
public final class UnixSockets {
    private UnixSockets() {
    }

    private static final AtomicBoolean READIED = new AtomicBoolean();

    /**
     * Where {@code socket} exists, opens and closes a Unix-domain channel on a thread of its own, once
     * a process, for a run that will talk on that socket soon and has other work to do first. The
     * JDK's first such channel sets up its selector provider (a service looked up over the class path:
     * the jar opened and its directory read, about 4 ms in the interpreter) and, for socket names it
     * never makes here, a random number generator and with it the security providers (about 7 ms),
     * which that thread spends beside the run's own work. It sets the generator up first: a run that
     * gets to its own channel before the thread is done (an attach does, about 6 ms after it starts)
     * looks the selector provider up itself meanwhile, where it would otherwise wait for both. Whatever
     * the thread meets, it says nothing: the run's own channel meets it again.
     */
    public static void readyInBackground(Path socket) {
        // Asked again by the run after main asked it (PlainLine.guestAsked): the flag before the file.
        if (READIED.get() || !Files.exists(socket) || !READIED.compareAndSet(false, true)) {
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                // The generator sun.nio.ch.UnixDomainSockets picks as it is initialised.
                SecureRandom.getInstance("NativePRNGNonBlocking");
            } catch (NoSuchAlgorithmException | RuntimeException | Error e) {
                // the channel picks another
            }
            try {
                SocketChannel.open(StandardProtocolFamily.UNIX).close();
            } catch (IOException | RuntimeException | Error e) {
                // said by the run's own channel
            }
        }, "pipework-unix-socket");
        thread.setDaemon(true);
        thread.start();
    }
}
