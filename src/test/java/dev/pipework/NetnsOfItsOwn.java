package dev.pipework;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A network namespace that is not the host's, for unit tests: a process in a new user and network
 * namespace, which needs no root. The host's own namespace is never taken as a guest.
 */
public final class NetnsOfItsOwn implements AutoCloseable {
    private final Process process;

    private NetnsOfItsOwn(Process process) {
        this.process = process;
    }

    /** Starts the process and waits until it is in its namespace. */
    public static NetnsOfItsOwn start() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("unshare", "--user", "--map-root-user", "--net", "sleep", "60")
                .redirectErrorStream(true).start();
        NetnsOfItsOwn own = new NetnsOfItsOwn(p);
        Object host = Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino");
        for (int i = 0; i < 200 && p.isAlive() && Files.getAttribute(Path.of(own.path()), "unix:ino").equals(host); i++) {
            Thread.sleep(10); // until unshare has made the namespace and run sleep in it
        }
        if (!p.isAlive() || Files.getAttribute(Path.of(own.path()), "unix:ino").equals(host)) {
            own.close();
            throw new IllegalStateException("unshare --user --net made no namespace of its own");
        }
        return own;
    }

    /** The namespace's file, {@code /proc/<pid>/ns/net}. */
    public String path() {
        return "/proc/" + process.pid() + "/ns/net";
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
