package dev.pipework.it;

import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The four scenarios as a user runs them: {@code scripts/demo all}, with containers and with namespaces. */
class DemoIT {
    private static final Path DEMO = Path.of("scripts/demo").toAbsolutePath();

    private static Sh.Result demo(String guests) {
        Map<String, String> env = Map.of("PIPEWORK_DEMO_GUESTS", guests,
                "PIPEWORK_JAR", dev.pipework.it.support.Pipework.jar().toString());
        return Sh.run(List.of("bash", DEMO.toString(), "all"), Duration.ofMinutes(10), null, env);
    }

    @Test
    void allScenariosWithContainers() {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        Sh.Result r = demo("docker");
        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().contains("blocked as expected"), r.out());
        assertTrue(!r.out().contains("FAIL"), r.out());
        assertTrue(r.out().contains("\n  guests: Docker containers from " + Prerequisites.TEST_IMAGE + "\n"), r.out());
    }

    @Test
    void allScenariosWithNamedNamespaces() {
        Prerequisites.requireRoot();
        Prerequisites.requireOvs();
        Sh.Result r = demo("netns");
        assertEquals(0, r.code(), r.describe());
        assertTrue(!r.out().contains("FAIL"), r.out());
        assertTrue(r.out().contains("\n  guests: named network namespaces (ip netns)\n"), r.out());
    }
}
