package dev.flywheel.clients.logs;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What to export: the records of one {@code client_id} + {@code workload_id}, optionally within {@code [from, to)},
 * newest first, at most {@code maxRecords}.
 *
 * @param from       inclusive lower bound of {@code timestamp}; null for no bound
 * @param to         exclusive upper bound; null for no bound
 * @param maxRecords cap on exported records; {@link #builder} defaults it to {@code 2 x limit} like the reference
 *                   ({@link Builder#limit}) or to unbounded when no limit is given (the reference crashed on that)
 * @param pageSize   hits per search request; memory is bounded by about two pages of documents
 * @param keepAlive  point-in-time keep-alive between two page requests
 */
public record ExportQuery(String clientId, String workloadId, Instant from, Instant to, long maxRecords, int pageSize,
                          Duration keepAlive) {

    /**
     * Default page size, measured (ExportBenchmark, 2 cores, ~2.7 KB records, devstack node with a 512 MB heap):
     * 1,000-hit pages scan at under half the rate of 5,000-hit ones (per-request overhead dominates), 2,500 at about
     * three quarters; 10,000 makes that node's parent circuit breaker refuse pages (429) because a ~27 MB response is
     * assembled on its heap. 5,000 keeps the exporter's own memory at about two pages (~30 MB).
     */
    public static final int DEFAULT_PAGE_SIZE = 5_000;
    /** Elasticsearch's default {@code index.max_result_window}: the largest page a search may return. */
    public static final int MAX_PAGE_SIZE = 10_000;

    public ExportQuery {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(workloadId, "workloadId");
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("empty time window: from " + from + " is not before to " + to);
        }
        if (maxRecords < 0) {
            throw new IllegalArgumentException("maxRecords must not be negative");
        }
        if (pageSize <= 0 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("pageSize must be in 1.." + MAX_PAGE_SIZE);
        }
        Objects.requireNonNull(keepAlive, "keepAlive");
    }

    public static Builder builder(String clientId, String workloadId) {
        return new Builder(clientId, workloadId);
    }

    /** Builds an {@link ExportQuery}. */
    public static final class Builder {
        private final String clientId;
        private final String workloadId;
        private Instant from;
        private Instant to;
        private long maxRecords = Long.MAX_VALUE;
        private int pageSize = DEFAULT_PAGE_SIZE;
        private Duration keepAlive = Duration.ofMinutes(2);

        private Builder(String clientId, String workloadId) {
            this.clientId = clientId;
            this.workloadId = workloadId;
        }

        /** Only records with {@code from <= timestamp < to}; either may be null for an open end. */
        public Builder window(Instant from, Instant to) {
            this.from = from;
            this.to = to;
            return this;
        }

        /** The job's sample size: exports up to {@code 2 x limit} records, as the reference does. */
        public Builder limit(int limit) {
            if (limit <= 0) {
                throw new IllegalArgumentException("limit must be positive");
            }
            this.maxRecords = 2L * limit;
            return this;
        }

        /** An explicit cap on exported records (overrides {@link #limit}). */
        public Builder maxRecords(long maxRecords) {
            this.maxRecords = maxRecords;
            return this;
        }

        public Builder pageSize(int pageSize) {
            this.pageSize = pageSize;
            return this;
        }

        public Builder keepAlive(Duration keepAlive) {
            this.keepAlive = keepAlive;
            return this;
        }

        public ExportQuery build() {
            return new ExportQuery(clientId, workloadId, from, to, maxRecords, pageSize, keepAlive);
        }
    }
}
