package dev.flywheel.core.dataset;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** First-pass counters: how many records arrived, why the invalid ones were rejected, and timestamp units. */
final class IntakeStats {

    private long fetched;
    private final EnumMap<InvalidReason, Long> invalid = new EnumMap<>(InvalidReason.class);
    private long seconds;
    private long millis;
    private long missingTimestamp;
    private Long minMillis;
    private Long maxMillis;

    /** Counts an arriving record and returns its fetch position. */
    int arrived() {
        if (fetched == Integer.MAX_VALUE) {
            throw new IllegalStateException("more than " + Integer.MAX_VALUE + " records");
        }
        return (int) fetched++;
    }

    void rejected(InvalidReason reason) {
        invalid.merge(reason, 1L, Long::sum);
    }

    void accepted(RecordFacts facts) {
        if (facts.timestamp().isEmpty()) {
            missingTimestamp++;
            return;
        }
        EpochTimestamps.EpochTimestamp ts = facts.timestamp().get();
        if (ts.detected() == EpochTimestamps.Unit.SECONDS) {
            seconds++;
        } else {
            millis++;
        }
        minMillis = minMillis == null ? ts.epochMillis() : Math.min(minMillis, ts.epochMillis());
        maxMillis = maxMillis == null ? ts.epochMillis() : Math.max(maxMillis, ts.epochMillis());
    }

    long fetched() {
        return fetched;
    }

    long invalidTotal() {
        return invalid.values().stream().mapToLong(Long::longValue).sum();
    }

    Map<String, Long> invalidByReason() {
        Map<String, Long> out = new LinkedHashMap<>();
        invalid.forEach((reason, count) -> out.put(reason.label(), count));
        return out;
    }

    DatasetManifest.Timestamps timestamps() {
        return new DatasetManifest.Timestamps(seconds, millis, missingTimestamp, minMillis, maxMillis);
    }
}
