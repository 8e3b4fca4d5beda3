package dev.pipework.cni;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;

import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import dev.pipework.sys.Invocation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The IPAM plugin a configuration delegates to, run as the specification says: the executable
 * {@code <type>} from the first directory of {@code CNI_PATH} that has it, with the same
 * environment and the same configuration on stdin. It runs through the runner like every command:
 * one that hangs is stopped, with what it started, at its bound ({@value #BOUND_KEY} seconds in
 * the configuration, else the runner's), and the verb fails.
 */
final class Ipam {
    /** The configuration's member that bounds each run of the IPAM plugin, in seconds. */
    static final String BOUND_KEY = "ipamTimeout";
    /** Set in the IPAM plugin's environment: pipework run under it refuses to be its own IPAM plugin. */
    static final String DELEGATED = "PIPEWORK_IPAM_OF";

    private final String type;
    private final Path executable;
    private final Optional<Duration> bound;
    private final CommandRunner runner;

    private Ipam(String type, Path executable, Optional<Duration> bound, CommandRunner runner) {
        this.type = type;
        this.executable = executable;
        this.bound = bound;
        this.runner = runner;
    }

    /**
     * The plugin of that type in {@code CNI_PATH}, when there is one. This plugin itself (its type
     * {@code pipework}, the configuration's own type, or the same file under another name) is
     * refused: it would run itself again and again.
     *
     * @param config the network configuration, for its own type and the IPAM bound
     */
    static Optional<Ipam> find(String type, Map<String, Object> config, List<String> path, CommandRunner runner) {
        Object own = config.get("type");
        if (type.equals("pipework") || type.equals(own)) {
            throw itself(type);
        }
        Optional<Duration> bound = bound(config);
        Optional<Path> found = locate(type, path);
        Optional<Path> self = own instanceof String o ? locate(o, path) : Optional.empty();
        if (found.isPresent() && self.isPresent() && same(found.get(), self.get())) {
            throw itself(type);
        }
        return found.map(p -> new Ipam(type, p, bound, runner));
    }

    /** The plugin, or the specification's invalid-configuration error naming where it was looked for. */
    static Ipam require(String type, Map<String, Object> config, List<String> path, CommandRunner runner) {
        return find(type, config, path, runner).orElseThrow(() -> new CniError(CniError.INVALID_CONFIG,
                "IPAM plugin \"" + type + "\" not found in CNI_PATH", "searched: " + String.join(":", path)));
    }

    private static Optional<Path> locate(String type, List<String> path) {
        for (String dir : path) {
            Path p = Path.of(dir, type);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static boolean same(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static CniError itself(String type) {
        return new CniError(CniError.INVALID_CONFIG, "IPAM plugin \"" + type + "\" is this plugin itself: "
                + "it would run itself again and again", "ipam.type must name an IPAM plugin (host-local, static, dhcp, ...),"
                + " or be pipework with \"pool\": a pool of pipework's own");
    }

    /** {@value #BOUND_KEY}: whole seconds, from 1 to an hour. */
    private static Optional<Duration> bound(Map<String, Object> config) {
        if (config.get(BOUND_KEY) == null) {
            return Optional.empty();
        }
        long seconds;
        try {
            seconds = Json.number(config, BOUND_KEY);
        } catch (JsonException e) {
            seconds = -1;
        }
        if (seconds < 1 || seconds > 3600) {
            throw new CniError(CniError.INVALID_CONFIG, BOUND_KEY + " " + config.get(BOUND_KEY)
                    + " is not valid: expected whole seconds from 1 to 3600");
        }
        return Optional.of(Duration.ofSeconds(seconds));
    }

    String type() {
        return type;
    }

    /**
     * Runs one verb; returns what the plugin printed on success. A plugin that does not speak the
     * configuration's version (an older {@code host-local} and 1.1.0) is given the newest version
     * both speak, as its VERSION says; its result is read whatever its version.
     */
    String delegate(Map<String, String> env, String config) {
        try {
            return run(env, config);
        } catch (CniError e) {
            if (e.code() != CniError.INCOMPATIBLE_VERSION) {
                throw e;
            }
            Map<String, Object> conf = new LinkedHashMap<>(NetConf.decode(config));
            String wanted = NetConf.versionFor(conf);
            Map<String, String> version = new LinkedHashMap<>(env);
            version.put("CNI_COMMAND", "VERSION");
            Object supported;
            try {
                supported = Json.object(Json.parse(run(version, "{\"cniVersion\":\"" + wanted + "\"}").strip()))
                        .get("supportedVersions");
            } catch (JsonException | CniError ignored) {
                throw e;
            }
            if (!(supported instanceof List<?> theirs)) {
                throw e;
            }
            List<String> ours = NetConf.VERSIONS.subList(0, NetConf.VERSIONS.indexOf(wanted));
            for (int i = ours.size() - 1; i >= 0; i--) {
                if (theirs.contains(ours.get(i))) {
                    conf.put("cniVersion", ours.get(i));
                    return run(env, Json.write(conf));
                }
            }
            throw e;
        }
    }

    /**
     * Runs one verb as it is; returns what the plugin printed on success.
     *
     * @param env    the environment to give it: this process's with these variables set
     * @param config the configuration text for its stdin
     */
    String run(Map<String, String> env, String config) {
        Map<String, String> vars = new LinkedHashMap<>(env);
        Object network = NetConf.decode(config).get("name");
        vars.put(DELEGATED, network instanceof String n ? n : "");
        Invocation invocation = Invocation.of(List.of(executable.toString())).withStdin(config).withEnv(vars);
        CommandResult r = runner.run(bound.map(invocation::withBound).orElse(invocation));
        if (!r.stderr().isEmpty() && !r.timedOut()) {
            // What the plugin says on stderr goes where it went when the plugin shared ours.
            System.err.print(r.stderr());
            System.err.flush();
        }
        if (r.timedOut()) {
            throw new CniError(CniError.IPAM_FAILED, "IPAM plugin \"" + type + "\": " + r.stderr().strip(),
                    "the bound is \"" + BOUND_KEY + "\" in the network configuration, in seconds");
        }
        if (r.exitStatus() == 127 && r.stdout().isEmpty()) {
            throw new CniError(CniError.IPAM_FAILED, "cannot run IPAM plugin \"" + type + "\": " + r.reason());
        }
        if (r.exitStatus() != 0) {
            throw failure(r.exitStatus(), r.stdout());
        }
        return r.stdout();
    }

    /** The plugin's own error object, its code kept; or what it printed. */
    private CniError failure(int status, String text) {
        try {
            Map<String, Object> err = Json.object(Json.parse(text.strip()));
            long code = err.get("code") == null ? CniError.IPAM_FAILED : Json.number(err, "code");
            String msg = Optional.ofNullable(Json.string(err, "msg")).orElse("failed");
            String details = Optional.ofNullable(Json.string(err, "details")).orElse("");
            return new CniError((int) code, "IPAM plugin \"" + type + "\": " + msg, details);
        } catch (JsonException e) {
            return new CniError(CniError.IPAM_FAILED, "IPAM plugin \"" + type + "\" exited with status " + status,
                    text.strip());
        }
    }
}
