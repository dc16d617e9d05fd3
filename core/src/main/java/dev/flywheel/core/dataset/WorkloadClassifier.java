package dev.flywheel.core.dataset;

/**
 * Decides the workload type after validation, from counts (fixes anchor §11.2 #12: the reference flipped a whole
 * workload to tool-calling on a single raw record with tool calls, then dropped every other record).
 *
 * <p>Rule: the workload is {@link WorkloadType#TOOL_CALLING} when at least {@code threshold} (default
 * {@value #DEFAULT_THRESHOLD}, i.e. a majority-or-tie) of the <em>format-valid</em> records have a non-empty
 * {@code response.choices[0].message.tool_calls}, and at least one has; otherwise {@link WorkloadType#GENERIC}.
 * The counts and the threshold are recorded in the manifest.
 */
final class WorkloadClassifier {

    static final double DEFAULT_THRESHOLD = 0.5;

    /** The decision and what it was based on. */
    record Decision(WorkloadType type, long toolCallRecords, long validRecords, double share, double threshold) {}

    private WorkloadClassifier() {}

    static Decision decide(long toolCallRecords, long validRecords, double threshold) {
        double share = validRecords == 0 ? 0 : (double) toolCallRecords / validRecords;
        WorkloadType type = toolCallRecords > 0 && share >= threshold ? WorkloadType.TOOL_CALLING : WorkloadType.GENERIC;
        return new Decision(type, toolCallRecords, validRecords, share, threshold);
    }
}
