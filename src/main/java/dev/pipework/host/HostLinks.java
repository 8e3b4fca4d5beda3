package dev.pipework.host;

import dev.pipework.model.InterfaceName;
import dev.pipework.plan.HostLink;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads the host links from {@code /sys/class/net}: every one by index, their names, or one. */
final class HostLinks {
    private HostLinks() {
    }

    static Map<Integer, HostLink> byIndex(Path sysClassNet) {
        Map<Integer, HostLink> links = new HashMap<>();
        for (String name : names(sysClassNet)) {
            one(sysClassNet, name).ifPresent(link -> links.put(link.index(), link));
        }
        return links;
    }

    /**
     * The names of every host link: one reading of the directory, none of the links' files.
     * Names that are not printable ASCII may not survive this JVM's encoding (see InterfaceName):
     * such a link is left out, and a bridge so named is not named.
     */
    static Set<String> names(Path sysClassNet) {
        Set<String> names = new HashSet<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(sysClassNet)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (InterfaceName.valid(name)) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            return names;
        }
        return names;
    }

    /** The name of every host link by its index: the one file {@code ifindex} of each. */
    static Map<Integer, String> namesByIndex(Path sysClassNet) {
        Map<Integer, String> names = new HashMap<>();
        for (String name : names(sysClassNet)) {
            index(sysClassNet.resolve(name)).ifPresent(index -> names.put(index, name));
        }
        return names;
    }

    /** Whether {@code /sys/class/net} has a link of this name, a name {@link #names} would show. */
    static boolean exists(Path sysClassNet, String name) {
        return InterfaceName.valid(name) && Files.exists(sysClassNet.resolve(name));
    }

    /** The link of this name, when it is there and its files read whole. */
    static Optional<HostLink> one(Path sysClassNet, String name) {
        if (!InterfaceName.valid(name)) {
            return Optional.empty();
        }
        Path dir = sysClassNet.resolve(name);
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
            // Bytes that are not UTF-8 replaced, as the rtnetlink reading decodes them (RouteNetlink).
            String alias = Files.exists(aliasFile)
                    ? new String(Files.readAllBytes(aliasFile), java.nio.charset.StandardCharsets.UTF_8).trim() : "";
            return Optional.of(new HostLink(name, index, peer, masterName, masterBridge, alias));
        } catch (IOException | NumberFormatException e) {
            // gone while read
            return Optional.empty();
        }
    }

    static Optional<Integer> index(Path dir) {
        try {
            return Optional.of(SysfsHostInspector.number(Files.readString(dir.resolve("ifindex")).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
