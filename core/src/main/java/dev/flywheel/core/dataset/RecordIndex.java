package dev.flywheel.core.dataset;

import java.util.Arrays;

/**
 * The only per-record state kept in the heap: for every spooled (format-valid) record a fixed-size row of
 * primitives in parallel growable arrays — where it is in the spool, its dedup digest, its label id and a few
 * flags. {@value #BYTES_PER_RECORD} bytes a record, so a million records cost about 40 MB and no record
 * content is ever held.
 */
final class RecordIndex {

    /** Bytes of array storage per record (excluding the arrays' slack from doubling). */
    static final int BYTES_PER_RECORD = 8 + 4 + 8 + 8 + 4 + 4 + 1 + 1;

    private static final byte TOOL_CALLS_IN_FIRST_CHOICE = 1;
    private static final byte HAS_DEDUP_KEY = 2;

    private long[] offset = new long[1024];
    private int[] length = new int[1024];
    private long[] dedupHigh = new long[1024];
    private long[] dedupLow = new long[1024];
    private int[] label = new int[1024];
    private int[] fetchIndex = new int[1024];
    private byte[] flags = new byte[1024];
    private byte[] toolFilter = new byte[1024];
    private int size;

    /** Appends a row and returns its index. */
    int add(long spoolOffset, int spoolLength, int fetchPosition, int labelId, RecordFacts facts) {
        ensureCapacity(size + 1);
        int i = size++;
        offset[i] = spoolOffset;
        length[i] = spoolLength;
        fetchIndex[i] = fetchPosition;
        label[i] = labelId;
        byte f = 0;
        if (facts.toolCallsInFirstChoice()) {
            f |= TOOL_CALLS_IN_FIRST_CHOICE;
        }
        if (facts.dedupKey() != null) {
            f |= HAS_DEDUP_KEY;
            dedupHigh[i] = facts.dedupKey().high();
            dedupLow[i] = facts.dedupKey().low();
        }
        flags[i] = f;
        toolFilter[i] = (byte) facts.toolFilter().ordinal();
        return i;
    }

    int size() {
        return size;
    }

    long offset(int i) {
        return offset[i];
    }

    int length(int i) {
        return length[i];
    }

    /** Position of the record in the fetched stream (0 = first, i.e. newest): the record id in the manifest. */
    int fetchIndex(int i) {
        return fetchIndex[i];
    }

    int label(int i) {
        return label[i];
    }

    boolean toolCallsInFirstChoice(int i) {
        return (flags[i] & TOOL_CALLS_IN_FIRST_CHOICE) != 0;
    }

    boolean hasDedupKey(int i) {
        return (flags[i] & HAS_DEDUP_KEY) != 0;
    }

    long dedupHigh(int i) {
        return dedupHigh[i];
    }

    long dedupLow(int i) {
        return dedupLow[i];
    }

    FilterReason toolFilter(int i) {
        return FilterReason.values()[toolFilter[i]];
    }

    /** Bytes currently allocated by the arrays (capacity, not size): the heap cost of the index. */
    long allocatedBytes() {
        return (long) offset.length * BYTES_PER_RECORD;
    }

    private void ensureCapacity(int needed) {
        if (needed <= offset.length) {
            return;
        }
        int capacity = Math.max(needed, offset.length + (offset.length >> 1));
        offset = Arrays.copyOf(offset, capacity);
        length = Arrays.copyOf(length, capacity);
        dedupHigh = Arrays.copyOf(dedupHigh, capacity);
        dedupLow = Arrays.copyOf(dedupLow, capacity);
        label = Arrays.copyOf(label, capacity);
        fetchIndex = Arrays.copyOf(fetchIndex, capacity);
        flags = Arrays.copyOf(flags, capacity);
        toolFilter = Arrays.copyOf(toolFilter, capacity);
    }
}
