package dev.flywheel.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;

/**
 * Reads a log record's {@code timestamp} as Unix epoch milliseconds, also accepting epoch seconds.
 *
 * <p>Why: the reference's README says epoch seconds, while its Elasticsearch {@code date} mapping reads a number
 * as milliseconds (anchor §11.2 #13). Our canonical unit is milliseconds; a value is taken as seconds when its
 * magnitude is below {@value #SECONDS_BELOW} — in seconds that is the year 5138, in milliseconds it is
 * 1973-03-03, so no realistic log timestamp is ambiguous. Fractional seconds keep millisecond precision.
 */
public final class EpochTimestamps {

    /** Magnitudes below this are epoch seconds, at or above it epoch milliseconds. */
    public static final long SECONDS_BELOW = 100_000_000_000L;

    /** The unit that was detected for a value. */
    public enum Unit { SECONDS, MILLISECONDS }

    /** A timestamp normalised to epoch milliseconds, with the unit it was written in. */
    public record EpochTimestamp(long epochMillis, Unit detected) {}

    private EpochTimestamps() {}

    /** Normalises a numeric epoch value (seconds or milliseconds, possibly fractional). */
    public static EpochTimestamp normalize(BigDecimal value) {
        if (value.abs().compareTo(BigDecimal.valueOf(SECONDS_BELOW)) < 0) {
            long millis = value.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact();
            return new EpochTimestamp(millis, Unit.SECONDS);
        }
        return new EpochTimestamp(value.setScale(0, RoundingMode.HALF_UP).longValueExact(), Unit.MILLISECONDS);
    }

    /** Normalises an integral epoch value. */
    public static EpochTimestamp normalize(long value) {
        return normalize(BigDecimal.valueOf(value));
    }

    /**
     * Reads a JSON {@code timestamp}: a number, or a string holding a number. Anything else (absent, null,
     * ISO text, out of range) is empty: the reference does not validate timestamps, so neither do we.
     */
    public static Optional<EpochTimestamp> read(JsonNode node) {
        if (node == null) {
            return Optional.empty();
        }
        try {
            if (node.isNumber()) {
                return Optional.of(normalize(node.decimalValue()));
            }
            if (node.isTextual()) {
                return Optional.of(normalize(new BigDecimal(node.textValue().trim())));
            }
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
