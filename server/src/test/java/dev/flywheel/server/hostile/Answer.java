package dev.flywheel.server.hostile;

import java.nio.charset.StandardCharsets;

/**
 * What the server did with one hostile request, as seen from the wire.
 *
 * @param kind       how the exchange ended
 * @param httpStatus the final HTTP status, or 0 when none arrived
 * @param grpcStatus the gRPC status code name for gRPC calls that got one ({@code OK}, {@code INVALID_ARGUMENT}, ...),
 *                   else null
 * @param body       the start of the response body (capped), for diagnostics and to find created ids
 * @param detail     a short description for failure messages (exception, grpc-message)
 */
record Answer(Kind kind, int httpStatus, String grpcStatus, byte[] body, String detail) {

    enum Kind {
        /** A complete response. */
        ANSWERED,
        /** Headers (and possibly events) of a long-lived stream (SSE, WatchJob) that was still open when we stopped reading. */
        STREAMING,
        /** The server closed or reset the connection or stream without a response. */
        RESET,
        /** Our own client refused to send the request (e.g. a header over the server's advertised HTTP/2 limit). */
        NOT_SENT,
        /** No answer within the time limit. */
        HANG
    }

    static Answer http(int status, byte[] body, String detail) {
        return new Answer(Kind.ANSWERED, status, null, body, detail);
    }

    static Answer grpc(int httpStatus, String grpcStatus, byte[] body, String detail) {
        return new Answer(Kind.ANSWERED, httpStatus, grpcStatus, body, detail);
    }

    static Answer streaming(int status, byte[] body) {
        return new Answer(Kind.STREAMING, status, null, body, "stream open");
    }

    /** A watch that rightly sends nothing yet (the client is up to date with an unfinished job). */
    static Answer idle() {
        return new Answer(Kind.STREAMING, 200, null, new byte[0], "idle");
    }

    static Answer of(Kind kind, String detail) {
        return new Answer(kind, 0, null, new byte[0], detail);
    }

    /** Whether the server said yes: only such requests may change what is stored. */
    boolean success() {
        if (kind == Kind.STREAMING) {
            return httpStatus / 100 == 2;
        }
        if (kind != Kind.ANSWERED || httpStatus / 100 != 2) {
            return false;
        }
        return grpcStatus == null || grpcStatus.equals("OK");
    }

    /** The label counted per category: {@code http 400}, {@code grpc INVALID_ARGUMENT}, {@code reset}, ... */
    String label() {
        return switch (kind) {
            case ANSWERED -> grpcStatus == null ? "http " + httpStatus
                    : "CANCELLED".equals(grpcStatus) ? "grpc CANCELLED (" + detail + ")" : "grpc " + grpcStatus;
            case STREAMING -> "idle".equals(detail) ? "stream open, idle (client up to date)" : "stream open (http " + httpStatus + ")";
            case RESET -> "reset: " + detail;
            case NOT_SENT -> "not sent by our client: " + detail;
            case HANG -> "HANG";
        };
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        String text = bodyText();
        return label() + (detail == null || detail.isEmpty() ? "" : " [" + detail + "]")
                + (text.isEmpty() ? "" : " body=" + Hostile.abbreviate(text, 400));
    }
}
