package dev.pipework.plan;

import java.util.List;
import java.util.Optional;

/**
 * A link inside a guest, as {@code ip -j -d addr show} there shows it. Everything here was read
 * inside the guest and is untrusted: only what the host side confirms may drive a host action.
 *
 * @param type        {@code linkinfo.info_kind} ({@code veth}, {@code macvlan}, ...), empty when none
 * @param peerIndex   {@code link_index}: a veth's peer index, in the peer's namespace
 * @param peerInHost  a veth whose peer is in the host's namespace: its {@code link_netnsid} is the
 *                    id the guest gives the host's namespace (both ids the kernel's, not the guest's)
 * @param addresses   its global addresses, {@code address/prefix}
 */
public record GuestLink(String name, int index, String type, String alias, Optional<Integer> peerIndex,
                        boolean peerInHost, String mac, int mtu, String state, List<String> addresses) {
    public GuestLink {
        addresses = List.copyOf(addresses);
    }
}
