package dev.pipework.cli;

import dev.pipework.guest.DockerContainer;
import dev.pipework.guest.DockerEngine;
import dev.pipework.guest.DockerException;
import dev.pipework.run.Services;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A fact that cannot be read is a warning through the services' sink, and the run goes on without it. */
class MachineViewWarningTest {

    @Test
    void anEngineThatFailsIsAWarningThroughTheServicesSink() {
        Services fixture = FixtureServices.from(Map.of());
        List<String> warnings = new ArrayList<>();
        Services services = new Services(fixture.runner(), fixture.host(), fixture.guests(), fixture.guestInspector(),
                fixture.effectiveUid(), fixture.lockDir(), new FailingEngine(), warnings::add);
        List<String> ids = services.view().containersLabelled("pipework.helper", "c1");
        assertEquals(List.of(), ids);
        assertEquals(List.of("cannot look for DHCP helper containers: Docker engine (test): engine down"), warnings);
    }

    private static final class FailingEngine implements DockerEngine {
        @Override
        public Optional<DockerContainer> inspect(String nameOrId) throws DockerException {
            throw new DockerException(endpoint(), "engine down");
        }

        @Override
        public List<String> idsWithLabel(String key, String value) throws DockerException {
            throw new DockerException(endpoint(), "engine down");
        }

        @Override
        public List<String> runningIds() throws DockerException {
            throw new DockerException(endpoint(), "engine down");
        }

        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        public String createAndStart(String name, Map<String, Object> createBody) throws DockerException {
            throw new DockerException(endpoint(), "engine down");
        }

        @Override
        public boolean remove(String nameOrId, boolean force) throws DockerException {
            throw new DockerException(endpoint(), "engine down");
        }

        @Override
        public String endpoint() {
            return "test";
        }
    }
}
