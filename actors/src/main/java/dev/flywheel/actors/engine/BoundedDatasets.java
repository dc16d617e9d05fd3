package dev.flywheel.actors.engine;

import dev.flywheel.clients.datasets.DatasetJob;
import dev.flywheel.clients.datasets.DatasetOutcome;
import dev.flywheel.clients.nemo.NemoClients;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

/**
 * Runs at most {@code limit} dataset steps of this node at once; the rest wait in order. A dataset step exports,
 * spools and uploads thousands of records, so twenty at once on a small machine only makes all of them slow (and
 * time out); GPUs are not involved, so this is a node-local bound, not part of GPU admission. Never blocks.
 */
final class BoundedDatasets implements EngineContext.Datasets {

    private final EngineContext.Datasets delegate;
    private final int limit;
    private final Queue<Runnable> waiting = new ArrayDeque<>();
    private int running;

    BoundedDatasets(EngineContext.Datasets delegate, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        this.delegate = delegate;
        this.limit = limit;
    }

    @Override
    public CompletableFuture<DatasetOutcome> run(NemoClients nemo, DatasetJob job) {
        CompletableFuture<DatasetOutcome> result = new CompletableFuture<>();
        Runnable start = () -> {
            CompletableFuture<DatasetOutcome> step;
            try {
                step = delegate.run(nemo, job);
            } catch (RuntimeException e) {
                step = CompletableFuture.failedFuture(e);
            }
            step.whenComplete((outcome, error) -> {
                finished();
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(outcome);
                }
            });
        };
        boolean now;
        synchronized (this) {
            now = running < limit;
            if (now) {
                running++;
            } else {
                waiting.add(start);
            }
        }
        if (now) {
            start.run();
        }
        return result;
    }

    private void finished() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                running--;
            }
        }
        if (next != null) {
            next.run();
        }
    }
}
