package dev.pipework.it.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A generator of test values from a seeded {@link Random}: the same seed gives the same values
 * in the same order, so a failing try is reproduced by its seed (see {@link Tries}).
 */
@FunctionalInterface
public interface Gen<T> {

    T next(Random random);

    default <U> Gen<U> map(Function<? super T, ? extends U> f) {
        return r -> f.apply(next(r));
    }

    /** Between {@code min} and {@code max} values, both included. */
    default Gen<List<T>> list(int min, int max) {
        return r -> {
            int size = min + r.nextInt(max - min + 1);
            List<T> values = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                values.add(next(r));
            }
            return values;
        };
    }

    default Gen<List<T>> list(int size) {
        return list(size, size);
    }

    /** A value with probability {@code present}, else none. */
    default Gen<Optional<T>> optional(double present) {
        return r -> r.nextDouble() < present ? Optional.of(next(r)) : Optional.empty();
    }

    static <A, B, T> Gen<T> combine(Gen<A> a, Gen<B> b, BiFunction<? super A, ? super B, ? extends T> f) {
        return r -> {
            A first = a.next(r);
            return f.apply(first, b.next(r));
        };
    }

    static <T> Gen<T> just(T value) {
        return r -> value;
    }

    /** An integer from {@code min} to {@code max}, both included. */
    static Gen<Integer> between(int min, int max) {
        return r -> min + r.nextInt(max - min + 1);
    }

    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read, through an unmodifiable copy
    static <T> Gen<T> of(T... values) {
        List<T> choices = List.of(values);
        return r -> choices.get(r.nextInt(choices.size()));
    }

    /** Strings of {@code min} to {@code max} characters taken from {@code chars}. */
    static Gen<String> strings(String chars, int min, int max) {
        return r -> {
            int length = min + r.nextInt(max - min + 1);
            StringBuilder sb = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                sb.append(chars.charAt(r.nextInt(chars.length())));
            }
            return sb.toString();
        };
    }

    /** One of several generators, each chosen in proportion to its weight. */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read, through an unmodifiable copy
    static <T> Gen<T> frequency(Weighted<? extends T>... choices) {
        List<Weighted<? extends T>> all = List.of(choices);
        int total = all.stream().mapToInt(Weighted::weight).sum();
        return r -> {
            int pick = r.nextInt(total);
            for (Weighted<? extends T> w : all) {
                pick -= w.weight();
                if (pick < 0) {
                    return w.gen().next(r);
                }
            }
            throw new IllegalStateException("weights changed");
        };
    }

    static <T> Weighted<T> weight(int weight, Gen<T> gen) {
        return new Weighted<>(weight, gen);
    }

    record Weighted<T>(int weight, Gen<T> gen) {
        public Weighted {
            if (weight <= 0) {
                throw new IllegalArgumentException("weight " + weight);
            }
        }
    }
}
