package dev.flywheel.core.engine;

import java.util.Arrays;
import java.util.Optional;

/**
 * A candidate model's lifecycle: wait for GPUs, deploy, evaluate (and train), shut the deployment down, end.
 * Every path to an end goes through {@link #SHUTTING_DOWN} once a deployment may exist, so the GPU is always
 * given back (promise P6). A terminal status is never left.
 */
public enum CandidateStatus {
    PENDING("pending"),
    QUEUED("queued"),
    DEPLOYING("deploying"),
    RUNNING_EVALS("running-evals"),
    SHUTTING_DOWN("shutting-down"),
    COMPLETED("completed"),
    FAILED("failed"),
    CANCELLED("cancelled");

    private final String wire;

    CandidateStatus(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    /** Whether a deployment may exist in this status (so leaving it needs a shutdown). */
    public boolean mayHoldDeployment() {
        return this == DEPLOYING || this == RUNNING_EVALS || this == SHUTTING_DOWN;
    }

    public boolean canMoveTo(CandidateStatus next) {
        return switch (this) {
            // Nothing deployed yet: it may end directly.
            case PENDING -> next == QUEUED || next == FAILED || next == CANCELLED;
            case QUEUED -> next == DEPLOYING || next == FAILED || next == CANCELLED;
            case DEPLOYING -> next == RUNNING_EVALS || next == SHUTTING_DOWN;
            case RUNNING_EVALS -> next == SHUTTING_DOWN;
            case SHUTTING_DOWN -> next.isTerminal();
            case COMPLETED, FAILED, CANCELLED -> false;
        };
    }

    public static Optional<CandidateStatus> parse(String wire) {
        return Arrays.stream(values()).filter(s -> s.wire.equals(wire)).findFirst();
    }

    /** The stored value; an empty one (a job from before the engine) is {@link #PENDING}. */
    public static CandidateStatus of(String wire) {
        if (wire == null || wire.isEmpty()) {
            return PENDING;
        }
        return parse(wire).orElseThrow(() -> new IllegalArgumentException("unknown candidate status: " + wire));
    }
}
