package dev.flywheel.server.api;

import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobEvent;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.core.store.JobStore;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One watch of one job, shared by gRPC WatchJob and the SSE route: the stored snapshot first (unless the
 * client already has that version), then one event per committed change, ending after a terminal status
 * or deletion. The store's change feed only wakes us up; versions decide what is sent, so nothing is sent
 * twice or out of order, and a reconnect with {@code since_version} misses no committed state.
 * <p>Flow control: while the client cannot take more ({@link Sink#ready()} false), only the newest job is
 * kept and sent when it can — a slow watcher skips intermediate versions but always gets the latest state
 * and the terminal one, costs one buffered job, and never holds up the job or the other watchers.
 */
final class JobWatcher {

    /** Where events go; called under the watcher's lock, so never concurrently. */
    interface Sink {
        void onEvent(JobEvent event);

        void onEnd();

        /** Whether the client can take an event now; the transport calls {@link #onReady()} when it can again. */
        default boolean ready() {
            return true;
        }
    }

    private final JobStore store;
    private final String id;
    private final Sink sink;
    private long lastSent;
    private boolean sentAny;
    private boolean ended;
    private Job held; // newest job not sent yet because the client was not ready
    private boolean recheckScheduled;
    private AutoCloseable subscription;

    private JobWatcher(JobStore store, String id, long sinceVersion, Sink sink) {
        this.store = store;
        this.id = id;
        this.lastSent = sinceVersion;
        this.sink = sink;
    }

    /**
     * Starts watching. The future fails with NOT_FOUND if there is no such job (nothing was sent then);
     * otherwise it completes with the watcher, whose {@link #close()} stops it early.
     */
    static CompletableFuture<JobWatcher> start(JobStore store, String id, long sinceVersion, Sink sink) {
        JobWatcher watcher = new JobWatcher(store, id, sinceVersion, sink);
        // Subscribe before reading, so a change committed in between is not missed.
        watcher.subscription = store.watch(id, watcher::onChange);
        return store.get(id).thenApply(found -> {
            if (found.isEmpty()) {
                watcher.close();
                throw FlywheelException.notFound("Job " + id + " not found");
            }
            watcher.deliver(found.get());
            return watcher;
        }).whenComplete((w, error) -> {
            if (error != null) {
                watcher.close();
            }
        });
    }

    private void onChange(Optional<Job> change) {
        if (change.isPresent()) {
            deliver(change.get());
        } else {
            end();
        }
    }

    /**
     * Sends the job if it is newer than what the client has. The first event of a stream is the "snapshot"
     * whichever source it came from: a change committed just before the read can reach us first.
     */
    private synchronized void deliver(Job job) {
        if (ended) {
            return;
        }
        if (job.getVersion() <= lastSent) {
            if (Jobs.isTerminal(job)) {
                end(); // the client already has the final state
            }
            return;
        }
        if (sentAny && !sink.ready()) {
            if (held == null || job.getVersion() > held.getVersion()) {
                held = job;
            }
            scheduleRecheck();
            return;
        }
        send(job);
    }

    /**
     * Looks again shortly whether the client can take the held job. The transport's ready callback should say
     * so, but a held terminal job must never wait on a callback that does not come: no later change would
     * flush it, and the stream would never end.
     */
    private void scheduleRecheck() {
        if (!recheckScheduled) {
            recheckScheduled = true;
            RECHECKS.schedule(() -> {
                synchronized (this) {
                    recheckScheduled = false;
                    if (held == null || ended) {
                        return;
                    }
                    if (sink.ready()) {
                        onReady();
                    } else {
                        scheduleRecheck();
                    }
                }
            }, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    private static final java.util.concurrent.ScheduledExecutorService RECHECKS =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "flywheel-watch-recheck");
                t.setDaemon(true);
                return t;
            });

    /** The client can take events again: send what was held back. */
    synchronized void onReady() {
        Job job = held;
        held = null;
        if (job != null && !ended && job.getVersion() > lastSent) {
            send(job);
        }
    }

    private void send(Job job) {
        lastSent = job.getVersion();
        String kind = sentAny ? "update" : "snapshot";
        sentAny = true;
        sink.onEvent(JobEvent.newBuilder().setKind(kind).setJob(job).build());
        if (Jobs.isTerminal(job)) {
            end();
        }
    }

    private synchronized void end() {
        if (!ended) {
            ended = true;
            close();
            sink.onEnd();
        }
    }

    /** Stops the watch without ending the sink (the client went away). */
    synchronized void close() {
        ended = true;
        try {
            if (subscription != null) {
                subscription.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
