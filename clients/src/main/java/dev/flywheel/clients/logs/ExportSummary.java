package dev.flywheel.clients.logs;

import java.time.Duration;
import java.time.Instant;

/**
 * The outcome of one export.
 *
 * @param query     the query as run (its {@code from}/{@code to} are the window used; null = open end)
 * @param records   records delivered to the consumer
 * @param bytes     total size of the delivered {@code _source} JSON
 * @param pages     search requests made
 * @param newest    timestamp of the first (newest) delivered record; null when none
 * @param oldest    timestamp of the last (oldest) delivered record; null when none
 * @param capped    true if the export stopped at {@code maxRecords} while more matching records may exist
 * @param elapsed   wall time including opening and closing the point in time
 */
public record ExportSummary(ExportQuery query, long records, long bytes, int pages, Instant newest, Instant oldest,
                            boolean capped, Duration elapsed) {

    /** One line for logs and job status: the window used, the records' actual time span, the count. */
    public String describe() {
        return String.format("exported %,d records (%,d bytes, %d pages) of client %s workload %s, window [%s, %s), "
                        + "records from %s to %s%s in %d ms",
                records, bytes, pages, query.clientId(), query.workloadId(),
                query.from() == null ? "-inf" : query.from(), query.to() == null ? "+inf" : query.to(),
                oldest, newest, capped ? ", stopped at the cap of " + query.maxRecords() : "", elapsed.toMillis());
    }
}
