package dev.pipework.driver;

import dev.pipework.model.Failure;
import dev.pipework.run.Services;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The libnetwork remote plugin API, network and IPAM drivers: each call by its method name, its
 * answer a JSON object, a failure the object {@code {"Err": "<one line>"}} ({@code "Error"} for
 * the IPAM driver's calls) that the engine shows its user. The calls of one network are answered
 * one at a time, those of different networks side by side (a Join waiting on one busy bridge holds
 * up no other network's); the IPAM driver's calls, which share the pools' records, one at a time.
 * Each changes the machine under the run locks (a bridge two networks share is locked by them).
 */
public final class PluginApi {
    /** Held (shared) by every call, taken whole at start and at shutdown: no call under way. */
    private final ReentrantReadWriteLock calling = new ReentrantReadWriteLock();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Function<Map<String, Object>, Map<String, Object>>> calls;
    private final NetworkDriver network;
    private final PrintStream err;

    public PluginApi(Services services, DriverState state, PrintStream err) {
        this.err = err;
        Consumer<String> log = line -> err.println("pipework driver: " + line);
        state.onDamaged(log);
        this.network = new NetworkDriver(services, state, log, this::later);
        IpamDriver ipam = new IpamDriver(state, () -> services.ipam(), log);
        this.calls = Map.ofEntries(
                Map.entry("Plugin.Activate", req -> Map.of("Implements", List.of("NetworkDriver", "IpamDriver"))),
                Map.entry("NetworkDriver.GetCapabilities",
                        req -> Map.of("Scope", "local", "ConnectivityScope", "local")),
                Map.entry("NetworkDriver.CreateNetwork", network::createNetwork),
                Map.entry("NetworkDriver.DeleteNetwork", network::deleteNetwork),
                Map.entry("NetworkDriver.CreateEndpoint", network::createEndpoint),
                Map.entry("NetworkDriver.DeleteEndpoint", network::deleteEndpoint),
                Map.entry("NetworkDriver.EndpointOperInfo", network::operInfo),
                Map.entry("NetworkDriver.Join", network::join),
                Map.entry("NetworkDriver.Leave", network::leave),
                Map.entry("NetworkDriver.DiscoverNew", req -> Map.of()),
                Map.entry("NetworkDriver.DiscoverDelete", req -> Map.of()),
                Map.entry("NetworkDriver.ProgramExternalConnectivity", req -> Map.of()),
                Map.entry("NetworkDriver.RevokeExternalConnectivity", req -> Map.of()),
                Map.entry("IpamDriver.GetCapabilities", req -> IpamDriver.capabilities()),
                Map.entry("IpamDriver.GetDefaultAddressSpaces", req -> IpamDriver.addressSpaces()),
                Map.entry("IpamDriver.RequestPool", ipam::requestPool),
                Map.entry("IpamDriver.ReleasePool", ipam::releasePool),
                Map.entry("IpamDriver.RequestAddress", ipam::requestAddress),
                Map.entry("IpamDriver.ReleaseAddress", ipam::releaseAddress));
    }

    /** Before the first call: what the records say was plumbed and is gone is cleaned up. */
    public void start() {
        calling.writeLock().lock();
        try {
            network.cleanStale();
        } catch (RuntimeException e) {
            err.println("pipework driver: cleaning up at start: " + Failure.of(e).oneLine());
        } finally {
            calling.writeLock().unlock();
        }
    }

    /** The lock of the calls a request belongs with: its network's, the IPAM driver's, or one of its own. */
    private ReentrantLock lockOf(String method, Map<String, Object> request) {
        String key = method.startsWith("IpamDriver.") ? "ipam"
                : request.get("NetworkID") instanceof String id ? "network " + id : "call " + method;
        return locks.computeIfAbsent(key, k -> new ReentrantLock());
    }

    /** Answers one call. */
    public Map<String, Object> call(String method, Map<String, Object> request) {
        Function<Map<String, Object>, Map<String, Object>> call = calls.get(method);
        if (call == null) {
            err.println("pipework driver: " + method + ": not a call of this plugin");
            return Map.of(errorKey(method), "pipework: " + method + " is not a call of this plugin");
        }
        ReentrantLock lock = lockOf(method, request);
        calling.readLock().lock();
        lock.lock();
        try {
            return call.apply(request);
        } catch (RuntimeException e) {
            String line = Failure.of(e).oneLine();
            err.println("pipework driver: " + method + ": " + line);
            return Map.of(errorKey(method), line);
        } finally {
            lock.unlock();
            calling.readLock().unlock();
        }
    }

    /** Runs an action that follows a call of a network (a DHCP client kept once the engine has placed its link) as a call of it. */
    private void later(String networkId, Runnable action) {
        ReentrantLock lock = locks.computeIfAbsent("network " + networkId, k -> new ReentrantLock());
        calling.readLock().lock();
        lock.lock();
        try {
            action.run();
        } catch (RuntimeException e) {
            err.println("pipework driver: " + Failure.of(e).oneLine());
        } finally {
            lock.unlock();
            calling.readLock().unlock();
        }
    }

    /** The member that carries a failure: {@code Error} in the IPAM API's answers, {@code Err} in the others'. */
    static String errorKey(String method) {
        return method.startsWith("IpamDriver.") ? "Error" : "Err";
    }

    /** Returns once no call is under way; none begins after. */
    void awaitIdle() {
        // Kept: the process is ending, and no call may begin after.
        calling.writeLock().lock();
    }
}
