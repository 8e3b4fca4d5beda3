package dev.pipework.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Throwaway named network namespaces ({@code ip netns add}) with unique names,
 * plus veth helpers and processes in namespaces of their own. Everything
 * created through it is deleted on close, the processes first: deleting a
 * namespace also destroys the links inside it.
 */
public final class TestNetns implements AutoCloseable {

    /** How long a process started here may take to be in its namespace. */
    private static final Duration NETNS_PATIENCE = Duration.ofSeconds(10);

    private final String runId = HostCleanup.uniqueSuffix();
    private final Deque<String> namespaces = new ArrayDeque<>();
    private final HostCleanup hostLinks = new HostCleanup();
    private final Deque<Process> processes = new ArrayDeque<>();
    private int counter;

    /** Creates namespace {@code pw-it-<run>-<label>} with its loopback up; returns its name. */
    public synchronized String create(String label) {
        String base = "pw-it-" + runId + "-" + label;
        String name = base;
        while (namespaces.contains(name)) {
            name = base + "-" + (++counter);
        }
        namespaces.push(name);
        Sh.ok("ip", "netns", "add", name);
        Sh.ok("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /** Runs {@code argv} inside namespace {@code ns} ({@code ip netns exec}). */
    public Sh.Result exec(String ns, String... argv) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(argv));
        return Sh.run(cmd, Sh.DEFAULT_TIMEOUT);
    }

    /** Like {@link #exec} but throws an AssertionError with the output when exit != 0. */
    public Sh.Result ok(String ns, String... argv) {
        Sh.Result r = exec(ns, argv);
        if (r.code() != 0) {
            throw new AssertionError("in netns " + ns + ": " + String.join(" ", argv) + " failed: " + r.describe());
        }
        return r;
    }

    /**
     * Creates a veth pair on the host named {@code hostName}/{@code peerName};
     * the host end is removed on close even if it never moves.
     */
    public void veth(String hostName, String peerName) {
        hostLinks.createVeth(hostName, peerName);
    }

    /**
     * Creates a veth pair and moves each end into a namespace: {@code nameA}
     * into {@code nsA}, {@code nameB} into {@code nsB} (null = stay on host).
     * Both ends are brought up; addresses are left to the caller.
     */
    public void vethBetween(String nsA, String nameA, String nsB, String nameB) {
        veth(nameA, nameB);
        moveAndUp(nameA, nsA);
        moveAndUp(nameB, nsB);
    }

    /**
     * A new namespace {@code label} at the far end of a veth "cable": {@code farEnd} in it, up,
     * holding {@code cidr}; {@code hostEnd} up on the host. Returns the namespace's name.
     */
    public String cable(String label, String hostEnd, String farEnd, String cidr) {
        String ns = create(label);
        veth(hostEnd, farEnd);
        moveAndUp(farEnd, ns);
        addAddress(ns, farEnd, cidr);
        moveAndUp(hostEnd, null);
        return ns;
    }

    /**
     * Starts {@code sleep 300} in a network namespace of its own ({@code unshare --net}) and
     * returns its pid once it is there. It is killed on close.
     */
    public long processInNewNetns() {
        String mine = netnsOf(ProcessHandle.current().pid())
                .orElseThrow(() -> new AssertionError("cannot read this process's network namespace"));
        long pid = startProcess("unshare", "--net", "sleep", "300");
        Poll.until(NETNS_PATIENCE, Duration.ofMillis(50), () -> netnsOf(pid).filter(n -> !n.equals(mine)),
                "process " + pid + " to get a network namespace of its own");
        return pid;
    }

    /** Starts {@code sleep 300} in named namespace {@code ns}; returns its pid once it is there. Killed on close. */
    public long processIn(String ns) {
        String target;
        try {
            target = "net:[" + Files.getAttribute(Path.of("/run/netns", ns), "unix:ino") + "]";
        } catch (IOException e) {
            throw new AssertionError("cannot read /run/netns/" + ns, e);
        }
        long pid = startProcess("ip", "netns", "exec", ns, "sleep", "300");
        Poll.until(NETNS_PATIENCE, Duration.ofMillis(50), () -> netnsOf(pid).filter(target::equals),
                "process " + pid + " to enter netns " + ns);
        return pid;
    }

    /** The network namespace process {@code pid} is in ({@code net:[INODE]}); empty while it cannot be read. */
    private static Optional<String> netnsOf(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private long startProcess(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            synchronized (this) {
                processes.push(p);
            }
            return p.pid();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + String.join(" ", argv), e);
        }
    }

    /** Moves host link {@code link} into namespace {@code ns} (null = keep on host) and sets it up. */
    public void moveAndUp(String link, String ns) {
        if (ns != null) {
            Sh.ok("ip", "link", "set", link, "netns", ns);
            Sh.ok("ip", "-n", ns, "link", "set", link, "up");
        } else {
            Sh.ok("ip", "link", "set", link, "up");
        }
    }

    /** Moves host link {@code link} into the network namespace of process {@code pid} and sets it up there. */
    public void moveToPid(String link, long pid) {
        Sh.ok("ip", "link", "set", link, "netns", Long.toString(pid));
        Sh.ok("nsenter", "--net=/proc/" + pid + "/ns/net", "ip", "link", "set", link, "up");
    }

    /** Adds {@code cidr} (e.g. "192.0.2.1/24") to {@code link} in namespace {@code ns} (null = host). */
    public void addAddress(String ns, String link, String cidr) {
        if (ns == null) {
            Sh.ok("ip", "addr", "add", cidr, "dev", link);
        } else {
            Sh.ok("ip", "-n", ns, "addr", "add", cidr, "dev", link);
        }
    }

    /** The namespaces created so far, newest first. */
    public synchronized List<String> names() {
        return List.copyOf(namespaces);
    }

    @Override
    public synchronized void close() {
        while (!processes.isEmpty()) {
            Process p = processes.pop();
            p.destroyForcibly();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<String> failures = new ArrayList<>();
        while (!namespaces.isEmpty()) {
            String ns = namespaces.pop();
            Sh.Result r = Sh.run(List.of("ip", "netns", "del", ns), Duration.ofSeconds(30));
            if (r.code() != 0 && !HostCleanup.gone(r)) {
                failures.add("ip netns del " + ns + ": " + r.err().strip());
            }
        }
        try {
            hostLinks.close();
        } catch (AssertionError e) {
            failures.add(e.getMessage());
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("netns cleanup left things behind:\n" + String.join("\n", failures));
        }
    }
}
