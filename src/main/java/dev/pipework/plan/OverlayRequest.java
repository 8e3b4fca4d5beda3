package dev.pipework.plan;

import dev.pipework.model.Family;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.IpAddress;
import dev.pipework.model.Mtu;

import java.util.List;
import java.util.Optional;

/**
 * {@code pipework overlay add <name> vni <n> underlay <nic> peers <a>[,<b>...]|etcd [mtu <m>]}, its
 * values checked: a VNI of 1-16777215, addresses for peers, all of one family, none twice; or
 * {@code etcd} (no addresses: the peers are those registered in etcd for the VNI).
 */
public record OverlayRequest(String name, int vni, String underlay, List<IpAddress> peers, boolean etcd,
                             Optional<Mtu> mtu) {
    public OverlayRequest {
        peers = List.copyOf(peers);
        if (vni < 1 || vni > Overlay.MAX_VNI) {
            throw new InvalidValueException("VNI \"" + vni + "\" is out of range: a VXLAN network identifier is 1-"
                    + Overlay.MAX_VNI);
        }
        if (etcd != peers.isEmpty()) {
            throw new InvalidValueException("an overlay needs at least one peer, or peers etcd");
        }
        Family family = etcd ? Family.INET : peers.get(0).family();
        for (IpAddress peer : peers) {
            if (peer.family() != family) {
                throw new InvalidValueException("peers " + peers.get(0) + " and " + peer
                        + " are of two families: an overlay's underlay is IPv4 or IPv6, not both");
            }
            if (peers.indexOf(peer) != peers.lastIndexOf(peer)) {
                throw new InvalidValueException("peer " + peer + " is named twice");
            }
        }
    }

    /** The VNI as the command line gives it. */
    public static int vni(String text) {
        if (!text.matches("[0-9]{1,9}")) {
            throw new InvalidValueException("VNI \"" + text + "\" is not valid: expected a number, 1-" + Overlay.MAX_VNI);
        }
        return Integer.parseInt(text);
    }

    /** A peer as the command line gives it: an address, nothing else (no name, no prefix). */
    public static IpAddress peer(String text) {
        try {
            return IpAddress.parse("peer", text, text);
        } catch (InvalidValueException e) {
            throw new InvalidValueException("peer \"" + text + "\" is not an IPv4 or IPv6 address");
        }
    }

    /** The peers' family; none given for {@code peers etcd}, where the underlay's address decides. */
    public Optional<Family> family() {
        return etcd ? Optional.empty() : Optional.of(peers.get(0).family());
    }
}
