package dev.flywheel.core.dataset;

import java.util.List;
import java.util.Map;

/**
 * The audit trail of one dataset build: effective settings, counts at every step, the workload decision, how
 * each split was made, label counts per split, which ICL examples each evaluation record got, and the files'
 * hashes. Deterministic: the same input, configuration and seed give an equal manifest (no clock, no paths).
 */
public record DatasetManifest(
        String formatVersion,
        long seed,
        SplitSettings split,
        IclSettings icl,
        Counts counts,
        Workload workload,
        Splits splits,
        Map<String, Map<String, Long>> labels,
        Timestamps timestamps,
        IclSummary iclSelection,
        List<DatasetFile> files,
        List<String> warnings) {

    public static final String FORMAT_VERSION = "flywheel.dataset-manifest/v1";

    /**
     * Counts in pipeline order. {@code fetched = invalid + formatValid};
     * {@code formatValid = filtered + duplicates + afterDedup}; {@code sampled = eval + train + validation}.
     */
    public record Counts(long fetched, long invalid, Map<String, Long> invalidByReason, long formatValid,
                         long filtered, Map<String, Long> filteredByReason, long duplicates, long afterDedup,
                         long sampled, long eval, long train, long validation) {}

    /** The workload decision and its inputs (see {@link WorkloadClassifier}). */
    public record Workload(String type, long toolCallRecords, long validRecords, double toolCallShare,
                           double threshold) {}

    /** How the eval and the train/validation splits were made ({@code stratified} or {@code random}). */
    public record Splits(String evalMethod, int evalClasses, String trainValMethod, int trainValClasses) {}

    /** Timestamps of format-valid records, by detected unit, and their range in epoch milliseconds. */
    public record Timestamps(long epochSeconds, long epochMillis, long missingOrUnreadable, Long minEpochMillis,
                             Long maxEpochMillis) {}

    /** ICL selection: strategy used (and requested), pool size, and the examples each eval line got. */
    public record IclSummary(String requestedSelection, String selection, int poolSize, long recordsWithExamples,
                             long totalExamples, List<IclAssignment> assignments) {}

    /**
     * @param evalLine         0-based line in {@code eval_data.jsonl} (same line in the ICL file)
     * @param recordId         the eval record's index in the fetched stream
     * @param budgetTokens     tokens available for examples (≤ 0: none injected)
     * @param exampleTokens    estimated tokens of the injected examples
     * @param exampleRecordIds fetched-stream indices of the injected train records, in injection order
     */
    public record IclAssignment(int evalLine, long recordId, int budgetTokens, int exampleTokens,
                                List<Long> exampleRecordIds) {}
}
