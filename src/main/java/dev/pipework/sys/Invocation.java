package dev.pipework.sys;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One command for the runner: its argv, and what it is given beyond the runner's defaults.
 *
 * @param argv  the program and its arguments, never a shell line
 * @param stdin its standard input; without it, {@code /dev/null}
 * @param env   variables set over this program's own environment (a CNI plugin's {@code CNI_*})
 * @param bound how long it may run; without it, the runner's own bound
 */
public record Invocation(List<String> argv, Optional<String> stdin, Map<String, String> env,
                         Optional<Duration> bound) {

    public Invocation {
        argv = List.copyOf(argv);
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no command");
        }
        if (bound.isPresent() && (bound.get().isNegative() || bound.get().isZero())) {
            throw new IllegalArgumentException("a bound must be positive: " + bound.get());
        }
    }

    public static Invocation of(List<String> argv) {
        return new Invocation(argv, Optional.empty(), Map.of(), Optional.empty());
    }

    public Invocation withStdin(String text) {
        return new Invocation(argv, Optional.ofNullable(text), env, bound);
    }

    public Invocation withEnv(Map<String, String> vars) {
        return new Invocation(argv, stdin, vars, bound);
    }

    public Invocation withBound(Duration limit) {
        return new Invocation(argv, stdin, env, Optional.ofNullable(limit));
    }
}
