package dev.flywheel.clients.nemo;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Small helpers for {@link CompletableFuture} error handling shared by the clients. */
final class Futures {

    private Futures() {
    }

    /** The {@link NemoException} inside a future's failure, or null. */
    static NemoException nemo(Throwable t) {
        Throwable c = unwrap(t);
        return c instanceof NemoException ne ? ne : null;
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** Rethrows a failure from inside a stage without double-wrapping. */
    static RuntimeException propagate(Throwable t) {
        Throwable c = unwrap(t);
        return c instanceof RuntimeException re ? re : new CompletionException(c);
    }

    /** A delete: true when it removed something, false when it was already gone (404). */
    static CompletableFuture<Boolean> deleted(CompletableFuture<?> call) {
        return call.thenApply(v -> true).exceptionally(e -> {
            NemoException ne = nemo(e);
            if (ne != null && ne.isNotFound()) {
                return false;
            }
            throw propagate(e);
        });
    }

    /** A read that may find nothing: empty on 404. */
    static <T> CompletableFuture<Optional<T>> optional(CompletableFuture<T> call) {
        return call.thenApply(Optional::ofNullable).exceptionally(e -> {
            NemoException ne = nemo(e);
            if (ne != null && ne.isNotFound()) {
                return Optional.empty();
            }
            throw propagate(e);
        });
    }
}
