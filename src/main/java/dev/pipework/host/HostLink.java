package dev.pipework.host;

import dev.pipework.model.InterfaceName;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A host link as sysfs shows it, looked up by its index: what the peer of a guest's veth is.
 *
 * @param peerIndex {@code iflink}: for a veth, the index of its peer (in the peer's namespace)
 * @param master    the Linux bridge it is a port of
 * @param alias     {@code ifalias}, which attaches set to {@code pipework} on the host end
 */
public record HostLink(String name, int index, int peerIndex, Optional<String> master, String alias) {

    /** Every host link by index, read from {@code /sys/class/net}. */
    public static Map<Integer, HostLink> byIndex(Path sysClassNet) {
        Map<Integer, HostLink> links = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(sysClassNet)) {
            for (Path dir : dirs) {
                // Names that are not printable ASCII may not survive this JVM's encoding (see
                // InterfaceName): such a link is left out, and a bridge so named is not named.
                String name = dir.getFileName().toString();
                if (!InterfaceName.valid(name)) {
                    continue;
                }
                try {
                    int index = SysfsHostInspector.number(Files.readString(dir.resolve("ifindex")).trim());
                    int peer = SysfsHostInspector.number(Files.readString(dir.resolve("iflink")).trim());
                    Path master = dir.resolve("master");
                    Optional<String> masterName = Files.exists(master)
                            ? Optional.of(Files.readSymbolicLink(master).getFileName().toString())
                                    .filter(InterfaceName::valid)
                            : Optional.empty();
                    Path aliasFile = dir.resolve("ifalias");
                    String alias = Files.exists(aliasFile) ? Files.readString(aliasFile).trim() : "";
                    links.put(index, new HostLink(name, index, peer, masterName, alias));
                } catch (IOException | NumberFormatException e) {
                    // gone while read
                }
            }
        } catch (IOException e) {
            return links;
        }
        return links;
    }
}
