package dev.pipework.run;

import dev.pipework.host.HostInspector;
import dev.pipework.plan.HostLink;
import dev.pipework.plan.LinkFacts;
import dev.pipework.plan.OvsPort;

import java.util.Map;
import java.util.Optional;

/** A host with no links, no Open vSwitch and no files: a test overrides what its case needs. */
class EmptyHost implements HostInspector {
    public Optional<LinkFacts> link(String name) {
        return Optional.empty();
    }

    public Optional<String> linkWithMac(String mac) {
        return Optional.empty();
    }

    public boolean ovsInstalled() {
        return false;
    }

    public boolean isOvsBridge(String name) {
        return false;
    }

    public boolean ovsKernelDatapath() {
        return false;
    }

    public boolean commandInstalled(String command) {
        return false;
    }

    public Map<Integer, HostLink> links() {
        return Map.of();
    }

    public Map<String, OvsPort> ovsPorts() {
        return Map.of();
    }

    public boolean fileExists(String path) {
        return false;
    }
}
