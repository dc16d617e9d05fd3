package dev.flywheel.core.engine;

import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * Runs a seeded random check many times. The master seed is random per run unless {@code -Dflywheel.seed=<n>} is
 * given; a failure names the master seed (to replay the whole run) and the failing iteration's own seed.
 */
final class PropertyRuns {

    private PropertyRuns() {}

    static void repeat(int iterations, LongConsumer check) {
        long master = Long.getLong("flywheel.seed", System.nanoTime());
        SplittableRandom seeds = new SplittableRandom(master);
        for (int i = 0; i < iterations; i++) {
            long seed = seeds.nextLong();
            try {
                check.accept(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("property failed at iteration " + i + " with seed " + seed
                        + " (replay the run with -Dflywheel.seed=" + master + "): " + e.getMessage(), e);
            }
        }
    }
}
