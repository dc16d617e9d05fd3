package dev.flywheel.clients.nemo;

import com.linecorp.armeria.client.ResponseTimeoutException;
import com.linecorp.armeria.client.UnprocessedRequestException;
import com.linecorp.armeria.client.circuitbreaker.FailFastException;
import com.linecorp.armeria.client.retry.Backoff;
import com.linecorp.armeria.common.ClosedSessionException;
import com.linecorp.armeria.common.stream.ClosedStreamException;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * When a failed attempt may be repeated, and how long to wait. Pure decisions, unit-tested; {@link NemoHttp} wires
 * them into Armeria's {@code RetryingClient}.
 *
 * <p>Rules (anchor §11.5 item 28): a request that never left the client is always safe to resend. Otherwise only
 * "safe" requests are retried — GET/HEAD/DELETE/PUT, and POSTs the caller marks safe because they create nothing
 * (inference, Hugging Face preupload/commit of identical content) or because a deterministic name plus
 * adopt-on-conflict makes a second create harmless. A POST that could create a second resource is never resent after
 * it may have reached the server. Transient answers are 429, 500, 502, 503, 504 — except DMS's create, whose
 * "already exists" comes back as a 500 (nemo-api.md §4.5) and must be adopted, not repeated.
 */
public final class RetryPolicy {

    private static final Set<String> IDEMPOTENT_METHODS = Set.of("GET", "HEAD", "DELETE", "PUT", "OPTIONS");

    private RetryPolicy() {
    }

    /** Whether a request may be sent again after it may have reached the server. */
    public static boolean isSafe(String method, boolean markedSafe) {
        return markedSafe || IDEMPOTENT_METHODS.contains(method.toUpperCase(Locale.ROOT));
    }

    /** Whether this status is worth another attempt of a safe request. */
    public static boolean isTransientStatus(int status, boolean serverErrorMayMeanDuplicate) {
        if (status == 500) {
            return !serverErrorMayMeanDuplicate;
        }
        return status == 429 || status == 502 || status == 503 || status == 504;
    }

    /** Whether this failure (no response) is worth another attempt of a safe request. */
    public static boolean isTransientException(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof FailFastException) {
                return false;
            }
            if (t instanceof ResponseTimeoutException || t instanceof TimeoutException
                    || t instanceof ClosedSessionException || t instanceof ClosedStreamException
                    || t instanceof IOException || t instanceof UnprocessedRequestException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The request never reached the network (connect failure, closed pool) — safe to resend for any method. */
    public static boolean isUnprocessed(Throwable cause) {
        return find(cause, UnprocessedRequestException.class) && !isCircuitOpen(cause);
    }

    /** The circuit breaker rejected the call: do not retry, fail fast. */
    public static boolean isCircuitOpen(Throwable cause) {
        return find(cause, FailFastException.class);
    }

    /**
     * Capped exponential backoff with jitter: {@code initial · 2^(n-1)}, capped at {@code max}, each delay scaled by a
     * random factor in {@code [1 - jitter, 1 + jitter]} so that many callers do not retry in lockstep.
     */
    public static Backoff backoff(NemoClientSettings.ServiceSettings s) {
        Backoff base = Backoff.exponential(s.initialBackoff().toMillis(), s.maxBackoff().toMillis(), 2.0);
        return s.jitter() > 0 ? base.withJitter(s.jitter()) : base;
    }

    private static boolean find(Throwable cause, Class<? extends Throwable> type) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
