package dev.pipework.plan;

import java.util.List;
import java.util.Optional;

/**
 * A link inside a guest, as {@code ip -j -d addr show} there shows it. Everything here was read
 * inside the guest and is untrusted: only what the host side confirms may drive a host action.
 *
 * @param type        {@code linkinfo.info_kind} ({@code veth}, {@code macvlan}, ...), empty when none
 * @param peerIndex   {@code link_index}: a veth's peer index, in the peer's namespace
 * @param peerNetnsId {@code link_netnsid}: set when the peer lives in another namespace
 * @param addresses   its global addresses, {@code address/prefix}
 */
public record GuestLink(String name, int index, String type, String alias, Optional<Integer> peerIndex,
                        Optional<Integer> peerNetnsId, String mac, int mtu, String state, List<String> addresses) {
    public GuestLink {
        addresses = List.copyOf(addresses);
    }
}
