package dev.flywheel.clients.nemo;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/**
 * A failed NeMo call: which service and operation, the HTTP status (0 when no response arrived), NeMo's
 * {@code detail} text when it sent one, and a short, redacted excerpt of the response body.
 *
 * <p>Why typed: callers branch on the kind of failure — adopt on conflict, treat 404 as "gone", retry later on
 * transient errors — and operators need service + operation + status in one line. The excerpt is capped and passed
 * through {@link NemoJson#redact(String)} so it can be logged and stored.
 */
public class NemoException extends RuntimeException {

    /** What went wrong. */
    public enum Kind {
        /** NeMo answered with a non-2xx status. */
        HTTP_STATUS,
        /** No answer within the attempt or total timeout. */
        TIMEOUT,
        /** The service's circuit breaker is open; nothing was sent. */
        CIRCUIT_OPEN,
        /** Connection refused/reset or similar. */
        TRANSPORT,
        /** A 2xx answer we cannot parse or that lacks a field we need. */
        BAD_RESPONSE
    }

    static final int MAX_EXCERPT = 512;

    private final NemoService service;
    private final String operation;
    private final Kind kind;
    private final int status;
    private final String detail;
    private final String bodyExcerpt;

    public NemoException(NemoService service, String operation, Kind kind, int status, String detail,
                         String body, Throwable cause) {
        super(message(service, operation, kind, status, detail, excerpt(body)), cause);
        this.service = service;
        this.operation = operation;
        this.kind = kind;
        this.status = status;
        this.detail = detail == null ? null : NemoJson.redact(detail);
        this.bodyExcerpt = excerpt(body);
    }

    /** From a non-2xx response: extracts FastAPI's {@code detail} (a string, or the 422 list of violations). */
    public static NemoException fromResponse(NemoService service, String operation, int status, String body) {
        return new NemoException(service, operation, Kind.HTTP_STATUS, status, detailOf(body), body, null);
    }

    public NemoService service() {
        return service;
    }

    public String operation() {
        return operation;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status, or 0 when no response was received. */
    public int status() {
        return status;
    }

    /** NeMo's {@code detail} text (422: "loc: msg" joined by "; "), or null. */
    public String detail() {
        return detail;
    }

    /** At most 512 characters of the response body, credentials masked; empty when there was no body. */
    public String bodyExcerpt() {
        return bodyExcerpt;
    }

    public boolean isNotFound() {
        return kind == Kind.HTTP_STATUS && status == 404;
    }

    public boolean isConflict() {
        return kind == Kind.HTTP_STATUS && status == 409;
    }

    public boolean isValidation() {
        return kind == Kind.HTTP_STATUS && status == 422;
    }

    /**
     * The resource exists already: HTTP 409, or DMS's HTTP 500 whose text says "already exists" (a known DMS bug,
     * nemo-api.md §4.5).
     */
    public boolean isAlreadyExists() {
        return isConflict() || (kind == Kind.HTTP_STATUS && status == 500 && mentionsAlreadyExists(bodyExcerpt));
    }

    /** Worth trying again later (the client has already used its own retries). */
    public boolean isRetryable() {
        return switch (kind) {
            case TIMEOUT, CIRCUIT_OPEN, TRANSPORT -> true;
            case BAD_RESPONSE -> false;
            case HTTP_STATUS -> status == 429 || (status >= 500 && !isAlreadyExists());
        };
    }

    static boolean mentionsAlreadyExists(String body) {
        return body != null && body.toLowerCase(Locale.ROOT).contains("already exists");
    }

    static String excerpt(String body) {
        if (body == null || body.isEmpty()) {
            return "";
        }
        String redacted = NemoJson.redact(body);
        return redacted.length() <= MAX_EXCERPT ? redacted : redacted.substring(0, MAX_EXCERPT) + "…";
    }

    static String detailOf(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode root = NemoJson.mapper().readTree(body);
            JsonNode detail = root == null ? null : root.get("detail");
            if (detail == null || detail.isNull()) {
                return null;
            }
            if (detail.isTextual()) {
                return detail.asText();
            }
            if (detail.isArray()) {
                StringBuilder sb = new StringBuilder();
                for (JsonNode v : detail) {
                    if (sb.length() > 0) {
                        sb.append("; ");
                    }
                    JsonNode loc = v.get("loc");
                    if (loc != null && loc.isArray()) {
                        StringBuilder path = new StringBuilder();
                        loc.forEach(p -> path.append(path.length() == 0 ? "" : ".").append(p.asText()));
                        sb.append(path).append(": ");
                    }
                    sb.append(v.path("msg").asText(v.toString()));
                }
                return sb.toString();
            }
            return detail.toString();
        } catch (Exception e) {
            return null; // not JSON: the excerpt still shows the text
        }
    }

    private static String message(NemoService service, String operation, Kind kind, int status, String detail,
                                  String excerpt) {
        StringBuilder sb = new StringBuilder("NeMo ").append(service.tag()).append(' ').append(operation).append(" failed: ");
        switch (kind) {
            case HTTP_STATUS -> sb.append("HTTP ").append(status);
            case TIMEOUT -> sb.append("timed out");
            case CIRCUIT_OPEN -> sb.append("circuit breaker open");
            case TRANSPORT -> sb.append("transport error");
            case BAD_RESPONSE -> sb.append("unreadable response").append(status > 0 ? " (HTTP " + status + ")" : "");
        }
        if (detail != null && !detail.isBlank()) {
            sb.append(": ").append(NemoJson.redact(detail));
        } else if (kind == Kind.HTTP_STATUS && !excerpt.isEmpty()) {
            sb.append(": ").append(excerpt.length() > 200 ? excerpt.substring(0, 200) + "…" : excerpt);
        }
        return sb.toString();
    }
}
