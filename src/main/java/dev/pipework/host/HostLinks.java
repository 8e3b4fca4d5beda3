package dev.pipework.host;

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
                try {
                    int index = Integer.parseInt(Files.readString(dir.resolve("ifindex")).trim());
                    int peer = Integer.parseInt(Files.readString(dir.resolve("iflink")).trim());
                    Path master = dir.resolve("master");
                    Optional<String> masterName = Files.exists(master)
                            ? Optional.of(Files.readSymbolicLink(master).getFileName().toString()) : Optional.empty();
                    boolean masterBridge = masterName.isPresent()
                            && Files.isDirectory(sysClassNet.resolve(masterName.get()).resolve("bridge"));
                    Path aliasFile = dir.resolve("ifalias");
                    String alias = Files.exists(aliasFile) ? Files.readString(aliasFile).trim() : "";
                    links.put(index, new HostLink(dir.getFileName().toString(), index, peer, masterName, masterBridge,
                            alias));
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
