package dev.flywheel.core.engine;

/** The status of one evaluation or customization of a candidate, as stored on the job. */
public final class StepStatus {
    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";
    /** Not run, because a step it needs failed (a customized eval without a customized model). */
    public static final String SKIPPED = "skipped";

    private StepStatus() {}

    public static boolean isTerminal(String status) {
        return COMPLETED.equals(status) || FAILED.equals(status) || CANCELLED.equals(status) || SKIPPED.equals(status);
    }
}
