package dev.flywheel.clients.logs;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a {@link LogLoader} run did.
 *
 * @param lines            non-blank lines read
 * @param indexed          documents Elasticsearch accepted
 * @param logRecords       lines in log-record shape (before any rejection by Elasticsearch)
 * @param conversations    lines in bare-conversation shape, wrapped with model {@code not-a-model}
 * @param timestampUnits   how many timestamps were detected as seconds, milliseconds or ISO-8601 (converted to
 *                         epoch millis); lines without one got the load time and are not counted here
 * @param rejectedByReason rejected lines per reason (invalid JSON, not an object, missing ids, refused by ES, ...)
 * @param examples         the first rejected lines with their line numbers (at most {@link LogLoader#MAX_EXAMPLES})
 * @param elapsed          wall time
 */
public record LoadReport(long lines, long indexed, long logRecords, long conversations,
                         Map<Timestamps.Unit, Long> timestampUnits, Map<String, Long> rejectedByReason,
                         List<Rejection> examples, Duration elapsed) {

    /** One rejected line. */
    public record Rejection(long lineNumber, String reason, String detail) {
        @Override
        public String toString() {
            return "line " + lineNumber + ": " + reason + (detail == null || detail.isBlank() ? "" : " (" + detail + ")");
        }
    }

    /** Total rejected lines. */
    public long rejected() {
        return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /** A multi-line human summary, as printed by {@code flywheel logs load}. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        double seconds = Math.max(elapsed.toMillis(), 1) / 1000.0;
        sb.append(String.format("indexed %,d of %,d lines in %.1f s (%,.0f docs/s): %,d log records, %,d conversations%n",
                indexed, lines, seconds, indexed / seconds, logRecords, conversations));
        if (!timestampUnits.isEmpty()) {
            sb.append("timestamps detected as: ");
            timestampUnits.forEach((unit, n) -> sb.append(String.format("%s %,d  ", unit.name().toLowerCase(), n)));
            sb.append(timestampUnits.containsKey(Timestamps.Unit.SECONDS) ? "(seconds converted to milliseconds)" : "")
                    .append(System.lineSeparator());
        }
        long rejected = rejected();
        sb.append(String.format("rejected %,d lines%n", rejected));
        rejectedByReason.forEach((reason, n) -> sb.append(String.format("  %,8d  %s%n", n, reason)));
        if (!examples.isEmpty()) {
            sb.append("first rejected lines:").append(System.lineSeparator());
            examples.forEach(r -> sb.append("  ").append(r).append(System.lineSeparator()));
        }
        return sb.toString();
    }
}
