package dev.pipework.plan;

import java.util.Map;
import java.util.Optional;

/** An Open vSwitch port as its database records it: its bridge, VLAN tag and its interface's external-ids. */
public record OvsPort(String name, String bridge, Optional<Integer> tag, Map<String, String> externalIds) {
    /** The external-id of an attach's port that holds the container's ID. */
    public static final String CONTAINER_ID = "pipework.containerid";

    /** Made by an attach (of this tool or the original script), which records {@code pipework.interface}. */
    public boolean plumbed() {
        return externalIds.containsKey("pipework.interface");
    }
}
