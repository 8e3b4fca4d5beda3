package dev.pipework.watch;

import dev.pipework.model.AddressSpec;
import dev.pipework.model.AttachRequest;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.HostTarget;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a container's labels may ask of the host. A label is written by whoever may start a
 * container, not by root: by default it may only attach to a Linux or Open vSwitch bridge that
 * exists (with a VLAN, an address, a MAC, an MTU). Anything else is opt-in, per host interface or
 * bridge name, in the policy file, one rule a line:
 *
 * <pre>
 * # allow &lt;rule&gt; &lt;name&gt;...   (a name ending in * is a prefix)
 * allow create-bridge br-lab*
 * allow nic eth2
 * </pre>
 *
 * The attachments file is the administrator's own and is not bound by it.
 *
 * @param source where it was read from, for messages
 */
public record DeclarationPolicy(Path source, Map<Rule, List<String>> allowed) {
    public static final Path DEFAULT = Path.of("/etc/pipework/watch.conf");

    /** What a declaration does beyond attaching to an existing bridge. */
    public enum Rule {
        /** A bridge of that name does not exist and would be created. */
        CREATE_BRIDGE,
        /** A macvlan, IPoIB child or dummy on a host interface that is no bridge. */
        NIC,
        /** {@code --direct-phys}: the host's NIC moved into the container. */
        DIRECT_PHYS,
        /** {@code -l}: the host end named by the declaration (the original deletes a link of that name). */
        LOCAL_NAME,
        /** Options passed to a DHCP client (they name files, scripts, ...). */
        DHCP_OPTIONS,
        /** A gateway: the container's default route. */
        ROUTE;

        public String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Optional<Rule> of(String word) {
            for (Rule r : values()) {
                if (r.word().equals(word)) {
                    return Optional.of(r);
                }
            }
            return Optional.empty();
        }
    }

    /** Why a declaration is refused: the rule it needs, for which host interface. */
    public record Refusal(Rule rule, String hostInterface, Path policy) {
        public String message() {
            return "refused by rule \"" + rule.word() + "\": not allowed for \"" + hostInterface + "\" by " + policy
                    + "; nothing was changed";
        }
    }

    public DeclarationPolicy {
        Map<Rule, List<String>> copy = new EnumMap<>(Rule.class);
        allowed.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        allowed = copy;
    }

    /** Nothing opted in. */
    public static DeclarationPolicy strict(Path source) {
        return new DeclarationPolicy(source, Map.of());
    }

    /** The policy file; one that does not exist allows nothing beyond the default. */
    public static DeclarationPolicy load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return strict(file);
        } catch (IOException e) {
            throw new PipeworkException("cannot read the policy file " + file + ": " + e.getMessage());
        }
        return parse(file, text);
    }

    public static DeclarationPolicy parse(Path file, String text) {
        Map<Rule, List<String>> allowed = new EnumMap<>(Rule.class);
        int n = 0;
        for (String raw : text.split("\n", -1)) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+");
            Optional<Rule> rule = words.length >= 3 && words[0].equals("allow") ? Rule.of(words[1]) : Optional.empty();
            if (rule.isEmpty()) {
                throw new PipeworkException(file + ":" + n + ": expected \"allow <rule> <name>...\" with a rule of "
                        + String.join(", ", java.util.Arrays.stream(Rule.values()).map(Rule::word).toList()));
            }
            List<String> names = allowed.computeIfAbsent(rule.get(), r -> new ArrayList<>());
            names.addAll(List.of(words).subList(2, words.length));
        }
        return new DeclarationPolicy(file, allowed);
    }

    /** The first rule the declaration needs and is not given, if any. */
    public Optional<Refusal> check(AttachRequest request, HostTarget target) {
        String name = target.name();
        List<Rule> needed = new ArrayList<>();
        if (request.directPhys()) {
            needed.add(Rule.DIRECT_PHYS);
        }
        boolean bridge = target.kind() == HostTarget.Kind.LINUX_BRIDGE || target.kind() == HostTarget.Kind.OVS_BRIDGE;
        if (!bridge && !request.directPhys()) {
            needed.add(Rule.NIC);
        } else if (!target.exists()) {
            needed.add(Rule.CREATE_BRIDGE);
        }
        if (request.localInterface().isPresent()) {
            needed.add(Rule.LOCAL_NAME);
        }
        if (request.address() instanceof AddressSpec.Dhcp d && !d.options().isEmpty()) {
            needed.add(Rule.DHCP_OPTIONS);
        }
        if (request.address().statics().stream().anyMatch(s -> s.gateway().isPresent())) {
            needed.add(Rule.ROUTE);
        }
        for (Rule r : needed) {
            if (!allows(r, name)) {
                return Optional.of(new Refusal(r, name, source));
            }
        }
        return Optional.empty();
    }

    boolean allows(Rule rule, String name) {
        for (String pattern : allowed.getOrDefault(rule, List.of())) {
            if (pattern.endsWith("*") ? name.startsWith(pattern.substring(0, pattern.length() - 1))
                    : pattern.equals(name)) {
                return true;
            }
        }
        return false;
    }
}
