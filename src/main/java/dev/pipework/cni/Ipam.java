package dev.pipework.cni;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The IPAM plugin a configuration delegates to, run as the specification says: the executable
 * {@code <type>} from the first directory of {@code CNI_PATH} that has it, with the same
 * environment and the same configuration on stdin.
 */
final class Ipam {
    private final String type;
    private final Path executable;

    private Ipam(String type, Path executable) {
        this.type = type;
        this.executable = executable;
    }

    /** The plugin of that type in {@code CNI_PATH}, when there is one. */
    static Optional<Ipam> find(String type, List<String> path) {
        for (String dir : path) {
            Path p = Path.of(dir, type);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(new Ipam(type, p));
            }
        }
        return Optional.empty();
    }

    /** The plugin, or the specification's invalid-configuration error naming where it was looked for. */
    static Ipam require(String type, List<String> path) {
        return find(type, path).orElseThrow(() -> new CniError(CniError.INVALID_CONFIG,
                "IPAM plugin \"" + type + "\" not found in CNI_PATH", "searched: " + String.join(":", path)));
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
        ProcessBuilder pb = new ProcessBuilder(executable.toString());
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new CniError(CniError.IPAM_FAILED, "cannot run IPAM plugin \"" + type + "\": " + e.getMessage());
        }
        byte[] output;
        try (OutputStream in = p.getOutputStream(); InputStream out = p.getInputStream()) {
            try {
                in.write(config.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // a plugin that does not read its stdin: its exit status tells
            }
            in.close();
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            out.transferTo(buffer);
            output = buffer.toByteArray();
            int status = p.waitFor();
            String text = new String(output, StandardCharsets.UTF_8);
            if (status != 0) {
                throw failure(status, text);
            }
            return text;
        } catch (IOException e) {
            throw new CniError(CniError.IPAM_FAILED, "IPAM plugin \"" + type + "\": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
            throw new CniError(CniError.TRY_AGAIN_LATER, "interrupted while IPAM plugin \"" + type + "\" ran");
        }
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
