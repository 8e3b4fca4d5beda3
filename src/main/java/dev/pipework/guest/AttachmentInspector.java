package dev.pipework.guest;

import dev.pipework.exec.CommandResult;
import dev.pipework.exec.CommandRunner;
import dev.pipework.host.HostLink;
import dev.pipework.host.OvsDatabase;
import dev.pipework.host.OvsPort;
import dev.pipework.json.Json;
import dev.pipework.json.JsonException;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.Where;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds what attaches plumbed into a guest, from the live state only (no state file to go stale).
 * A veth in the guest is an attachment when its host end carries the alias {@code pipework}, is an
 * Open vSwitch port with the {@code pipework.*} external-ids, or is named as the original script
 * names it ({@code v<cif>pl<pid>}): attachments made by the original are found too. Interfaces
 * that live wholly in the guest (macvlan, a moved NIC, dummy) carry their own alias
 * {@code pipework <kind> [<host name>]}.
 */
public final class AttachmentInspector {
    public static final String HOST_ALIAS = "pipework";

    private final CommandRunner runner;
    private final Path sysClassNet;
    private Map<String, OvsPort> ovsPorts;
    private Map<Integer, HostLink> hostLinks;

    public AttachmentInspector(CommandRunner runner) {
        this(runner, Path.of("/sys/class/net"));
    }

    public AttachmentInspector(CommandRunner runner, Path sysClassNet) {
        this.runner = runner;
        this.sysClassNet = sysClassNet;
    }

    /** The Open vSwitch ports, read once per run. */
    public Map<String, OvsPort> ovsPorts() {
        if (ovsPorts == null) {
            ovsPorts = OvsDatabase.ports(runner);
        }
        return ovsPorts;
    }

    public List<Attachment> attachments(Guest guest) {
        if (guest.netnsPath().isEmpty()) {
            return List.of();
        }
        CommandResult shown = runner.run(Where.guest(guest.netnsPath()).wrap(List.of("ip", "-j", "-d", "addr", "show")));
        if (!shown.succeeded()) {
            throw new PipeworkException("cannot list the interfaces of " + guest.describe() + ": " + shown.reason());
        }
        List<Attachment> found = new ArrayList<>();
        try {
            for (Object o : Json.array(Json.parse(shown.stdout()))) {
                attachment(guest, Json.object(o)).ifPresent(found::add);
            }
        } catch (JsonException e) {
            throw new PipeworkException("cannot read the interfaces of " + guest.describe() + ": " + e.getMessage());
        }
        return found;
    }

    private Optional<Attachment> attachment(Guest guest, Map<String, Object> link) {
        String name = Json.string(link, "ifname");
        Object info = link.get("linkinfo");
        String kind = info instanceof Map<?, ?> m && m.get("info_kind") instanceof String k ? k : "";
        String alias = link.get("ifalias") instanceof String a ? a : "";
        if (alias.startsWith(HOST_ALIAS + " ")) {
            String[] words = alias.split(" ");
            Optional<String> host = words.length > 2 ? Optional.of(words[2]) : Optional.empty();
            Optional<String> originalMac = words.length > 3 ? Optional.of(words[3]) : Optional.empty();
            return Optional.of(make(guest, link, name, host, Optional.empty(), words[1], Optional.empty(), originalMac));
        }
        if (kind.equals("veth") && link.containsKey("link_index") && link.containsKey("link_netnsid")) {
            return veth(guest, link, name);
        }
        return Optional.empty();
    }

    private Optional<Attachment> veth(Guest guest, Map<String, Object> link, String name) {
        if (hostLinks == null) {
            hostLinks = HostLink.byIndex(sysClassNet);
        }
        HostLink peer = hostLinks.get((int) Json.number(link, "link_index"));
        // Indexes are per namespace: the host link found must point back at this one.
        if (peer == null || peer.peerIndex() != (int) Json.number(link, "ifindex")) {
            return Optional.empty();
        }
        OvsPort port = ovsPorts().get(peer.name());
        boolean plumbed = peer.alias().equals(HOST_ALIAS) || (port != null && port.plumbed())
                || peer.name().matches("v" + java.util.regex.Pattern.quote(name) + "pl[0-9]+");
        if (!plumbed) {
            return Optional.empty();
        }
        if (port != null) {
            return Optional.of(make(guest, link, name, Optional.of(peer.name()), Optional.of(port.bridge()), "ovs",
                    port.tag(), Optional.empty()));
        }
        if (peer.master().isPresent() && Files.isDirectory(sysClassNet.resolve(peer.master().get()).resolve("bridge"))) {
            return Optional.of(make(guest, link, name, Optional.of(peer.name()), peer.master(), "linux",
                    Optional.empty(), Optional.empty()));
        }
        return Optional.of(make(guest, link, name, Optional.of(peer.name()), Optional.empty(), "veth", Optional.empty(),
                Optional.empty()));
    }

    private static Attachment make(Guest guest, Map<String, Object> link, String name, Optional<String> host,
                                   Optional<String> bridge, String kind, Optional<Integer> vlan,
                                   Optional<String> originalMac) {
        List<String> addresses = new ArrayList<>();
        Object infos = link.get("addr_info");
        if (infos instanceof List<?> list) {
            for (Object o : list) {
                Map<String, Object> a = Json.object(o);
                if (!"link".equals(a.get("scope")) && !"host".equals(a.get("scope"))) {
                    addresses.add(Json.string(a, "local") + "/" + Json.number(a, "prefixlen"));
                }
            }
        }
        return new Attachment(guest, name, Json.string(link, "address"), (int) Json.number(link, "mtu"),
                Json.string(link, "operstate"), addresses, host, bridge, kind, vlan, originalMac);
    }
}
