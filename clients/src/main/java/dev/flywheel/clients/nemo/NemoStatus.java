package dev.flywheel.clients.nemo;

import java.util.Locale;

/**
 * NeMo's shared {@code JobStatus} (nemo-api.md §1.7) and what each value means for the thing being polled.
 *
 * <p>Why an explicit mapping: the reference compared a deployment with {@code "deployed"} (never a DMS value), kept
 * polling a {@code failed} deployment for an hour and crashed on unexpected values (anchor §11.2 item 8). Here every
 * wire value — and any value NeMo may add later ({@link #UNRECOGNIZED}) — maps to a {@link Phase}; callers decide
 * what to do with {@link Phase#UNKNOWN} instead of crashing.
 */
public enum NemoStatus {
    CREATED, PENDING, RUNNING, CANCELLING, CANCELLED, FAILED, COMPLETED, READY, UNKNOWN,
    /** A value not in NeMo's enum (a newer server); kept as UNRECOGNIZED rather than failing the parse. */
    UNRECOGNIZED;

    /** What the caller should do next. */
    public enum Phase {
        /** Accepted, not doing work yet (scheduling, waiting for GPUs, pulling images). */
        WAITING,
        /** Making progress. */
        RUNNING,
        /** A cancel was requested and is being carried out. */
        CANCELLING,
        /** Done and usable (job completed, deployment ready). */
        SUCCEEDED,
        FAILED,
        CANCELLED,
        /** NeMo does not know, or the value means nothing for this kind of resource. */
        UNKNOWN;

        public boolean isTerminal() {
            return this == SUCCEEDED || this == FAILED || this == CANCELLED;
        }
    }

    /** Parses a wire value; null or unknown text never throws. */
    public static NemoStatus parse(String wire) {
        if (wire == null || wire.isBlank()) {
            return UNKNOWN;
        }
        try {
            NemoStatus s = valueOf(wire.strip().toUpperCase(Locale.ROOT));
            return s == UNRECOGNIZED ? UNRECOGNIZED : s;
        } catch (IllegalArgumentException e) {
            return UNRECOGNIZED;
        }
    }

    /** For a DMS model deployment: only {@code ready} serves; {@code failed} is terminal (fail fast). */
    public Phase forDeployment() {
        return switch (this) {
            case CREATED, PENDING, RUNNING -> Phase.WAITING;
            case READY -> Phase.SUCCEEDED;
            case FAILED -> Phase.FAILED;
            case CANCELLING -> Phase.CANCELLING;
            case CANCELLED -> Phase.CANCELLED;
            case COMPLETED, UNKNOWN, UNRECOGNIZED -> Phase.UNKNOWN;
        };
    }

    /** For an Evaluator or Customizer job. */
    public Phase forJob() {
        return switch (this) {
            case CREATED, PENDING -> Phase.WAITING;
            case RUNNING -> Phase.RUNNING;
            case CANCELLING -> Phase.CANCELLING;
            case COMPLETED -> Phase.SUCCEEDED;
            case FAILED -> Phase.FAILED;
            case CANCELLED -> Phase.CANCELLED;
            case READY, UNKNOWN, UNRECOGNIZED -> Phase.UNKNOWN;
        };
    }

    /** The wire spelling. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
