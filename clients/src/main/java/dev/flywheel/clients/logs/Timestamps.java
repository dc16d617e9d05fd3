package dev.flywheel.clients.logs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Normalises log timestamps to epoch milliseconds. The reference documents epoch <em>seconds</em> but maps the
 * field as a default {@code date}, which reads numbers as milliseconds, so its time filters were off by 1000x.
 * We store milliseconds and accept seconds on input: a number below {@value #SECONDS_THRESHOLD} is taken as
 * seconds (as milliseconds it would be before 1973-03-03; as seconds it reaches year 5138), and fractional
 * seconds (Python's {@code time.time()}) keep their millisecond part. ISO-8601 strings are accepted too.
 */
public final class Timestamps {

    /** Numbers below this are epoch seconds, at or above it epoch milliseconds. */
    public static final long SECONDS_THRESHOLD = 100_000_000_000L;

    /** The unit a timestamp was detected in; callers report counts per unit. */
    public enum Unit { SECONDS, MILLISECONDS, ISO_8601 }

    /** A timestamp in epoch milliseconds and the unit it was given in. */
    public record Normalized(long epochMillis, Unit detectedUnit) {
    }

    private Timestamps() {
    }

    /** Detects the unit of an epoch number and converts it to milliseconds. */
    public static Normalized fromEpochNumber(double value) {
        if (Math.abs(value) < SECONDS_THRESHOLD) {
            return new Normalized(Math.round(value * 1000.0), Unit.SECONDS);
        }
        return new Normalized((long) value, Unit.MILLISECONDS);
    }

    /** Detects the unit of an epoch number and converts it to milliseconds (integer fast path). */
    public static Normalized fromEpochNumber(long value) {
        if (Math.abs(value) < SECONDS_THRESHOLD) {
            return new Normalized(value * 1000L, Unit.SECONDS);
        }
        return new Normalized(value, Unit.MILLISECONDS);
    }

    /**
     * Parses a JSON timestamp: an integer or fractional epoch number (seconds or milliseconds), a numeric string,
     * or an ISO-8601 instant string.
     *
     * @throws IllegalArgumentException if the value is none of those
     */
    public static Normalized parse(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new IllegalArgumentException("no timestamp");
        }
        if (node.isIntegralNumber()) {
            return fromEpochNumber(node.longValue());
        }
        if (node.isNumber()) {
            return fromEpochNumber(node.doubleValue());
        }
        if (node.isTextual()) {
            String text = node.textValue().trim();
            try {
                return fromEpochNumber(Double.parseDouble(text));
            } catch (NumberFormatException notANumber) {
                try {
                    return new Normalized(Instant.parse(text).toEpochMilli(), Unit.ISO_8601);
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("timestamp is neither epoch seconds/millis nor ISO-8601: " + text);
                }
            }
        }
        throw new IllegalArgumentException("timestamp must be a number or a string, not " + node.getNodeType());
    }
}
