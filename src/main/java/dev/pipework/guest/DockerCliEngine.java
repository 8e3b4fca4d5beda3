package dev.pipework.guest;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import dev.pipework.sys.Invocation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Fallback engine that drives the {@code docker} command (argv only, never through a shell).
 * It follows whatever the CLI follows ({@code DOCKER_HOST=tcp://...}, contexts, ...). The
 * {@code podman} command, whose subcommands used here take the same arguments, is driven the same
 * way: its {@code inspect} prints an array of one document, and it reports a missing container in
 * lower case.
 */
public final class DockerCliEngine implements DockerEngine {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final String command;
    private final Duration timeout;
    private final CommandRunner runner;

    /** {@code docker} from PATH. */
    public DockerCliEngine(CommandRunner runner) {
        this("docker", DEFAULT_TIMEOUT, runner);
    }

    /**
     * @param command a program name looked up on PATH, or a path to the docker binary
     * @param timeout how long one CLI invocation may run before it is stopped, with what it started
     * @param runner  what runs it
     */
    public DockerCliEngine(String command, Duration timeout, CommandRunner runner) {
        this.command = Objects.requireNonNull(command, "command");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.runner = Objects.requireNonNull(runner, "runner");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    /** The first executable {@code program} in the colon-separated {@code pathEnv}. */
    public static Optional<Path> findOnPath(String program, String pathEnv) {
        if (pathEnv == null || program.isEmpty() || program.contains("/")) {
            return Optional.empty();
        }
        for (String dir : pathEnv.split(":", -1)) {
            // An empty PATH element means the current directory.
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    @Override
    public String endpoint() {
        return program() + " CLI " + command;
    }

    /** The program's name as messages give it: {@code docker}, {@code podman}. */
    private String program() {
        Path name = Path.of(command).getFileName();
        return name == null ? command : name.toString();
    }

    @Override
    public boolean isAvailable() {
        if (command.contains("/")) {
            Path p = Path.of(command);
            return Files.isRegularFile(p) && Files.isExecutable(p);
        }
        return findOnPath(command, System.getenv("PATH")).isPresent();
    }

    @Override
    public Optional<DockerContainer> inspect(String nameOrId) throws DockerException {
        Objects.requireNonNull(nameOrId, "nameOrId");
        // --type container: without it a missing container falls through to an image of that name.
        Result r = run("inspect", "--type", "container", "--format", "{{json .}}", "--", nameOrId);
        if (r.status() != 0) {
            if (isNoSuch(r)) {
                return Optional.empty();
            }
            throw failure("inspect", r);
        }
        String out = r.stdout().strip();
        try {
            Object doc = Json.parse(out);
            if (doc instanceof List<?> list) {
                if (list.size() != 1) {
                    throw new JsonException("expected one document, got " + list.size());
                }
                doc = list.get(0);
            }
            return Optional.of(DockerContainer.fromInspect(Json.object(doc)));
        } catch (JsonException e) {
            throw new DockerException(endpoint(), program() + " inspect " + nameOrId + ": unexpected output: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public List<String> idsWithLabel(String key, String value) throws DockerException {
        Result r = run("ps", "-aq", "--no-trunc", "--filter", "label=" + key + "=" + value);
        if (r.status() != 0) {
            throw failure("ps", r);
        }
        return r.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    @Override
    public List<String> runningIds() throws DockerException {
        Result r = run("ps", "-q", "--no-trunc");
        if (r.status() != 0) {
            throw failure("ps", r);
        }
        return r.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    @Override
    public String createAndStart(String name, Map<String, Object> createBody) throws DockerException {
        List<String> argv = new ArrayList<>();
        argv.add("create");
        if (name != null) {
            argv.add("--name");
            argv.add(name);
        }
        argv.addAll(createArgs(createBody));
        Result created = run(argv.toArray(String[]::new));
        if (created.status() != 0) {
            throw failure("create", created);
        }
        String[] lines = created.stdout().strip().split("\n");
        String id = lines[lines.length - 1].strip();
        if (id.isEmpty()) {
            throw new DockerException(endpoint(), program() + " create printed no container ID");
        }
        Result started = run("start", "--", id);
        if (started.status() != 0) {
            DockerException e = failure("start", started);
            try {
                remove(id, true);
            } catch (DockerException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return id;
    }

    @Override
    public boolean remove(String nameOrId, boolean force) throws DockerException {
        Objects.requireNonNull(nameOrId, "nameOrId");
        Result r = force ? run("rm", "-f", "--", nameOrId) : run("rm", "--", nameOrId);
        // "docker rm -f" of a missing container reports it on stderr but still exits 0.
        if (isNoSuch(r)) {
            return false;
        }
        if (r.status() == 0) {
            return true;
        }
        throw failure("rm", r);
    }

    private static boolean isNoSuch(Result r) {
        // "Error: No such object: x" (plain inspect) or
        // "Error response from daemon: No such container: x" (--type container, rm);
        // podman: "Error: inspecting object: no such container x".
        String err = r.stderr().toLowerCase(Locale.ROOT);
        return err.contains("no such container") || err.contains("no such object");
    }

    private DockerException failure(String subcommand, Result r) {
        String err = r.stderr().strip();
        if (err.isEmpty()) {
            err = r.stdout().strip();
        }
        return new DockerException(endpoint(), program() + " " + subcommand + " exited with status " + r.status()
                + (err.isEmpty() ? "" : ": " + err));
    }

    // ------------------------------------------------------------------ create body -> CLI flags

    private static final Set<String> TOP_LEVEL = Set.of("Image", "Cmd", "Entrypoint", "Env", "Hostname",
            "Domainname", "User", "WorkingDir", "Labels", "Tty", "OpenStdin", "StopSignal", "NetworkDisabled",
            "AttachStdin", "AttachStdout", "AttachStderr", "HostConfig");
    private static final Set<String> HOST_CONFIG = Set.of("NetworkMode", "Privileged", "CapAdd", "CapDrop",
            "AutoRemove", "Binds", "Init", "Dns", "DnsSearch", "DnsOptions", "ExtraHosts", "SecurityOpt",
            "Sysctls", "PidMode", "IpcMode", "UTSMode", "ReadonlyRootfs");

    /**
     * {@code docker create} flags, image and arguments equivalent to an Engine API create body.
     * Only a common subset of the body is understood; anything else is refused rather than
     * silently dropped.
     */
    static List<String> createArgs(Map<String, Object> body) throws DockerException {
        Objects.requireNonNull(body, "createBody");
        Set<String> unknown = new TreeSet<>();
        for (String k : body.keySet()) {
            if (!TOP_LEVEL.contains(k)) {
                unknown.add(k);
            }
        }
        Map<String, Object> hc = Map.of();
        if (body.get("HostConfig") != null) {
            hc = objectOf(body, "HostConfig");
            for (String k : hc.keySet()) {
                if (!HOST_CONFIG.contains(k)) {
                    unknown.add("HostConfig." + k);
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new DockerException("docker CLI", "create body fields not supported through the docker CLI: " + unknown);
        }
        String image = stringOf(body, "Image");
        if (image == null || image.isEmpty()) {
            throw new DockerException("docker CLI", "create body has no \"Image\"");
        }

        List<String> a = new ArrayList<>();
        option(a, "--hostname", stringOf(body, "Hostname"));
        option(a, "--domainname", stringOf(body, "Domainname"));
        option(a, "--user", stringOf(body, "User"));
        option(a, "--workdir", stringOf(body, "WorkingDir"));
        option(a, "--stop-signal", stringOf(body, "StopSignal"));
        for (String e : stringsOf(body, "Env")) {
            a.add("--env");
            a.add(e);
        }
        if (body.get("Labels") != null) {
            for (Map.Entry<String, Object> e : objectOf(body, "Labels").entrySet()) {
                a.add("--label");
                a.add(e.getKey() + "=" + (e.getValue() == null ? "" : e.getValue()));
            }
        }
        flag(a, "--tty", body, "Tty");
        flag(a, "--interactive", body, "OpenStdin");
        for (String stream : List.of("Stdin", "Stdout", "Stderr")) {
            if (Boolean.TRUE.equals(body.get("Attach" + stream))) {
                a.add("--attach");
                a.add(stream.toLowerCase(Locale.ROOT));
            }
        }
        if (Boolean.TRUE.equals(body.get("NetworkDisabled")) && hc.get("NetworkMode") == null) {
            a.add("--network");
            a.add("none");
        }
        option(a, "--network", stringOf(hc, "NetworkMode"));
        flag(a, "--privileged", hc, "Privileged");
        flag(a, "--rm", hc, "AutoRemove");
        flag(a, "--init", hc, "Init");
        flag(a, "--read-only", hc, "ReadonlyRootfs");
        option(a, "--pid", stringOf(hc, "PidMode"));
        option(a, "--ipc", stringOf(hc, "IpcMode"));
        option(a, "--uts", stringOf(hc, "UTSMode"));
        repeated(a, "--cap-add", stringsOf(hc, "CapAdd"));
        repeated(a, "--cap-drop", stringsOf(hc, "CapDrop"));
        repeated(a, "--volume", stringsOf(hc, "Binds"));
        repeated(a, "--dns", stringsOf(hc, "Dns"));
        repeated(a, "--dns-search", stringsOf(hc, "DnsSearch"));
        repeated(a, "--dns-option", stringsOf(hc, "DnsOptions"));
        repeated(a, "--add-host", stringsOf(hc, "ExtraHosts"));
        repeated(a, "--security-opt", stringsOf(hc, "SecurityOpt"));
        if (hc.get("Sysctls") != null) {
            for (Map.Entry<String, Object> e : objectOf(hc, "Sysctls").entrySet()) {
                a.add("--sysctl");
                a.add(e.getKey() + "=" + e.getValue());
            }
        }

        // The CLI's --entrypoint takes a single program; further entrypoint words become the
        // first arguments. Like the API, a given entrypoint discards the image's default Cmd.
        List<String> args = new ArrayList<>();
        if (body.containsKey("Entrypoint") && body.get("Entrypoint") != null) {
            List<String> ep = stringsOf(body, "Entrypoint");
            a.add("--entrypoint");
            a.add(ep.isEmpty() ? "" : ep.get(0));
            if (ep.size() > 1) {
                args.addAll(ep.subList(1, ep.size()));
            }
        }
        args.addAll(stringsOf(body, "Cmd"));
        a.add("--");
        a.add(image);
        a.addAll(args);
        return a;
    }

    private static void option(List<String> a, String flag, String value) {
        if (value != null && !value.isEmpty()) {
            a.add(flag);
            a.add(value);
        }
    }

    private static void repeated(List<String> a, String flag, List<String> values) {
        for (String v : values) {
            a.add(flag);
            a.add(v);
        }
    }

    private static void flag(List<String> a, String flag, Map<String, Object> m, String key)
            throws DockerException {
        Object v = m.get(key);
        if (v != null && !(v instanceof Boolean)) {
            throw new DockerException("docker CLI", "create body field \"" + key + "\" must be a boolean");
        }
        if (Boolean.TRUE.equals(v)) {
            a.add(flag);
        }
    }

    private static String stringOf(Map<String, Object> m, String key) throws DockerException {
        Object v = m.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw new DockerException("docker CLI", "create body field \"" + key + "\" must be a string");
    }

    /** A string list; like the API's StrSlice a lone string counts as a one-element list. */
    private static List<String> stringsOf(Map<String, Object> m, String key) throws DockerException {
        Object v = m.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof Collection<?> c) {
            List<String> out = new ArrayList<>();
            for (Object o : c) {
                if (!(o instanceof String s)) {
                    throw new DockerException("docker CLI", "create body field \"" + key + "\" must hold strings");
                }
                out.add(s);
            }
            return out;
        }
        throw new DockerException("docker CLI", "create body field \"" + key + "\" must be a list of strings");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> objectOf(Map<String, Object> m, String key) throws DockerException {
        Object v = m.get(key);
        if (v instanceof Map<?, ?> map) {
            for (Object k : map.keySet()) {
                if (!(k instanceof String)) {
                    throw new DockerException("docker CLI", "create body field \"" + key + "\" has non-string keys");
                }
            }
            return (Map<String, Object>) map;
        }
        throw new DockerException("docker CLI", "create body field \"" + key + "\" must be an object");
    }

    // ------------------------------------------------------------------ process

    record Result(int status, String stdout, String stderr) {
    }

    /** Runs the CLI through the runner, bounded by this engine's timeout. */
    Result run(String... args) throws DockerException {
        List<String> argv = new ArrayList<>(args.length + 1);
        argv.add(command);
        argv.addAll(List.of(args));
        String what = program() + " " + (args.length > 0 ? args[0] : "");
        CommandResult r = runner.run(Invocation.of(argv).withBound(timeout));
        if (r.timedOut()) {
            throw new DockerException(endpoint(), what + ": no answer within " + timeout.toMillis() + " ms");
        }
        if (r.exitStatus() == 127 && r.stdout().isEmpty() && !isAvailable()) {
            throw new DockerException(endpoint(), what + ": cannot run " + command + ": " + r.reason());
        }
        return new Result(r.exitStatus(), r.stdout(), r.stderr());
    }
}
