package dev.flywheel.core.dataset;

import dev.flywheel.core.error.FlywheelException;

/**
 * The reference's record-count preconditions (step 1 on the fetched count, step 5 after dedup), as domain errors
 * whose messages carry the counts.
 */
final class CountChecks {

    private CountChecks() {}

    static void beforeValidation(long fetched, SplitSettings split) {
        if (fetched < split.minTotalRecords()) {
            throw FlywheelException.failedPrecondition("Not enough records found for the given workload: "
                    + "min_total_records is " + split.minTotalRecords() + ", but only " + fetched + " were fetched.");
        }
        if (split.evalSize() > fetched) {
            throw FlywheelException.failedPrecondition("eval_size cannot be larger than the number of records: "
                    + "eval_size is " + split.evalSize() + ", but only " + fetched + " were fetched.");
        }
        if (split.limit() != null && split.limit() < split.minTotalRecords()) {
            throw FlywheelException.failedPrecondition("limit cannot be less than min_total_records: limit is "
                    + split.limit() + ", min_total_records is " + split.minTotalRecords() + ".");
        }
    }

    static void afterDedup(long survivors, SplitSettings split, IntakeStats intake, long formatValid,
                           RecordSelection.Survivors selection, WorkloadType workload) {
        if (survivors < split.minTotalRecords()) {
            throw FlywheelException.failedPrecondition("Insufficient valid records: " + survivors
                    + " remain but min_total_records is " + split.minTotalRecords() + ". Fetched "
                    + intake.fetched() + ", invalid " + intake.invalidTotal() + " " + intake.invalidByReason()
                    + ", format-valid " + formatValid + ", workload " + workload.value()
                    + ", removed by the tool-calling filter " + selection.filtered() + " "
                    + selection.filteredByReason() + ", duplicates " + selection.duplicates() + ".");
        }
    }
}
