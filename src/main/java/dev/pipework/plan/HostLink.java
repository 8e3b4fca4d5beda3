package dev.pipework.plan;

import java.util.Optional;

/**
 * A host link as sysfs shows it, looked up by its index: what the peer of a guest's veth is.
 *
 * @param peerIndex    {@code iflink}: for a veth, the index of its peer (in the peer's namespace)
 * @param master       the bridge it is a port of
 * @param masterLinuxBridge whether that master is a Linux bridge
 * @param alias        {@code ifalias}, which attaches set to {@code pipework} on the host end
 */
public record HostLink(String name, int index, int peerIndex, Optional<String> master, boolean masterLinuxBridge,
                       String alias) {
}
