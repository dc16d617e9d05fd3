package dev.flywheel.core.store;

import dev.flywheel.api.v1.Job;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The system of record for jobs. Every change is a single-document compare-and-set on {@code version}, so
 * two writers can never both commit a change made from the same snapshot. No method blocks.
 */
public interface JobStore {

    /** A fresh job id (a 24-hex MongoDB ObjectId, as the reference uses). */
    String newId();

    /** True if {@code id} could have come from {@link #newId()}. */
    boolean isValidId(String id);

    /**
     * Stores a new job unless the client already created one with the same request_id. Completes only after
     * the write is durable. A reused request_id with another payload fails with ALREADY_EXISTS.
     */
    CompletableFuture<Created> create(Job job, String requestFingerprint);

    record Created(Job job, boolean isNew) {}

    CompletableFuture<Optional<Job>> get(String id);

    /** Jobs matching every non-empty filter, newest first. */
    CompletableFuture<Page> list(Filter filter, int pageSize, String pageToken);

    /**
     * Empty strings match everything. {@code allowedClients}: when not null, only jobs of these client ids (the
     * caller's), whatever {@code clientId} says.
     */
    record Filter(String clientId, String workloadId, String status, java.util.Set<String> allowedClients) {
        public Filter(String clientId, String workloadId, String status) {
            this(clientId, workloadId, status, null);
        }
    }

    record Page(List<Job> jobs, String nextPageToken) {}

    /** Calls {@code each} with every job that is not finished (pending, running, cancelling), oldest first. */
    CompletableFuture<Void> forEachActive(Consumer<Job> each);

    /**
     * Replaces the stored job with {@code next} if the stored version is {@code next.version - 1}.
     * Completes with false, and changes nothing, when someone else committed first.
     */
    CompletableFuture<Boolean> compareAndSet(Job next);

    /** Deletes the job document; false if there was none. */
    CompletableFuture<Boolean> delete(String id);

    /**
     * Calls {@code onChange} with the job after each committed change (and with empty when it is deleted),
     * from a store thread, until the returned handle is closed.
     */
    AutoCloseable watch(String id, Consumer<Optional<Job>> onChange);

    /** Completes when the database answers. */
    CompletableFuture<Void> ping();
}
