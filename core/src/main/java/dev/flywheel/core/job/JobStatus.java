package dev.flywheel.core.job;

import java.util.Arrays;
import java.util.Optional;

/**
 * The job's status and the only transitions allowed between statuses. A terminal status is never left
 * (promise P10), so every status change goes through {@link #canMoveTo}.
 */
public enum JobStatus {
    PENDING("pending"),
    RUNNING("running"),
    CANCELLING("cancelling"),
    COMPLETED("completed"),
    FAILED("failed"),
    CANCELLED("cancelled");

    private final String wire;

    JobStatus(String wire) {
        this.wire = wire;
    }

    /** The name used in the API and in stored documents. */
    public String wire() {
        return wire;
    }

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    public boolean canMoveTo(JobStatus next) {
        return switch (this) {
            case PENDING -> next == RUNNING || next == CANCELLING || next == CANCELLED || next == FAILED;
            case RUNNING -> next == CANCELLING || next == COMPLETED || next == FAILED;
            case CANCELLING -> next == CANCELLED || next == FAILED;
            case COMPLETED, FAILED, CANCELLED -> false;
        };
    }

    public static Optional<JobStatus> parse(String wire) {
        return Arrays.stream(values()).filter(s -> s.wire.equals(wire)).findFirst();
    }

    public static JobStatus of(String wire) {
        return parse(wire).orElseThrow(() -> new IllegalArgumentException("unknown job status: " + wire));
    }
}
