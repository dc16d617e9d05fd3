package dev.flywheel.clients.nemo;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Timeouts, retry and circuit-breaker parameters, with one {@link ServiceSettings} per service.
 *
 * <p>Defaults (why): NeMo control-plane calls answer in well under a second, so 30 s per attempt only catches hung
 * connections; inference (chat completions through the NIM proxy or a remote judge) can legitimately take a minute.
 * Four attempts with 250 ms → 8 s capped exponential backoff and ±20 % jitter ride out an ingress restart (the
 * reference's most common transient failure, a 502) without hammering it. The breaker opens when half of at least
 * 10 calls in 30 s failed at the transport level, stays open 10 s, then lets a trial call through.
 */
public record NemoClientSettings(Map<NemoService, ServiceSettings> services) {

    public NemoClientSettings {
        EnumMap<NemoService, ServiceSettings> copy = new EnumMap<>(NemoService.class);
        for (NemoService s : NemoService.values()) {
            copy.put(s, services.getOrDefault(s, ServiceSettings.defaults(s)));
        }
        services = Map.copyOf(copy);
    }

    public static NemoClientSettings defaults() {
        return new NemoClientSettings(Map.of());
    }

    public ServiceSettings of(NemoService service) {
        return services.get(service);
    }

    /** A copy with {@code service}'s settings replaced. */
    public NemoClientSettings with(NemoService service, ServiceSettings settings) {
        EnumMap<NemoService, ServiceSettings> copy = new EnumMap<>(services);
        copy.put(service, settings);
        return new NemoClientSettings(copy);
    }

    /** A copy with {@code settings} for every service (handy in tests). */
    public static NemoClientSettings all(ServiceSettings settings) {
        EnumMap<NemoService, ServiceSettings> m = new EnumMap<>(NemoService.class);
        for (NemoService s : NemoService.values()) {
            m.put(s, settings);
        }
        return new NemoClientSettings(m);
    }

    /**
     * Per-service parameters.
     *
     * @param attemptTimeout       response timeout of one HTTP attempt
     * @param totalTimeout         deadline of a whole call, retries and backoff included
     * @param maxAttempts          attempts per call when retrying is safe (1 = no retries)
     * @param initialBackoff       first retry delay
     * @param maxBackoff           cap of the exponential backoff
     * @param jitter               ± fraction of random jitter added to every delay
     * @param breakerFailureRate   failure ratio that opens the circuit
     * @param breakerMinimumCalls  calls in the window before the ratio counts
     * @param breakerWindow        sliding window of the failure counter
     * @param breakerOpenFor       how long an open circuit rejects calls before a trial call
     */
    public record ServiceSettings(Duration attemptTimeout, Duration totalTimeout, int maxAttempts,
                                  Duration initialBackoff, Duration maxBackoff, double jitter,
                                  double breakerFailureRate, int breakerMinimumCalls, Duration breakerWindow,
                                  Duration breakerOpenFor) {

        public ServiceSettings {
            Objects.requireNonNull(attemptTimeout);
            Objects.requireNonNull(totalTimeout);
            Objects.requireNonNull(initialBackoff);
            Objects.requireNonNull(maxBackoff);
            Objects.requireNonNull(breakerWindow);
            Objects.requireNonNull(breakerOpenFor);
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1");
            }
            if (jitter < 0 || jitter > 1) {
                throw new IllegalArgumentException("jitter must be in [0, 1]");
            }
            if (totalTimeout.compareTo(attemptTimeout) < 0) {
                throw new IllegalArgumentException("totalTimeout must be >= attemptTimeout");
            }
        }

        public static ServiceSettings defaults(NemoService service) {
            boolean inference = service == NemoService.NIM_PROXY || service == NemoService.REMOTE_INFERENCE;
            Duration attempt = inference ? Duration.ofSeconds(120) : Duration.ofSeconds(30);
            Duration total = inference ? Duration.ofMinutes(6) : Duration.ofMinutes(2);
            return new ServiceSettings(attempt, total, 4, Duration.ofMillis(250), Duration.ofSeconds(8), 0.2,
                    0.5, 10, Duration.ofSeconds(30), Duration.ofSeconds(10));
        }

        public ServiceSettings withTimeouts(Duration attempt, Duration total) {
            return new ServiceSettings(attempt, total, maxAttempts, initialBackoff, maxBackoff, jitter,
                    breakerFailureRate, breakerMinimumCalls, breakerWindow, breakerOpenFor);
        }

        public ServiceSettings withRetries(int attempts, Duration initial, Duration max) {
            return new ServiceSettings(attemptTimeout, totalTimeout, attempts, initial, max, jitter,
                    breakerFailureRate, breakerMinimumCalls, breakerWindow, breakerOpenFor);
        }

        public ServiceSettings withBreaker(double failureRate, int minimumCalls, Duration window, Duration openFor) {
            return new ServiceSettings(attemptTimeout, totalTimeout, maxAttempts, initialBackoff, maxBackoff, jitter,
                    failureRate, minimumCalls, window, openFor);
        }
    }
}
