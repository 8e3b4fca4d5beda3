package dev.pipework.cni;

import dev.pipework.guest.CniRecords;
import dev.pipework.json.Json;
import dev.pipework.model.Failure;
import dev.pipework.run.Services;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The CNI front end: when {@code CNI_COMMAND} is set, the launcher is a CNI plugin. The network
 * configuration comes on stdin, the rest in the environment; the result or the specification's
 * error object goes to stdout, messages to stderr.
 */
public final class CniMain {
    private final Services services;
    private final CniRecords records;
    private final PrintStream out;
    private final PrintStream err;

    public CniMain(Services services, CniRecords records, PrintStream out, PrintStream err) {
        this.services = services;
        this.records = records;
        this.out = out;
        this.err = err;
    }

    /** Whether this environment asks for the plugin rather than the command line. */
    public static boolean wanted(Map<String, String> env) {
        return env.containsKey(CniEnv.COMMAND);
    }

    /**
     * What a run that makes the launcher's start-up cache does for the plugin, so that its classes
     * are in the cache too: an ADD of a configuration that is read, its IPAM plugin looked for, and
     * refused for its missing namespace before anything changes (no DEL: it would ask the IPAM
     * plugin to release); a VERSION; an IPAM result written
     * in every version. Nothing is run, written or kept.
     */
    public static void train(Services services, CniRecords records) {
        PrintStream nowhere = new PrintStream(java.io.OutputStream.nullOutputStream());
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"training\",\"type\":\"pipework\",\"bridge\":\"br0\","
                + "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.0.0.0/24\"}}";
        CniMain main = new CniMain(services, records, nowhere, nowhere);
        for (String verb : java.util.List.of("ADD", "VERSION")) {
            main.run(Map.of(CniEnv.COMMAND, verb, "CNI_CONTAINERID", "training", "CNI_NETNS",
                    "/nonexistent/pipework-training", "CNI_IFNAME", "eth0", "CNI_PATH", "/usr/lib/cni:/opt/cni/bin"),
                    new java.io.ByteArrayInputStream(conf.getBytes(StandardCharsets.UTF_8)));
        }
        CniResult result = CniResult.parse(Json.object(Json.parse("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":"
                + "\"10.0.0.2/24\",\"gateway\":\"10.0.0.1\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dns\":{}}")));
        for (String version : NetConf.VERSIONS) {
            nowhere.println(Json.writePretty(result.withInterfaces(java.util.List.of(
                    new CniResult.Iface("eth0", "02:00:00:00:00:01", java.util.Optional.of(1500),
                            java.util.Optional.of("/nonexistent"))), 0).render(version)));
        }
    }

    /** A network configuration is a few KB; it is kept in a record under /run, so its size has a bound. */
    static final int MAX_CONFIG = 1 << 20;

    /** Runs one verb; returns the exit status. */
    public int run(Map<String, String> environment, InputStream in) {
        Map<String, Object> raw = null;
        try {
            String stdin = read(in);
            String command = environment.getOrDefault(CniEnv.COMMAND, "");
            if (command.equals("VERSION")) {
                try {
                    raw = NetConf.decode(stdin.isBlank() ? "{}" : stdin);
                } catch (CniError e) {
                    raw = Map.of();
                }
                print(CniMaintenance.version(raw));
                return 0;
            }
            raw = NetConf.decode(stdin);
            if (environment.containsKey(Ipam.DELEGATED)) {
                throw new CniError(CniError.INVALID_CONFIG, "pipework was run as the IPAM plugin of network \""
                        + environment.get(Ipam.DELEGATED) + "\": it is not an IPAM plugin");
            }
            CniEnv env = CniEnv.from(environment);
            CniPlugin plugin = new CniPlugin(services, records, err);
            switch (command) {
                case "ADD" -> print(plugin.add(env, raw, stdin));
                case "DEL" -> plugin.del(env, raw, stdin);
                case "CHECK" -> new CniCheck(services).check(env, raw, stdin);
                case "STATUS" -> new CniMaintenance(services, records, err).status(env, raw);
                case "GC" -> new CniMaintenance(services, records, err).gc(env, raw, plugin);
                default -> throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_COMMAND \"" + command
                        + "\" is not one of ADD, DEL, CHECK, VERSION, STATUS, GC");
            }
            return 0;
        } catch (RuntimeException e) {
            return fail(Failure.of(e), raw);
        }
    }

    private int fail(Failure failure, Map<String, Object> raw) {
        print(failure.cniError(NetConf.versionFor(raw)));
        err.println(failure.line());
        return 1;
    }

    private void print(Map<String, Object> json) {
        out.println(Json.writePretty(json));
        out.flush();
    }

    private static String read(InputStream in) {
        try {
            byte[] bytes = in.readNBytes(MAX_CONFIG + 1);
            if (bytes.length > MAX_CONFIG) {
                throw new CniError(CniError.INVALID_CONFIG, "the network configuration on stdin is larger than 1 MiB");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CniError(CniError.DECODE, "cannot read the network configuration on stdin: " + e.getMessage());
        }
    }
}
