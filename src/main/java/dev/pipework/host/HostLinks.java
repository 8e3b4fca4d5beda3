package dev.pipework.host;

import dev.pipework.model.InterfaceName;
import dev.pipework.plan.HostLink;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Reads every host link from {@code /sys/class/net}, by index. */
final class HostLinks {
    private HostLinks() {
    }

    static Map<Integer, HostLink> byIndex(Path sysClassNet) {
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
                    boolean masterBridge = masterName.isPresent()
                            && Files.isDirectory(sysClassNet.resolve(masterName.get()).resolve("bridge"));
                    Path aliasFile = dir.resolve("ifalias");
                    String alias = Files.exists(aliasFile) ? Files.readString(aliasFile).trim() : "";
                    links.put(index, new HostLink(name, index, peer, masterName, masterBridge, alias));
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
