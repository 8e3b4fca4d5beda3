package dev.pipework.plan;

import dev.pipework.host.LinkFacts;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the planner was told about the host: the links it asked about (absent names are absent
 * links), the Open vSwitch bridges among them, and which helper commands are installed.
 *
 * @param hostPid a process in the host's namespaces (this one): where a link goes back to on undo
 */
public record HostFacts(Map<String, LinkFacts> links, Set<String> ovsBridges, boolean ovsInstalled,
                        boolean ovsKernelDatapath, Set<String> installedCommands, long hostPid) {

    public HostFacts {
        links = Map.copyOf(links);
        ovsBridges = Set.copyOf(ovsBridges);
        installedCommands = Set.copyOf(installedCommands);
    }

    public Optional<LinkFacts> link(String name) {
        return Optional.ofNullable(links.get(name));
    }

    /** The host's network namespace, as a path a command inside a guest can open. */
    public String hostNetnsPath() {
        return "/proc/" + hostPid + "/ns/net";
    }

    public boolean installed(String command) {
        return installedCommands.contains(command);
    }
}
