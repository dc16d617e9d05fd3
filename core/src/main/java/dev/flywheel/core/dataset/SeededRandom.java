package dev.flywheel.core.dataset;

import java.util.Random;

/**
 * Deterministic randomness for every pipeline stage. Each stage gets its own {@link Random} derived from the
 * job seed and a stage name, so changing how many draws one stage makes never shifts another stage's choices.
 * {@code java.util.Random} is used because its algorithm is fixed by its specification: the same seed gives the
 * same datasets on every JVM.
 */
final class SeededRandom {

    private SeededRandom() {}

    static Random forStage(long seed, String stage) {
        long h = seed;
        for (int i = 0; i < stage.length(); i++) {
            h = mix(h ^ stage.charAt(i));
        }
        return new Random(mix(h));
    }

    /** Fisher–Yates shuffle of the whole array, in place. */
    static void shuffle(int[] items, Random random) {
        for (int i = items.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = items[i];
            items[i] = items[j];
            items[j] = t;
        }
    }

    /** SplitMix64 finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
