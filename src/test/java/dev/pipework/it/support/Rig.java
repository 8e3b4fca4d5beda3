package dev.pipework.it.support;

/**
 * What one test sets up around the tool: containers, named namespaces, host links and bridges,
 * all removed on close (the containers first, then the namespaces, then the host's links and
 * bridges). Names made here end in one random {@link #suffix()}, so that runs side by side
 * never meet.
 */
public final class Rig implements AutoCloseable {

    private final String suffix = HostCleanup.uniqueSuffix();
    private final HostCleanup host = new HostCleanup();
    private final TestNetns netns = new TestNetns();
    private final TestContainers containers = new TestContainers();

    /** Five random characters for the names of this test's links and bridges ({@code "br" + suffix}). */
    public String suffix() {
        return suffix;
    }

    /** The host links and bridges to remove. */
    public HostCleanup host() {
        return host;
    }

    /** The named namespaces, the veths made to reach them and the processes put in them. */
    public TestNetns netns() {
        return netns;
    }

    /** {@code br<suffix>}, a Linux bridge for the tool to create; removed on close. */
    public String bridge() {
        return host.bridge("br" + suffix);
    }

    /** {@code ovs<suffix>}, an Open vSwitch bridge for the tool to create; removed on close. */
    public String ovsBridge() {
        return host.ovsBridge("ovs" + suffix);
    }

    /**
     * Starts a container ({@link TestContainers#start(String, String...)}) and records
     * {@code veth1pl<pid>}, the host end of the eth1 the tool gives it, for removal.
     */
    public Guest container(String label, String... dockerArgs) {
        String name = containers.start(label, dockerArgs);
        int pid = containers.pid(name);
        host.link("veth1pl" + pid);
        return new Guest(containers, name, pid);
    }

    /** The same container after a restart: its new init process, and the veth name that goes with it recorded. */
    public Guest reopened(Guest guest) {
        int pid = containers.pid(guest.name());
        host.link("veth1pl" + pid);
        return new Guest(containers, guest.name(), pid);
    }

    /**
     * Like {@link #container}, with IPv6 on: Docker turns it off in containers whose network does
     * not enable it, {@code --net=none} included.
     */
    public Guest containerWithIpv6(String label) {
        return container(label, "--sysctl", "net.ipv6.conf.all.disable_ipv6=0",
                "--sysctl", "net.ipv6.conf.default.disable_ipv6=0");
    }

    /** Removes everything as nested try-with-resources blocks would: each part even when another fails. */
    @Override
    public void close() {
        try (host; netns; containers) {
            // Closed in reverse order: the containers, the namespaces, the host's links and bridges.
        }
    }
}
