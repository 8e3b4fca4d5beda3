package dev.pipework.driver;

import dev.pipework.model.Failure;
import dev.pipework.run.Services;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The libnetwork remote plugin API, network and IPAM drivers: each call by its method name, its
 * answer a JSON object, a failure the object {@code {"Err": "<one line>"}} ({@code "Error"} for
 * the IPAM driver's calls) that the engine shows its user. Calls are answered one at a time: each changes the machine under the run locks, and
 * the driver's records under this lock.
 */
public final class PluginApi {
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Function<Map<String, Object>, Map<String, Object>>> calls;
    private final NetworkDriver network;
    private final PrintStream err;

    public PluginApi(Services services, DriverState state, PrintStream err) {
        this.err = err;
        Consumer<String> log = line -> err.println("pipework driver: " + line);
        this.network = new NetworkDriver(services, state, log, this::later);
        IpamDriver ipam = new IpamDriver(state, log);
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
        lock.lock();
        try {
            network.cleanStale();
        } catch (RuntimeException e) {
            err.println("pipework driver: cleaning up at start: " + Failure.of(e).oneLine());
        } finally {
            lock.unlock();
        }
    }

    /** Answers one call. */
    public Map<String, Object> call(String method, Map<String, Object> request) {
        Function<Map<String, Object>, Map<String, Object>> call = calls.get(method);
        if (call == null) {
            err.println("pipework driver: " + method + ": not a call of this plugin");
            return Map.of(errorKey(method), "pipework: " + method + " is not a call of this plugin");
        }
        lock.lock();
        try {
            return call.apply(request);
        } catch (RuntimeException e) {
            String line = Failure.of(e).oneLine();
            err.println("pipework driver: " + method + ": " + line);
            return Map.of(errorKey(method), line);
        } finally {
            lock.unlock();
        }
    }

    /** Runs an action that follows a call (a DHCP client kept once the engine has placed its link), alone as a call is. */
    private void later(Runnable action) {
        lock.lock();
        try {
            action.run();
        } catch (RuntimeException e) {
            err.println("pipework driver: " + Failure.of(e).oneLine());
        } finally {
            lock.unlock();
        }
    }

    /** The member that carries a failure: {@code Error} in the IPAM API's answers, {@code Err} in the others'. */
    static String errorKey(String method) {
        return method.startsWith("IpamDriver.") ? "Error" : "Err";
    }

    /** Returns once no call is under way. */
    void awaitIdle() {
        lock.lock();
        lock.unlock();
    }
}
