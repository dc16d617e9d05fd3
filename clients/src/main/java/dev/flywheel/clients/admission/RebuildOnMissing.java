package dev.flywheel.clients.admission;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs an operation whose script may answer {@link LuaScript#NEEDS_REBUILD}; then restores the state from the
 * truth and runs the operation once more. Callers that find the state missing at the same time share one restore
 * (one read of MongoDB, one write to Redis) instead of each starting their own.
 */
final class RebuildOnMissing {

    private final Supplier<CompletableFuture<Void>> restore;
    private final AtomicReference<CompletableFuture<Void>> inFlight = new AtomicReference<>();

    /** {@code restore} reads the truth and writes it, but only if the state is still missing. */
    RebuildOnMissing(Supplier<CompletableFuture<Void>> restore) {
        this.restore = restore;
    }

    <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> operation) {
        return operation.get().exceptionallyCompose(e -> LuaScript.needsRebuild(e)
                // a second NEEDS_REBUILD (flushed again meanwhile) fails the call rather than looping
                ? restoreOnce().thenCompose(done -> operation.get())
                : CompletableFuture.failedFuture(e));
    }

    private CompletableFuture<Void> restoreOnce() {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> running = inFlight.compareAndExchange(null, mine);
        if (running != null) {
            return running;
        }
        CompletableFuture<Void> work;
        try {
            work = restore.get();
        } catch (RuntimeException e) {
            work = CompletableFuture.failedFuture(e);
        }
        work.whenComplete((done, failure) -> {
            // cleared before completing, so a caller woken by `mine` that finds the state missing again
            // starts a fresh restore instead of joining this finished one
            inFlight.compareAndSet(mine, null);
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                mine.complete(null);
            }
        });
        return mine;
    }
}
