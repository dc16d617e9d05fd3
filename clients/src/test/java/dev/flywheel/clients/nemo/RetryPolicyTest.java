package dev.flywheel.clients.nemo;

import com.linecorp.armeria.client.ResponseTimeoutException;
import com.linecorp.armeria.client.UnprocessedRequestException;
import com.linecorp.armeria.client.circuitbreaker.CircuitBreaker;
import com.linecorp.armeria.client.circuitbreaker.FailFastException;
import com.linecorp.armeria.client.retry.Backoff;
import com.linecorp.armeria.common.ClosedSessionException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RetryPolicyTest {

    @Test
    void safety() {
        assertThat(RetryPolicy.isSafe("GET", false)).isTrue();
        assertThat(RetryPolicy.isSafe("DELETE", false)).isTrue();
        assertThat(RetryPolicy.isSafe("POST", false)).isFalse();
        assertThat(RetryPolicy.isSafe("PATCH", false)).isFalse();
        assertThat(RetryPolicy.isSafe("POST", true)).isTrue();
    }

    @Test
    void transientStatuses() {
        assertThat(RetryPolicy.isTransientStatus(502, false)).isTrue();
        assertThat(RetryPolicy.isTransientStatus(503, false)).isTrue();
        assertThat(RetryPolicy.isTransientStatus(504, false)).isTrue();
        assertThat(RetryPolicy.isTransientStatus(429, false)).isTrue();
        assertThat(RetryPolicy.isTransientStatus(500, false)).isTrue();
        assertThat(RetryPolicy.isTransientStatus(500, true)).isFalse(); // DMS duplicate: adopt, don't repeat
        assertThat(RetryPolicy.isTransientStatus(404, false)).isFalse();
        assertThat(RetryPolicy.isTransientStatus(409, false)).isFalse();
        assertThat(RetryPolicy.isTransientStatus(422, false)).isFalse();
    }

    @Test
    void exceptions() {
        FailFastException open = new FailFastException(CircuitBreaker.ofDefaultName());
        assertThat(RetryPolicy.isTransientException(ResponseTimeoutException.get())).isTrue();
        assertThat(RetryPolicy.isTransientException(ClosedSessionException.get())).isTrue();
        assertThat(RetryPolicy.isTransientException(new IllegalStateException("bug"))).isFalse();
        assertThat(RetryPolicy.isTransientException(open)).isFalse();
        assertThat(RetryPolicy.isCircuitOpen(UnprocessedRequestException.of(open))).isTrue();
        assertThat(RetryPolicy.isUnprocessed(UnprocessedRequestException.of(new ConnectException()))).isTrue();
        assertThat(RetryPolicy.isUnprocessed(UnprocessedRequestException.of(open))).isFalse();
    }

    @Test
    void backoffIsExponentialCappedAndJittered() {
        var s = NemoClientSettings.ServiceSettings.defaults(NemoService.EVALUATOR)
                .withRetries(10, Duration.ofMillis(100), Duration.ofMillis(1000));
        Backoff b = RetryPolicy.backoff(s);
        for (int i = 0; i < 50; i++) {
            long first = b.nextDelayMillis(1);
            long later = b.nextDelayMillis(8);
            assertThat(first).isBetween(80L, 120L);
            assertThat(later).isBetween(800L, 1200L); // capped at 1000 ± 20 %
        }
        long second = RetryPolicy.backoff(new NemoClientSettings.ServiceSettings(Duration.ofSeconds(1),
                Duration.ofSeconds(1), 3, Duration.ofMillis(100), Duration.ofMillis(1000), 0, 0.5, 10,
                Duration.ofSeconds(10), Duration.ofSeconds(1))).nextDelayMillis(2);
        assertThat(second).isEqualTo(200L);
    }
}
