package dev.flywheel.core.auth;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A token bucket per key: {@code tryAcquire} takes one token or says how long until one is there. */
public interface RateLimiter {

    record Decision(boolean allowed, Duration retryAfter) {
        public static final Decision ALLOWED = new Decision(true, Duration.ZERO);
    }

    CompletableFuture<Decision> tryAcquire(String key);

    RateLimiter UNLIMITED = key -> CompletableFuture.completedFuture(Decision.ALLOWED);
}
