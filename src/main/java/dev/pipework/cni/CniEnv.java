package dev.pipework.cni;

import dev.pipework.model.InterfaceName;
import dev.pipework.model.InvalidValueException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the runtime says in the environment: the verb, the container, its namespace, the interface
 * name, the arguments and where plugins live.
 *
 * @param args      {@code CNI_ARGS} as key-value pairs, in their order
 * @param variables the {@code CNI_*} variables as the runtime gave them, for a delegated plugin
 */
public record CniEnv(String command, String containerId, String netns, String ifname,
                     Map<String, String> args, List<String> path, Map<String, String> variables) {

    public static final String COMMAND = "CNI_COMMAND";
    /** Runtimes give 64; a record's file name ({@code <ID>:<ifname>.json}) must stay under 255 bytes. */
    static final int MAX_CONTAINER_ID = 200;

    /** The environment of a run, checked for what the verb needs. */
    public static CniEnv from(Map<String, String> env) {
        String command = env.getOrDefault(COMMAND, "");
        String containerId = env.getOrDefault("CNI_CONTAINERID", "");
        String netns = env.getOrDefault("CNI_NETNS", "");
        String ifname = env.getOrDefault("CNI_IFNAME", "");
        List<String> path = new ArrayList<>();
        for (String dir : env.getOrDefault("CNI_PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                path.add(dir);
            }
        }
        Map<String, String> args = parseArgs(env.getOrDefault("CNI_ARGS", ""));
        boolean attachment = command.equals("ADD") || command.equals("DEL") || command.equals("CHECK");
        if (attachment) {
            if (containerId.isEmpty()) {
                throw invalid("CNI_CONTAINERID is missing");
            }
            if (containerId.length() > MAX_CONTAINER_ID) {
                // Refused before anything is plumbed: the record's file name would be too long for the
                // file system, after the attach.
                throw invalid("CNI_CONTAINERID is " + containerId.length() + " characters long: at most "
                        + MAX_CONTAINER_ID);
            }
            if (!containerId.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]*")) {
                throw invalid("CNI_CONTAINERID \"" + containerId
                        + "\" is not valid: expected letters, digits, '_', '.' and '-', starting with a letter or digit");
            }
            if (ifname.isEmpty()) {
                throw invalid("CNI_IFNAME is missing");
            }
            try {
                InterfaceName.check("CNI_IFNAME", ifname);
            } catch (InvalidValueException e) {
                throw invalid(e.getMessage());
            }
            if (!command.equals("DEL") && netns.isEmpty()) {
                throw invalid("CNI_NETNS is missing");
            }
            if (!netns.isEmpty() && !netns.startsWith("/")) {
                throw invalid("CNI_NETNS \"" + netns + "\" is not an absolute path");
            }
        }
        Map<String, String> variables = new java.util.HashMap<>();
        for (String name : VARIABLES) {
            if (env.containsKey(name)) {
                variables.put(name, env.get(name));
            }
        }
        return new CniEnv(command, containerId, netns, ifname, args, List.copyOf(path), Map.copyOf(variables));
    }

    /** The variables a runtime sets for a plugin (the specification's "Parameters"). */
    private static final List<String> VARIABLES = List.of(COMMAND, "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME",
            "CNI_ARGS", "CNI_PATH");

    /**
     * The environment of a plugin this one delegates to: these variables as they were given, with
     * {@code changed} set over them ({@code CNI_COMMAND=DEL} to release). A run's own environment is
     * the runtime's, so this is what the delegated plugin inherits anyway; where the verb is run from
     * within the process (the start-up cache's training, whose environment the launcher clears of
     * {@code CNI_*} variables) it is not.
     */
    public Map<String, String> forDelegate(Map<String, String> changed) {
        Map<String, String> all = new LinkedHashMap<>(variables);
        all.putAll(changed);
        return all;
    }

    /**
     * {@code CNI_ARGS}: {@code K=V} pairs separated by {@code ;}. {@code IP} and {@code MAC} are
     * understood; any other key is refused unless {@code IgnoreUnknown} is {@code 1} or {@code true}.
     */
    static Map<String, String> parseArgs(String text) {
        Map<String, String> args = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return args;
        }
        for (String pair : text.split(";")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw invalid("CNI_ARGS: \"" + pair + "\" is not KEY=VALUE");
            }
            args.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        String ignore = args.getOrDefault("IgnoreUnknown", "");
        boolean ignoreUnknown = ignore.equals("1") || ignore.equalsIgnoreCase("true");
        if (!ignoreUnknown) {
            for (String key : args.keySet()) {
                if (!key.equals("IP") && !key.equals("MAC") && !key.equals("IgnoreUnknown")) {
                    throw invalid("CNI_ARGS: unknown key \"" + key + "\" (add IgnoreUnknown=1 to pass it on)");
                }
            }
        }
        return args;
    }

    public Optional<String> arg(String key) {
        return Optional.ofNullable(args.get(key)).filter(v -> !v.isEmpty());
    }

    private static CniError invalid(String msg) {
        return new CniError(CniError.INVALID_ENVIRONMENT, msg);
    }
}
