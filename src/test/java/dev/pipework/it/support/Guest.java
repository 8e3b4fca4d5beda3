package dev.pipework.it.support;

/**
 * A container a test started (see {@link Rig#container}): its name, the host pid of its init
 * process, and the commands a test runs in it.
 */
public final class Guest {

    private final TestContainers containers;
    private final String name;
    private final int pid;

    Guest(TestContainers containers, String name, int pid) {
        this.containers = containers;
        this.name = name;
        this.pid = pid;
    }

    /** The container's name, as the tool is given it. */
    public String name() {
        return name;
    }

    /** Host pid of the container's init process. */
    public int pid() {
        return pid;
    }

    /** Full container id. */
    public String id() {
        return containers.id(name);
    }

    /** Runs {@code cmd} in the container with {@code docker exec}. */
    public Sh.Result exec(String... cmd) {
        return containers.exec(name, cmd);
    }

    /** Runs a host command in the container's network namespace (see {@link TestContainers#netExec}). */
    public Sh.Result netExec(String... argv) {
        return containers.netExec(name, argv);
    }

    /** Like {@link #netExec} but throws an AssertionError with the output when exit != 0. */
    public Sh.Result netOk(String... argv) {
        return containers.netOk(name, argv);
    }

    @Override
    public String toString() {
        return name;
    }
}
