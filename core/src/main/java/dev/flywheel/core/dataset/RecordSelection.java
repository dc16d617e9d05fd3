package dev.flywheel.core.dataset;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Steps 3–4 of the reference's validation on the compact index: the tool-calling quality filter (tool-calling
 * workloads only) and dedup on the user messages' content, where the first occurrence in fetch order — the
 * newest, since the export is sorted newest first — wins and records without user content are always kept.
 */
final class RecordSelection {

    /** Rows that survived, in fetch order, and what was removed. */
    record Survivors(int[] rows, long filtered, Map<String, Long> filteredByReason, long duplicates) {}

    private RecordSelection() {}

    static Survivors select(RecordIndex index, WorkloadType workload) {
        int n = index.size();
        int[] rows = new int[n];
        int kept = 0;
        EnumMap<FilterReason, Long> filtered = new EnumMap<>(FilterReason.class);
        long duplicates = 0;
        DedupSet seen = new DedupSet(n);
        for (int i = 0; i < n; i++) {
            if (workload == WorkloadType.TOOL_CALLING && index.toolFilter(i) != FilterReason.NONE) {
                filtered.merge(index.toolFilter(i), 1L, Long::sum);
                continue;
            }
            if (index.hasDedupKey(i) && !seen.add(index.dedupHigh(i), index.dedupLow(i))) {
                duplicates++;
                continue;
            }
            rows[kept++] = i;
        }
        Map<String, Long> byReason = new LinkedHashMap<>();
        filtered.forEach((reason, count) -> byReason.put(reason.label(), count));
        long filteredTotal = filtered.values().stream().mapToLong(Long::longValue).sum();
        return new Survivors(Arrays.copyOf(rows, kept), filteredTotal, byReason, duplicates);
    }
}
