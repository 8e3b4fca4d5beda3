package dev.pipework.cli;

import dev.pipework.cni.CniMain;
import dev.pipework.guest.CniRecords;
import dev.pipework.guest.DockerContainer;
import dev.pipework.guest.RouteNetlink;
import dev.pipework.ipam.Holder;
import dev.pipework.ipam.Ipam;
import dev.pipework.json.Json;
import dev.pipework.model.AddressSpec;
import dev.pipework.model.Guest;
import dev.pipework.model.Runtime;
import dev.pipework.plan.Command;
import dev.pipework.plan.Planner;
import dev.pipework.run.Services;
import dev.pipework.sys.Invocation;
import dev.pipework.sys.RunningProcess;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The runs the launcher makes its start-up caches from ({@code PIPEWORK_TRAINING}), one for each
 * way the program runs. A cache keeps the classes and linkage its run used; a run that used only
 * what a dry run uses leaves the rest (starting processes, the Docker socket, the executor,
 * {@code status}, {@code del}, a CNI ADD and DEL) to be loaded from the jar on every real run, and
 * one that used more than its way needs makes every start of that way map and link the extra.
 *
 * <p>So, when the launcher started it in network and mount namespaces of its own with their own
 * {@code /sys} ({@code unshare --net --mount}, {@code PIPEWORK_TRAINING=<front>,private}), and
 * this process sees that its network namespace is not its parent's and that sysfs shows only its
 * loopback, it plumbs for real there, as its way would: a bridge, and a guest that is a process in
 * a namespace of its own again; records of the CNI plugin go to a scratch directory. All of it goes
 * with the namespaces when the run ends. Outside them it only reads: a guest name no runtime has is
 * looked up (the Docker engine asked about a container that is not there).
 */
final class Training {
    /**
     * The way of running a cache is made for (the launcher picks the cache by the same rule): the
     * original's plain form, every other command line, the CNI plugin, and {@code status <guest>} and
     * {@code del <guest>} written as words alone.
     */
    enum Front { ATTACH, COMMANDS, CNI, GUEST }

    private Training() {
    }

