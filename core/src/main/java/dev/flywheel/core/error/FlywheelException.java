package dev.flywheel.core.error;

import java.util.List;

/**
 * A domain error with a well-known kind. The server maps each kind to one gRPC status (and so one HTTP
 * status); keeping the kinds here means the domain never depends on gRPC.
 */
public class FlywheelException extends RuntimeException {

    /** The kinds map 1:1 to gRPC codes of the same name. */
    public enum Kind {
        INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED, RESOURCE_EXHAUSTED, UNAVAILABLE, INTERNAL,
        UNAUTHENTICATED, PERMISSION_DENIED
    }

    private final Kind kind;
    private final List<FieldViolation> violations;
    private java.time.Duration retryAfter;

    public FlywheelException(Kind kind, String message) {
        this(kind, message, List.of(), null);
    }

    public FlywheelException(Kind kind, String message, List<FieldViolation> violations, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.violations = List.copyOf(violations);
    }

    public static FlywheelException invalid(List<FieldViolation> violations) {
        String message = violations.size() == 1 ? violations.get(0).toString()
                : violations.size() + " invalid fields: " + violations;
        return new FlywheelException(Kind.INVALID_ARGUMENT, message, violations, null);
    }

    public static FlywheelException invalid(String field, String description) {
        return invalid(List.of(new FieldViolation(field, description)));
    }

    public static FlywheelException permissionDenied(String message) {
        return new FlywheelException(Kind.PERMISSION_DENIED, message);
    }

    public static FlywheelException unauthenticated(String message) {
        return new FlywheelException(Kind.UNAUTHENTICATED, message);
    }

    public static FlywheelException notFound(String message) {
        return new FlywheelException(Kind.NOT_FOUND, message);
    }

    public static FlywheelException failedPrecondition(String message) {
        return new FlywheelException(Kind.FAILED_PRECONDITION, message);
    }

    public static FlywheelException alreadyExists(String message) {
        return new FlywheelException(Kind.ALREADY_EXISTS, message);
    }

    /** RESOURCE_EXHAUSTED: the service is full; {@code retryAfter} is when a retry has a fair chance. */
    public static FlywheelException resourceExhausted(String message, java.time.Duration retryAfter) {
        FlywheelException e = new FlywheelException(Kind.RESOURCE_EXHAUSTED, message);
        e.retryAfter = retryAfter;
        return e;
    }

    /** When to retry (RESOURCE_EXHAUSTED), or null. */
    public java.time.Duration retryAfter() {
        return retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    /** Field violations, for {@link Kind#INVALID_ARGUMENT}; empty otherwise. */
    public List<FieldViolation> violations() {
        return violations;
    }
}
