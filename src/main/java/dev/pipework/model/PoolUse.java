package dev.pipework.model;

/**
 * A pool and how much of it is used, as {@code pool ls} shows it.
 *
 * @param capacity how many addresses it can give
 * @param held     plumbed, or claimed by a run under way
 * @param cooling  given back, waiting for the cooldown
 */
public record PoolUse(Pool pool, long capacity, long held, long cooling) {
}