    /**
     * The training {@code PIPEWORK_TRAINING} names ({@code attach}, {@code commands}, {@code cni} or {@code guest},
     * with {@code ,private} when the launcher made the namespaces).
     */
    static void run(Services services, Front front) {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        Pipework cli = new Pipework(services, nowhere, nowhere);
        String said = System.getenv("PIPEWORK_TRAINING");
        boolean plumbing = said != null && said.endsWith(",private") && inNamespaceOfItsOwn();
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("pipework-training");
            CniRecords records = new CniRecords(scratch.resolve("records"));
            switch (front) {
                case ATTACH -> {
                    if (!plumbing) {
                        cli.run("--dry-run", "br1", "/proc/self/ns/net", "10.0.0.2/24");
                    }
                    // An attach to an Open vSwitch bridge asks whether it is one on the database's
                    // socket: that question's classes. No link or bridge has this name.
                    askOpenVswitch(services, false);
                    engineAnswer();
                }
                case COMMANDS -> {
                    cli.run("--dry-run", "br1", "/proc/self/ns/net", "10.0.0.2/24");
                    cli.run("status", nobody());
                    rtnetlink();
                    // A port asked alone, as status and del of a container ask Open vSwitch, and a bridge,
                    // as an attach does: the socket's classes. No port or bridge has this name (longer
                    // than a link's can be); nothing is changed.
                    askOpenVswitch(services, true);
                    engineAnswer();
                }
                case CNI -> CniMain.train(services, records);
                case GUEST -> {
                    // A container's name, as these are mostly written: the engine asked for it.
                    cli.run("status", nobody());
                    cli.run("del", nobody());
                    cli.run("del", "-i", "eth2", nobody());
                    askOpenVswitch(services, true);
                    engineAnswer();
                }
            }
            if (plumbing) {
                // the training's etcd listens on the namespace's loopback
                services.runner().run(List.of("ip", "link", "set", "lo", "up"));
            }
            pools(scratch);
            if (plumbing) {
                plumb(services, cli, pooled(services, scratch, nowhere), nowhere, records, scratch, front);
            }
        } catch (IOException | RuntimeException e) {
            // a training run only ever warms the cache
        } finally {
            if (scratch != null) {
                deleteQuietly(scratch);
            }
        }
    }

    /**
     * Questions to Open vSwitch's database on its socket, whatever it answers (a stopped one too);
     * with {@code ports}, as {@code status} and {@code del} of a container known by its ID ask them
     * (the training's own guests have no ID): a container no record names, nothing to remove.
     */
    private static void askOpenVswitch(Services services, boolean ports) {
        try {
            if (ports) {
                services.host().ovsPortsNamed(List.of("pipework-training"));
                Planner planner = new Planner();
                planner.staleOvsPortsOf("pipework-training", services.view());
                Guest stopped = new Guest("pipework-training", new Runtime("docker", "Docker", false),
                        Optional.of("pipework-training"), Optional.empty(), 0, "", 0);
                planner.planStaleRecords(stopped, services.view());
                // A removal of a port from a bridge no switch can have (its name is no interface's):
                // the rows it would touch are read, and there is nothing to remove.
                services.ovsdb().apply(new Command.OvsPortChange("pipework training/none", "pipework-training",
                        Optional.empty(), true, List.of("ovs-vsctl", "--if-exists", "del-port",
                        "pipework training/none", "pipework-training")), () -> false);
            }
            services.host().isOvsBridge("pipework-training");
        } catch (RuntimeException e) {
            // a training run only ever warms the cache
        }
    }

    /**
     * A container as the Docker engine's inspect describes it, read as a run reads the engine's
     * answer: the training's guests are namespaces, and the container nobody names is not there,
     * so without this the class that reads a container came from the jar at every run that names
     * one (about 1 ms).
     */
    private static void engineAnswer() {
        try {
            DockerContainer.fromInspect(Json.object(Json.parse("{\"Id\":\"" + "0".repeat(64) + "\","
                    + "\"Name\":\"/pipework-training\",\"State\":{\"Running\":true,\"Pid\":1,"
                    + "\"FinishedAt\":\"0001-01-01T00:00:00Z\"},\"Config\":{\"Labels\":{\"training\":\"\"}}}")))
                    .plainName();
        } catch (RuntimeException e) {
            // a training run only ever warms the cache
        }
    }

    /**
     * How {@code status} of many guests reads them and the host, over rtnetlink where the JVM has it:
     * the foreign calls' set-up then comes from the cache. Its own namespace, read only, so anywhere;
     * not through the inspectors, whose fallback ({@code ip}) would name a namespace in the host's
     * {@code /run/netns}.
     */
    private static void rtnetlink() {
        if (!RouteNetlink.available()) {
            return;
        }
        try {
            for (int i = 0; i < 2; i++) {
                RouteNetlink.read("/proc/self/ns/net");
                RouteNetlink.hostLinks();
            }
        } catch (IOException | RuntimeException e) {
            // a training run only ever warms the cache
        }
    }

    /**
     * A claim from a pool of a scratch file store, confirmed, shown and given back; one from an etcd
     * store ({@link TrainingEtcd}), confirmed; and a call to an etcd store that nobody serves: the
     * classes an attach from a pool loads (the store, its JSON, the lock, the HTTP client) are in the
     * cache, not read from the jar at the first claim.
     */
    private static void pools(Path scratch) {
        try {
            Files.writeString(scratch.resolve("pools"), "pool training 10.255.1.0/24 gateway 10.255.1.1"
                    + " range 10.255.1.10-10.255.1.200 exclude 10.255.1.100\n");
            Ipam ipam = new Ipam(scratch.resolve("pools"), Optional.of("file:" + scratch.resolve("ipam")));
            Holder holder = new Holder("training", "pipework-training", "eth1");
            ipam.confirm(ipam.claim(new AddressSpec.FromPool("training", false), holder, false));
            ipam.use();
            ipam.addresses();
            ipam.release(holder, true);
            try (TrainingEtcd etcd = TrainingEtcd.start()) {
                Ipam served = new Ipam(scratch.resolve("pools"), Optional.of(etcd.url()), Optional.of("training"));
                served.confirm(served.claim(new AddressSpec.FromPool("training", false), holder, false));
            } catch (IOException | RuntimeException e) {
                // no loopback to listen on
            }
            new Ipam(scratch.resolve("pools"), Optional.of("etcd://127.0.0.1:1"), Optional.of("training")).use();
        } catch (IOException | RuntimeException e) {
            // the etcd store's call fails: nobody serves it
        }
    }

    /** The command line with the scratch pools of {@link #pools} declared, for attaches from a pool. */
    private static Pipework pooled(Services services, Path scratch, PrintStream nowhere) {
        Ipam ipam = new Ipam(scratch.resolve("pools"), Optional.of("file:" + scratch.resolve("ipam")));
        return new Pipework(new Services(services.runner(), services.host(), services.guests(),
                services.guestInspector(), services.effectiveUid(), services.lockDir(), services.docker(),
                services.warn(), ipam, services.journal(), services.ovsdb()), nowhere, nowhere);
    }

    /** The front end {@code PIPEWORK_TRAINING} names, if it names one. */
    static Optional<Front> wanted(String said) {
        if (said == null) {
            return Optional.empty();
        }
        String name = said.endsWith(",private") ? said.substring(0, said.length() - ",private".length()) : said;
        for (Front front : Front.values()) {
            if (front.name().equalsIgnoreCase(name)) {
                return Optional.of(front);
            }
        }
        return Optional.of(Front.COMMANDS);
    }

    /** A guest name no runtime has: every runtime is asked for it, which only reads. */
    private static String nobody() {
        return "pipework-training-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
    }

    private static boolean inNamespaceOfItsOwn() {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        if (parent.isEmpty()) {
            return false;
        }
        try {
            if (netnsInode("self").equals(netnsInode(Long.toString(parent.get().pid())))) {
                return false;
            }
            // sysfs shows the namespace that mounted it: a fresh one shows only a loopback.
            try (var links = Files.list(Path.of("/sys/class/net"))) {
                return links.map(p -> p.getFileName().toString()).toList().equals(java.util.List.of("lo"));
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static Object netnsInode(String process) throws IOException {
        return Files.getAttribute(Path.of("/proc/" + process + "/ns/net"), "unix:ino");
    }

    /**
     * @param pooled the command line with a pool declared: attaches from it, and with a fixed address
     *               where a pools file exists, as on a host that has pools
     */
    private static void plumb(Services services, Pipework cli, Pipework pooled, PrintStream nowhere,
                              CniRecords records, Path scratch, Front front) throws IOException {
        try (RunningProcess guest = services.runner().start(Invocation.of(List.of("unshare", "--net", "sleep", "30")));
             RunningProcess other = services.runner().start(Invocation.of(List.of("unshare", "--net", "sleep", "30")))) {
            String netns = "/proc/" + guest.pid() + "/ns/net";
            String otherNetns = "/proc/" + other.pid() + "/ns/net";
            if (!namespaceOfItsOwn(guest, netns) || !namespaceOfItsOwn(other, otherNetns)) {
                return;
            }
            switch (front) {
                case ATTACH -> {
                    // A name no runtime has fails at the lookup, before any change.
                    cli.run("brtrain0", nobody(), "10.255.0.9/24");
                    cli.run("brtrain0", netns, "10.255.0.2/24@10.255.0.1");
                    // The original's -i and -l, read as the plain form is.
                    cli.run("brtrain0", "-i", "eth2", "-l", "vtrain2", netns, "10.255.0.3/24");
                    pooled.run("brtrain0", otherNetns, "pool:training@gw");
                }
                case COMMANDS -> {
                    // An option beside -i (-a, --mtu, --json, ...) makes it a line picocli reads.
                    cli.run("-a", "4", "-i", "eth2", "brtrain0", netns, "10.255.0.3/24");
                    pooled.run("-a", "4", "-i", "eth3", "brtrain0", netns, "10.255.0.4/24");
                    pooled.run("-a", "4", "-i", "eth4", "brtrain0", netns, "pool:training");
                    pooled.run("status", netns);
                    pooled.run("status", "--json", netns);
                    pooled.run("del", netns);
                }
                case GUEST -> {
                    // Something to show and to remove: made as the plain form makes it.
                    cli.run("brtrain0", netns, "10.255.0.5/24");
                    cli.run("status", netns);
                    cli.run("del", netns);
                }
                case CNI -> {
                    // The usual network first: host-local's address, gateway and route (where the
                    // reference plugins are installed); then one without IPAM.
                    String ipam = ",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.255.1.0/24\","
                            + "\"gateway\":\"10.255.1.1\",\"routes\":[{\"dst\":\"0.0.0.0/0\"}],"
                            + "\"dataDir\":" + Json.write(scratch.resolve("ipam").toString()) + "}";
                    for (String shape : new String[] {ipam, ""}) {
                        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"training\",\"type\":\"pipework\","
                                + "\"bridge\":\"brtrain1\"" + shape;
                        // CHECK compares with ADD's result, given back as the runtime gives it.
                        java.io.ByteArrayOutputStream added = new java.io.ByteArrayOutputStream();
                        new CniMain(services, records, new PrintStream(added, true, StandardCharsets.UTF_8), nowhere)
                                .run(cni("ADD", netns), stdin(conf + "}"));
                        CniMain plugin = new CniMain(services, records, nowhere, nowhere);
                        String result = added.toString(StandardCharsets.UTF_8).strip();
                        plugin.run(cni("CHECK", netns), stdin(conf + (result.isEmpty() ? "" : ",\"prevResult\":" + result) + "}"));
                        plugin.run(cni("DEL", netns), stdin(conf + "}"));
                    }
                    // A DEL off a Linux bridge asks Open vSwitch's database for the container's records.
                    askOpenVswitch(services, true);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The environment of a CNI verb on the training's container in {@code netns}. */
    private static Map<String, String> cni(String verb, String netns) {
        return Map.of("CNI_COMMAND", verb, "CNI_CONTAINERID", "pipework-training", "CNI_NETNS", netns,
                "CNI_IFNAME", "eth0", "CNI_PATH", "/opt/cni/bin:/usr/lib/cni");
    }

    private static ByteArrayInputStream stdin(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Waits until the process {@code netns} belongs to is in a network namespace of its own; false when it is not. */
    private static boolean namespaceOfItsOwn(RunningProcess process, String netns)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (Files.getAttribute(Path.of(netns), "unix:ino").equals(netnsInode("self"))) {
            if (System.nanoTime() > deadline || !process.alive()) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    private static void deleteQuietly(Path tree) {
        try (var paths = Files.walk(tree)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // a scratch directory under the temporary directory
        }
    }
}
