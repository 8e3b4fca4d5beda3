package dev.pipework.model;

/**
 * What kind of guest a {@link Guest} is: the runtime that made it, as status and JSON name it.
 *
 * @param key              the short name in {@code status} and JSON ({@code docker}, {@code lxc}, ...)
 * @param description      how messages name such a guest ({@code Docker container})
 * @param helperContainers whether the runtime can start a helper container in the guest's network
 *                         (what the busybox {@code dhcp} form needs)
 */
public record Runtime(String key, String description, boolean helperContainers) {
}
