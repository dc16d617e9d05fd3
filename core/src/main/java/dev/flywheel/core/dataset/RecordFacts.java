package dev.flywheel.core.dataset;

import java.util.Optional;

/**
 * What the first pass learns about one record, so that the record itself can be dropped from the heap.
 *
 * @param invalid          why the record failed validation, or null when it is format-valid
 * @param toolCallsInFirstChoice {@code response.choices[0].message.tool_calls} is non-empty (workload vote)
 * @param toolLabel        first tool call's function name in choice 0, or {@code "no_tool"} (split label)
 * @param toolFilter       outcome of the tool-calling quality filter, were the workload tool-calling
 * @param dedupKey         128-bit digest of the user messages' content, or null when there is none
 * @param timestamp        the record's timestamp, when it has a readable one
 */
record RecordFacts(
        InvalidReason invalid,
        boolean toolCallsInFirstChoice,
        String toolLabel,
        FilterReason toolFilter,
        DedupKey dedupKey,
        Optional<EpochTimestamps.EpochTimestamp> timestamp) {

    static final String NO_TOOL = "no_tool";

    static RecordFacts invalid(InvalidReason reason) {
        return new RecordFacts(reason, false, NO_TOOL, FilterReason.NONE, null, Optional.empty());
    }

    boolean isValid() {
        return invalid == null;
    }

    /** Two longs of a SHA-256 digest: collisions are negligible even for millions of records. */
    record DedupKey(long high, long low) {}
}
