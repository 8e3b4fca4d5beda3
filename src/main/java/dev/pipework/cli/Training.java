package dev.pipework.cli;

import dev.pipework.cni.CniMain;
import dev.pipework.guest.CniRecords;
import dev.pipework.run.Services;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The run the launcher makes its start-up cache from ({@code PIPEWORK_TRAINING}). The cache keeps
 * the classes and linkage a run used; a run that used only what a dry run uses leaves the rest
 * (starting processes, the Docker socket, the executor, {@code status}, {@code del}, a CNI ADD and
 * DEL) to be loaded from the jar on every real run.
 *
 * <p>So, when the launcher started it in network and mount namespaces of its own with their own
 * {@code /sys} ({@code unshare --net --mount}, {@code PIPEWORK_TRAINING=private}), and this process
 * sees that its network namespace is not its parent's and that sysfs shows only its loopback, it
 * plumbs for real there: a bridge, and a guest that is a process in a namespace of
 * its own again; then shows and removes it, and does the same through the CNI plugin, its records
 * in a scratch directory. All of it goes with the namespaces when the run ends; outside them it
 * only reads (a guest name no runtime knows is looked up, the Docker engine asked about a container
 * that is not there).
 */
final class Training {
    private static final String PRIVATE = "private";

    private Training() {
    }

    static void run(Services services) {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("pipework-training");
            CniMain.train(services, new CniRecords(scratch.resolve("records")));
            lookUpNobody(services, nowhere);
            if (PRIVATE.equals(System.getenv("PIPEWORK_TRAINING")) && inNamespaceOfItsOwn()) {
                plumb(services, nowhere, scratch);
            }
        } catch (IOException | RuntimeException e) {
            // a training run only ever warms the cache
        } finally {
            if (scratch != null) {
                deleteQuietly(scratch);
            }
        }
    }

    /** Every runtime asked for a guest none has: only reads. */
    private static void lookUpNobody(Services services, PrintStream nowhere) {
        String nobody = "pipework-training-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        new Pipework(services, nowhere, nowhere).run("status", nobody);
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

    private static void plumb(Services services, PrintStream nowhere, Path scratch) throws IOException {
        Process guest = new ProcessBuilder("unshare", "--net", "sleep", "30")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String netns = "/proc/" + guest.pid() + "/ns/net";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (Files.getAttribute(Path.of(netns), "unix:ino").equals(netnsInode("self"))) {
                if (System.nanoTime() > deadline || !guest.isAlive()) {
                    return;
                }
                Thread.sleep(5);
            }
            Pipework cli = new Pipework(services, nowhere, nowhere);
            cli.run("brtrain0", netns, "10.255.0.2/24@10.255.0.1");
            cli.run("status", netns);
            cli.run("status", "--json", netns);
            cli.run("del", netns);
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"training\",\"type\":\"pipework\",\"bridge\":\"brtrain1\"}";
            CniMain cni = new CniMain(services, new CniRecords(scratch.resolve("records")), nowhere, nowhere);
            for (String verb : new String[] {"ADD", "CHECK", "DEL"}) {
                cni.run(Map.of("CNI_COMMAND", verb, "CNI_CONTAINERID", "pipework-training", "CNI_NETNS", netns,
                        "CNI_IFNAME", "eth0", "CNI_PATH", "/usr/lib/cni"),
                        new ByteArrayInputStream(conf.getBytes(StandardCharsets.UTF_8)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            guest.destroyForcibly();
        }
    }

    private static void deleteQuietly(Path tree) {
        try (var paths = Files.walk(tree)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // a scratch directory under the temporary directory
        }
    }
}
