package dev.flywheel.clients.datasets;

import dev.flywheel.api.v1.JobConfig;
import java.time.Instant;
import java.util.Objects;

/**
 * One job's dataset step: whose logs, which window, which configuration and seed, and the job identity that makes
 * NeMo names deterministic.
 *
 * <p>To resume a job, pass the same {@code jobId}, {@code attempt}, {@code seed} and the window the first run
 * reported ({@link DatasetOutcome#from()}/{@link DatasetOutcome#to()}): the export then sees the same records, the
 * builder writes the same files, and publishing finds everything in place.
 *
 * @param jobId      the job's id; its {@link dev.flywheel.clients.nemo.NemoNames#jobTag tag} goes into every name
 * @param attempt    dataset attempt (1..999): a new attempt gets new dataset names, the same attempt adopts
 * @param clientId   {@code client_id} of the logs
 * @param workloadId {@code workload_id} of the logs
 * @param config     the job's effective configuration ({@code data_split_config}, {@code icl_config})
 * @param seed       the job's seed for sampling, splits and uniform ICL selection
 * @param from       inclusive lower bound of the log timestamps; null for none
 * @param to         exclusive upper bound; null means "now", fixed when the run starts and reported back
 * @param maxRecords cap on exported records; null for {@code 2 x limit} as the reference (unbounded without limit)
 */
public record DatasetJob(String jobId, int attempt, String clientId, String workloadId, JobConfig config, long seed,
                         Instant from, Instant to, Long maxRecords) {

    public DatasetJob {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(workloadId, "workloadId");
        Objects.requireNonNull(config, "config");
        if (attempt < 1 || attempt > 999) {
            throw new IllegalArgumentException("attempt must be in 1..999: " + attempt);
        }
        if (maxRecords != null && maxRecords < 0) {
            throw new IllegalArgumentException("maxRecords must not be negative");
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("empty time window: from " + from + " is not before to " + to);
        }
    }

    /** Attempt 1, all records up to now, cap from the configuration. */
    public static DatasetJob of(String jobId, String clientId, String workloadId, JobConfig config, long seed) {
        return new DatasetJob(jobId, 1, clientId, workloadId, config, seed, null, null, null);
    }

    /** The same job over {@code [from, to)}. */
    public DatasetJob withWindow(Instant from, Instant to) {
        return new DatasetJob(jobId, attempt, clientId, workloadId, config, seed, from, to, maxRecords);
    }

    /** The same job with an explicit export cap. */
    public DatasetJob withMaxRecords(long max) {
        return new DatasetJob(jobId, attempt, clientId, workloadId, config, seed, from, to, max);
    }
}
