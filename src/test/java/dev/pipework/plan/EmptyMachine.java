package dev.pipework.plan;

import dev.pipework.model.DefaultRoute;
import dev.pipework.model.Family;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A machine with nothing on it but Open vSwitch installed (userspace) and every command there: a
 * planner test's view overrides what its case has.
 */
interface EmptyMachine extends MachineView {
    default Optional<LinkFacts> link(String name) {
        return Optional.empty();
    }

    default Optional<String> linkWithMac(String mac) {
        return Optional.empty();
    }

    default boolean ovsBridge(String name) {
        return false;
    }

    default boolean ovsInstalled() {
        return true;
    }

    default boolean ovsKernelDatapath() {
        return false;
    }

    default boolean installed(String command) {
        return true;
    }

    default Optional<DefaultRoute> guestDefaultRoute(String netnsPath, Family family) {
        return Optional.empty();
    }

    default Map<Integer, HostLink> hostLinks() {
        return Map.of();
    }

    default Map<String, OvsPort> ovsPorts() {
        return Map.of();
    }

    default List<GuestLink> guestLinks(String netnsPath, String guest) {
        return List.of();
    }

    default boolean fileExists(String path) {
        return false;
    }

    default Optional<Long> dhcpClientProcess(String pidFile, String program, long netnsInode) {
        return Optional.empty();
    }

    default List<String> vxlanFloods(String device) {
        return List.of();
    }

    default Optional<String> hostFile(String path) {
        return Optional.empty();
    }

    default List<String> containersLabelled(String label, String value) {
        return List.of();
    }

    default long hostPid() {
        return 1;
    }

    default String runTag() {
        return "1-5eed";
    }
}
