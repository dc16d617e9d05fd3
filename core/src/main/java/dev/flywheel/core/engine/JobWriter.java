package dev.flywheel.core.engine;

import dev.flywheel.api.v1.Job;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.core.store.JobStore;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The one writer of a job's snapshot in the engine. Callers hand in changes as functions of the job; the writer
 * applies them to the newest job it knows and commits with a compare-and-set on {@code version}. Changes that
 * arrive while a write is in flight are batched into the next write. When someone else committed first (the
 * API's cancel), the writer reloads the document and re-applies the batch to it, so no change is lost and the
 * other writer's change is kept. A change must therefore be a pure function of the job it is given, and should
 * return the same object when there is nothing to change (no write is made then).
 * <p>A future completes once its change is durable, which is how the engine checkpoints "before" a side effect.
 */
public final class JobWriter {

    private static final int MAX_CONFLICTS = 50;

    private final JobStore store;
    private final Clock clock;
    private final Consumer<Job> onReload;
    private final Queue<Pending> queue = new ArrayDeque<>();
    private Job latest;
    private boolean writing;

    private record Pending(UnaryOperator<Job> change, CompletableFuture<Job> done) {}

    /**
     * @param latest   the job as last read from the store
     * @param onReload told of the stored job whenever a conflict showed that someone else changed it
     */
    public JobWriter(JobStore store, Job latest, Clock clock, Consumer<Job> onReload) {
        this.store = store;
        this.latest = latest;
        this.clock = clock;
        this.onReload = onReload;
    }

    /** The newest committed job. */
    public synchronized Job latest() {
        return latest;
    }

    /** Takes a newer stored job (read after someone else's commit, e.g. a cancel) as the base of the next write. */
    public synchronized void refresh(Job stored) {
        if (stored.getVersion() > latest.getVersion()) {
            latest = stored;
        }
    }

    /** Commits {@code change}; completes with the committed job (or the unchanged one if nothing changed). */
    public CompletableFuture<Job> commit(UnaryOperator<Job> change) {
        CompletableFuture<Job> done = new CompletableFuture<>();
        boolean start;
        synchronized (this) {
            queue.add(new Pending(change, done));
            start = !writing;
            writing = true;
        }
        if (start) {
            writeNext();
        }
        return done;
    }

    private void writeNext() {
        List<Pending> batch;
        Job base;
        synchronized (this) {
            if (queue.isEmpty()) {
                writing = false;
                return;
            }
            batch = new ArrayList<>(queue);
            queue.clear();
            base = latest;
        }
        write(batch, base, 0);
    }

    private void write(List<Pending> batch, Job base, int conflicts) {
        Job next;
        try {
            next = base;
            for (Pending p : batch) {
                next = p.change().apply(next);
            }
        } catch (RuntimeException e) {
            // A change that throws fails alone; the others in the batch are retried in the next round.
            failOne(batch, base, e);
            return;
        }
        if (next == base) {
            finish(batch, base);
            return;
        }
        Job toStore = Jobs.advance(next, clock.instant()).setVersion(base.getVersion() + 1).build();
        call(() -> store.compareAndSet(toStore)).whenComplete((committed, error) -> {
            if (error != null) {
                batch.forEach(p -> p.done().completeExceptionally(error));
                writeNext();
            } else if (committed) {
                finish(batch, toStore);
            } else if (conflicts >= MAX_CONFLICTS) {
                batch.forEach(p -> p.done().completeExceptionally(
                        new IllegalStateException("job " + base.getId() + " kept changing under the engine")));
                writeNext();
            } else {
                call(() -> store.get(base.getId())).whenComplete((stored, readError) -> {
                    if (readError != null || stored.isEmpty()) {
                        Throwable why = readError != null ? readError
                                : new IllegalStateException("job " + base.getId() + " was deleted");
                        batch.forEach(p -> p.done().completeExceptionally(why));
                        writeNext();
                        return;
                    }
                    keepNewest(stored.get());
                    onReload.accept(stored.get());
                    write(batch, stored.get(), conflicts + 1);
                });
            }
        });
    }

    private void failOne(List<Pending> batch, Job base, RuntimeException e) {
        // Find the culprit by applying one at a time; re-queue the rest in front.
        List<Pending> rest = new ArrayList<>();
        Job probe = base;
        for (Pending p : batch) {
            try {
                probe = p.change().apply(probe);
                rest.add(p);
            } catch (RuntimeException failed) {
                p.done().completeExceptionally(failed);
            }
        }
        if (rest.isEmpty()) {
            writeNext();
        } else {
            write(rest, base, 0);
        }
    }

    /**
     * A store call whose synchronous throw becomes a failed future, so a misbehaving store fails the batch instead
     * of escaping from {@link #commit} and leaving the writer marked as writing forever.
     */
    private static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> storeCall) {
        try {
            return storeCall.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Never goes back to an older version: a {@link #refresh} with a newer stored job may arrive while a write is
     * in flight, and that write's (late) acknowledgement must not replace it.
     */
    private synchronized void keepNewest(Job job) {
        if (job.getVersion() >= latest.getVersion()) {
            latest = job;
        }
    }

    private void finish(List<Pending> batch, Job committed) {
        keepNewest(committed);
        batch.forEach(p -> p.done().complete(committed));
        writeNext();
    }
}
