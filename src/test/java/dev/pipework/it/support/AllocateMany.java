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
 * {@link Ipam} an attach uses; prints each address given, one a line. The host is {@code
 * PIPEWORK_HOST} (etcd store). With a sixth argument {@code hang}, the claims are not confirmed:
 * the addresses printed, the process waits to be killed (a run killed between claim and plumbing).
 */
public final class AllocateMany {
    private AllocateMany() {
    }

    public static void main(String[] args) throws InterruptedException {
        Ipam ipam = new Ipam(Path.of(args[0]), Optional.of(args[1]),
                Optional.ofNullable(System.getenv("PIPEWORK_HOST")));
        boolean hang = args.length > 5 && args[5].equals("hang");
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
                    if (!hang) {
                        ipam.confirm(claim);
                    }
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
        if (hang) {
            System.out.println("claimed");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
        failed.forEach(e -> System.err.println(e));
        System.exit(failed.isEmpty() ? 0 : 1);
    }
}
