package dev.pipework.cli;

/** The version recorded in the jar's manifest at build time. */
final class Version {
    private Version() {
    }

    static String text() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }
}
