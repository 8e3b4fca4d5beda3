package dev.pipework.it.support;

import dev.pipework.ipam.Holder;
import dev.pipework.ipam.Ipam;
import dev.pipework.model.AddressSpec;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One "host" of the etcd test: {@code count} claims, one after the other, each confirmed, for
 * holders {@code <prefix>-<n>} of this host ({@code PIPEWORK_HOST}), through the same
 * {@link Ipam} an attach uses. Prints {@code ok <address> <ms>} or {@code error <message>} a claim
 * and goes on; exits 1 when any failed. With {@code hang}, the claims are not confirmed: after
 * them it prints {@code claimed} and waits to be killed (a run killed between claim and plumbing).
 */
public final class AllocateSeries {
    private AllocateSeries() {
    }

    public static void main(String[] args) throws InterruptedException {
        Ipam ipam = new Ipam(Path.of(args[0]), Optional.of(args[1]), Optional.ofNullable(System.getenv("PIPEWORK_HOST")));
        String pool = args[2];
        String prefix = args[3];
        int count = Integer.parseInt(args[4]);
        boolean hang = args.length > 5 && args[5].equals("hang");
        boolean failed = false;
        for (int n = 0; n < count; n++) {
            long t0 = System.nanoTime();
            try {
                Ipam.Claim claim = ipam.claim(new AddressSpec.FromPool(pool, false), new Holder("test", prefix + "-" + n,
                        "eth1"), false);
                if (!hang) {
                    ipam.confirm(claim);
                }
                System.out.println("ok " + claim.address().statics().get(0).address().toString().split("/")[0] + " "
                        + (System.nanoTime() - t0) / 1_000_000);
            } catch (RuntimeException e) {
                System.out.println("error " + e.getMessage());
                failed = true;
            }
            System.out.flush();
        }
        if (hang) {
            System.out.println("claimed");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
        System.exit(failed ? 1 : 0);
    }
}
