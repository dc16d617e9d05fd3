package dev.flywheel.emulator.sim;

import java.nio.charset.StandardCharsets;

/**
 * Deterministic pseudo-randomness from (seed, parts). Every "chance" in the simulation is a hash of what it is about
 * (the item, the model, the step) rather than a draw from a shared generator, so results do not depend on call order
 * or thread timing.
 */
public final class Hashing {
    private Hashing() {}

    public static long hash(long seed, Object... parts) {
        long h = 0xcbf29ce484222325L ^ mix(seed);
        for (Object p : parts) {
            byte[] bytes = String.valueOf(p).getBytes(StandardCharsets.UTF_8);
            for (byte b : bytes) {
                h ^= b;
                h *= 0x100000001b3L;
            }
            h ^= 0x1f; // part separator so ("ab","c") differs from ("a","bc")
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** A uniform double in [0, 1). */
    public static double unit(long seed, Object... parts) {
        return (hash(seed, parts) >>> 11) * 0x1.0p-53;
    }

    /** A uniform int in [0, bound). */
    public static int pick(int bound, long seed, Object... parts) {
        return (int) Math.floorMod(hash(seed, parts), (long) bound);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
