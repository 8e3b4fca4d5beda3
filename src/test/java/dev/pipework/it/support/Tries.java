package dev.pipework.it.support;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.params.provider.Arguments;

import java.security.SecureRandom;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Property tries under JUnit's parameterized tests: {@link #of} gives a property's tries from one
 * seed per run, and, registered with {@code @ExtendWith(Tries.class)}, a failing try prints that
 * seed and how to run the same tries again ({@code -Dpipework.seed=...}).
 *
 * <p>Each property draws from its own {@link Random}, seeded from the run's seed and the
 * property's name, so a property's tries do not depend on which other properties ran.
 */
public final class Tries implements TestWatcher {

    /** The system property that fixes the seed, to reproduce a failed run. */
    public static final String SEED_PROPERTY = "pipework.seed";

    private static final long SEED = chooseSeed();

    /** The run's seed: the one given by {@value #SEED_PROPERTY}, else a fresh random one. */
    public static long seed() {
        return SEED;
    }

    /** {@code tries} values of {@code gen} for the property named {@code property}, each as one argument. */
    public static <T> Stream<Arguments> of(String property, int tries, Gen<T> gen) {
        Random random = new Random(SEED ^ (long) property.hashCode() * 0x9E3779B97F4A7C15L);
        return Stream.generate(() -> Arguments.of(gen.next(random))).limit(tries);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        System.err.println(context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName()
                + " " + context.getDisplayName()
                + " failed; seed = " + SEED + " (run the same tries again with -D" + SEED_PROPERTY + "=" + SEED + ")");
    }

    private static long chooseSeed() {
        String fixed = System.getProperty(SEED_PROPERTY, "").strip();
        if (!fixed.isEmpty()) {
            return Long.parseLong(fixed);
        }
        return new SecureRandom().nextLong();
    }
}
