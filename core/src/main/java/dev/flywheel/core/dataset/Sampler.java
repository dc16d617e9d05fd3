package dev.flywheel.core.dataset;

import java.util.Arrays;
import java.util.Random;

/**
 * Seeded equivalent of the reference's {@code random.sample(records, min(limit, n))}: a uniform sample without
 * replacement, in random order. Works on record indices only.
 */
final class Sampler {

    private Sampler() {}

    /**
     * @param limit the job's {@code limit}; null means "no limit" (documented by the reference, but crashed there:
     *              anchor §11.2 #10) and keeps every survivor, shuffled
     */
    static int[] sample(int[] survivors, Integer limit, Random random) {
        int[] pool = survivors.clone();
        int k = limit == null ? pool.length : Math.min(limit, pool.length);
        // Partial Fisher–Yates: after step i, pool[0..i] is a uniform sample in random order.
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(pool.length - i);
            int t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
        }
        return Arrays.copyOf(pool, k);
    }
}
