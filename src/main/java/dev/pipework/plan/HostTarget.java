package dev.pipework.plan;

/**
 * The host side of an attach, as the planner classified it.
 *
 * @param kind   what the host interface is
 * @param name   its name (after a {@code mac:} form was resolved)
 * @param exists false when a bridge of this name is to be created
 * @param mtu    the MTU both ends of the new link get: the host interface's, or the kernel default
 *               for a bridge that does not exist yet
 * @param up     whether the existing interface is up
 */
public record HostTarget(Kind kind, String name, boolean exists, int mtu, boolean up) {

    public enum Kind {
        LINUX_BRIDGE("Linux bridge"),
        OVS_BRIDGE("Open vSwitch bridge"),
        PHYSICAL("physical interface"),
        IPOIB("IPoIB interface"),
        DUMMY("dummy interface");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }
}
