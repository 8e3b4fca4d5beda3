package dev.pipework.guest;

import dev.pipework.model.DefaultRoute;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DefaultRouteParseTest {

    @Test
    void readsGatewayAndDevice() {
        assertEquals(Optional.of(new DefaultRoute(Optional.of("172.17.0.1"), "eth0")),
                IpGuestInspector.parseDefaultRoute("default via 172.17.0.1 dev eth0 \n"));
    }

    @Test
    void readsADeviceRoute() {
        assertEquals(Optional.of(new DefaultRoute(Optional.empty(), "lo")),
                IpGuestInspector.parseDefaultRoute("default dev lo scope link \n"));
    }

    @Test
    void noDefaultRoute() {
        assertEquals(Optional.empty(), IpGuestInspector.parseDefaultRoute(""));
    }
}
