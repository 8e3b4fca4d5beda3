package dev.pipework.it.support;

import dev.pipework.ipam.Holder;
import dev.pipework.ipam.Ipam;
import dev.pipework.model.AddressSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One process of the parallel allocation test: {@code threads} threads each claim and confirm an
 * address of {@code pool} for a holder of their own ({@code <prefix>-<thread>}), through the same
 * {@link Ipam} an attach uses; prints each address given, one a line.
 */
public final class AllocateMany {
    private AllocateMany() {
    }

    public static void main(String[] args) throws InterruptedException {
        Ipam ipam = new Ipam(Path.of(args[0]), Optional.of(args[1]));
        String pool = args[2];
        String prefix = args[3];
        int threads = Integer.parseInt(args[4]);
        List<String> given = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failed = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Holder holder = new Holder("test", prefix + "-" + t, "eth1");
            Thread thread = new Thread(() -> {
                try {
                    Ipam.Claim claim = ipam.claim(new AddressSpec.FromPool(pool, false), holder, false);
                    ipam.confirm(claim);
                    given.add(claim.address().statics().get(0).address().toString());
                } catch (RuntimeException e) {
                    failed.add(e);
                }
            });
            all.add(thread);
            thread.start();
        }
        for (Thread thread : all) {
            thread.join();
        }
        given.forEach(System.out::println);
        failed.forEach(e -> System.err.println(e));
        System.exit(failed.isEmpty() ? 0 : 1);
    }
}
