package dev.pipework.driver;

import dev.pipework.ipam.Ipam;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.PoolAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The IPAM driver's networks on a pipework pool: the store's addresses, shared with every other front end. */
class DriverPoolsTest {
    @TempDir
    Path dir;

    private Ipam ipam;
    private IpamDriver driver;

    @BeforeEach
    void pools() throws IOException {
        Files.writeString(dir.resolve("pools"), "pool lan 10.9.0.0/24 gateway 10.9.0.1 range 10.9.0.10-10.9.0.12\n"
                + "pool bare 10.8.0.0/29\n");
        ipam = new Ipam(dir.resolve("pools"), Optional.of("file:" + dir.resolve("ipam")));
        driver = new IpamDriver(new DriverState(dir.resolve("state")), () -> ipam, line -> { });
    }

    private Map<String, Object> pool(String name) {
        return driver.requestPool(Map.of("AddressSpace", "pipework-local", "Options", Map.of("pool", name)));
    }

    private String address(String poolId, String wanted, boolean gateway) {
        return (String) driver.requestAddress(Map.of("PoolID", poolId, "Address", wanted, "Options",
                gateway ? Map.of("RequestAddressType", "com.docker.network.gateway") : Map.of())).get("Address");
    }

    private List<PoolAddress> held() {
        return ipam.addresses().stream().filter(a -> !a.state().equals("cooling")).toList();
    }

    @Test
    void addressesComeFromThePoolAreHeldInItsStoreAndGoBack() {
        Map<String, Object> p = pool("lan");
        String id = (String) p.get("PoolID");
        assertEquals("10.9.0.0/24", p.get("Pool"));
        assertEquals("10.9.0.1/24", address(id, "", true), "the pool's gateway, not claimed");
        assertEquals("10.9.0.10/24", address(id, "", false));
        // Another front end's claim in the same store: the driver never gives that address.
        ipam.confirm(ipam.claim(new dev.pipework.model.AddressSpec.FromPool("lan", false),
                new dev.pipework.ipam.Holder("cni", "c1", "eth0"), false));
        assertEquals("10.9.0.12/24", address(id, "", false));
        assertEquals(3, held().size());
        assertTrue(held().stream().anyMatch(a -> a.runtime().equals("docker-ipam") && a.id().equals(id)
                && a.address().equals("10.9.0.12/24")), held().toString());
        PipeworkException none = assertThrows(PipeworkException.class, () -> address(id, "", false));
        assertTrue(none.getMessage().contains("pool \"lan\" has no free address"), none.getMessage());
        PipeworkException taken = assertThrows(PipeworkException.class, () -> address(id, "10.9.0.11", false));
        assertTrue(taken.getMessage().contains("is held by cni c1 eth0"), taken.getMessage());
        assertEquals("10.9.0.40/24", address(id, "10.9.0.40", false), "--ip inside the subnet is reserved");

        driver.releaseAddress(Map.of("PoolID", id, "Address", "10.9.0.10/24"));
        // Another's address named by a ReleaseAddress is not given back.
        driver.releaseAddress(Map.of("PoolID", id, "Address", "10.9.0.11/24"));
        assertEquals(List.of("10.9.0.11/24", "10.9.0.12/24", "10.9.0.40/24"),
                held().stream().map(PoolAddress::address).sorted().toList());
        driver.releasePool(Map.of("PoolID", id));
        assertEquals(List.of("10.9.0.11/24"), held().stream().map(PoolAddress::address).toList());
    }

    @Test
    void aPoolWithoutGatewayGivesTheNetworksGatewayAndWrongRequestsAreRefused() {
        String id = (String) pool("bare").get("PoolID");
        assertEquals("10.8.0.1/29", address(id, "", true));
        assertEquals("10.8.0.2/29", address(id, "", false));
        driver.releasePool(Map.of("PoolID", id));
        assertEquals(List.of(), held());

        assertTrue(assertThrows(PipeworkException.class, () -> pool("nope")).getMessage()
                .contains("pool \"nope\" is not declared"));
        assertTrue(assertThrows(PipeworkException.class, () -> driver.requestPool(Map.of("Pool", "10.7.0.0/24",
                "Options", Map.of("pool", "lan")))).getMessage().contains("is not the subnet of pool \"lan\""));
        assertTrue(assertThrows(PipeworkException.class, () -> driver.requestPool(Map.of("V6", true,
                "Options", Map.of("pool6", "lan")))).getMessage().contains("pool \"lan\" is IPv4"));
        String lan = (String) pool("lan").get("PoolID");
        assertTrue(assertThrows(PipeworkException.class, () -> address(lan, "10.9.0.2", true)).getMessage()
                .contains("is not the gateway of pool \"lan\""));
        assertTrue(assertThrows(PipeworkException.class, () -> address(lan, "10.1.0.2", false)).getMessage()
                .contains("is not in subnet 10.9.0.0/24"));
    }
}
