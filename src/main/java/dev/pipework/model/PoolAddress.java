package dev.pipework.model;

/**
 * An address a pool gave or keeps for a guest's interface, as results and {@code status} show it.
 *
 * @param pool    the pool's name
 * @param runtime the holder's runtime ({@code docker}, {@code cni}, ...)
 * @param id      the runtime's ID for the holder
 * @param iface   the interface in the guest
 * @param address with the pool's prefix length
 * @param state   {@code claimed}, {@code held} or {@code cooling}
 * @param fresh   given by this run (else the holder had it already)
 */
public record PoolAddress(String pool, String runtime, String id, String iface, String address, String state,
                          boolean fresh) {
    /**
     * The runtime of the addresses the Docker driver's IPAM side holds: the holder is the
     * network's IPAM pool and a token of the address's own, as the engine asks for an address
     * before it names the endpoint or the container.
     */
    public static final String DOCKER_IPAM = "docker-ipam";
}
