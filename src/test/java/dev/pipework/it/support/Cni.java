package dev.pipework.it.support;

import dev.pipework.json.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs the built jar as a CNI plugin: the verb and the container in the environment, the configuration on stdin. */
public final class Cni {
    /** Where Debian's containernetworking-plugins puts the reference plugins. */
    public static final String PLUGINS = "/usr/lib/cni";

    private Cni() {
    }

    /** The reference plugins are installed (scripts/test-env installs them); skips, or fails under CI, otherwise. */
    public static void requirePlugins(String... names) {
        Prerequisites.requireRoot();
        for (String name : names) {
            Prerequisites.require(Files.isExecutable(Path.of(PLUGINS, name)), "CNI plugin " + PLUGINS + "/" + name);
        }
    }

    /** One verb. */
    public static Sh.Result run(String command, String containerId, String netns, String ifname, String config) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netns);
        env.put("CNI_IFNAME", ifname);
        env.put("CNI_PATH", PLUGINS);
        return run(env, config);
    }

    /** One verb with exactly this environment (null value = unset). */
    public static Sh.Result run(Map<String, String> env, String config) {
        Map<String, String> all = new LinkedHashMap<>();
        for (String k : List.of("CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH")) {
            all.put(k, null);
        }
        all.putAll(env);
        return Sh.run(Pipework.command(List.of()), Duration.ofSeconds(60), config, all);
    }

    /** ADD that must succeed; its result. */
    public static Map<String, Object> add(String containerId, String netns, String ifname, String config) {
        Sh.Result r = run("ADD", containerId, netns, ifname, config);
        if (r.code() != 0) {
            throw new AssertionError("CNI ADD failed: " + r.describe());
        }
        return Json.object(Json.parse(r.out()));
    }

    /**
     * The host links a test can account for: those whose name holds its suffix, and the host end
     * pipework would name for this namespace and interface (other tests may run meanwhile).
     */
    public static String hostLinks(String suffix, String netnsPath, String ifname) {
        try {
            long inode = ((Number) Files.getAttribute(Path.of(netnsPath), "unix:ino")).longValue();
            String hostEnd = dev.pipework.plan.Names.vethHostEnd(ifname, inode);
            List<String> names = new java.util.ArrayList<>();
            try (java.util.stream.Stream<Path> links = Files.list(Path.of("/sys/class/net"))) {
                links.map(p -> p.getFileName().toString()).filter(n -> n.contains(suffix) || n.equals(hostEnd))
                        .sorted().forEach(names::add);
            }
            return String.join(" ", names);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The configuration with one member more (a prevResult, runtimeConfig, ...). */
    public static String with(String config, String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(Json.object(Json.parse(config)));
        m.put(key, value);
        return Json.write(m);
    }
}
