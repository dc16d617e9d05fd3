package dev.flywheel.core.dataset;

/**
 * An open-addressing hash set of 128-bit keys in two primitive arrays (16 bytes a slot, load factor ≤ 0.5):
 * a {@code HashSet} of boxed keys would cost about five times as much for a million records.
 */
final class DedupSet {

    private final long[] high;
    private final long[] low;
    private final boolean[] used;
    private final int mask;

    DedupSet(int expectedKeys) {
        int capacity = Integer.highestOneBit(Math.max(16, expectedKeys) * 2 - 1) << 1;
        high = new long[capacity];
        low = new long[capacity];
        used = new boolean[capacity];
        mask = capacity - 1;
    }

    /** Adds the key; returns false when it was already present. */
    boolean add(long h, long l) {
        // The keys are SHA-256 bits already, so the low bits are uniformly distributed.
        int slot = (int) (l ^ (l >>> 32)) & mask;
        while (used[slot]) {
            if (high[slot] == h && low[slot] == l) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        used[slot] = true;
        high[slot] = h;
        low[slot] = l;
        return true;
    }
}
