package dev.flywheel.core.engine;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * GPU admission: a FIFO of holders (a job's candidate, or a shared deployment such as the judge) that want GPUs,
 * and the set of holders that have them. At most {@link #capacity()} GPUs are ever held. Strictly first come,
 * first served: a holder is admitted only when every holder ahead of it has been, so big requests do not starve.
 * <p>The state lives in Redis, a rebuildable cache (promise P7): every holding and waiting entry can be derived
 * from the job documents in MongoDB, and {@link #rebuild} replaces Redis' state with that truth. An
 * implementation that finds its state gone (Redis flushed or restarted) rebuilds before answering, so a flush
 * never admits past capacity and never loses a waiting holder.
 */
public interface Admission {

    /** Total GPUs this service may deploy at once. */
    int capacity();

    /**
     * Joins the queue (idempotent: the first call fixes the place, later calls only ask again) and takes
     * {@code gpus} if it is this holder's turn and they are free. An already admitted holder is answered
     * admitted again, without taking more.
     *
     * @param holder a stable id, e.g. {@code <jobId>/c<index>} or {@code shared:<deployment name>}
     * @param order  the place in line; smaller goes first (job creation millis, then candidate index)
     */
    CompletableFuture<Ticket> request(String holder, int gpus, double order);

    /** Gives back what {@code holder} holds and leaves the queue. Idempotent. */
    CompletableFuture<Void> release(String holder);

    /** How many holders wait (not admitted yet). */
    CompletableFuture<Long> waiting();

    /** GPUs held right now. */
    CompletableFuture<Integer> used();

    /** Replaces the whole state with {@code snapshot} (the truth from MongoDB). */
    CompletableFuture<Void> rebuild(Snapshot snapshot);

    /** The answer to {@link #request}: admitted, or the 1-based position among waiting holders. */
    record Ticket(boolean admitted, int position) {
        public static Ticket granted() {
            return new Ticket(true, 0);
        }
    }

    record Holding(String holder, int gpus) {}

    record Waiting(String holder, int gpus, double order) {}

    /** What MongoDB says is held and waiting. */
    record Snapshot(List<Holding> holdings, List<Waiting> waiting) {
        public Snapshot {
            holdings = List.copyOf(holdings);
            waiting = List.copyOf(waiting);
        }
    }
}
