package dev.flywheel.core.engine;

import dev.flywheel.api.v1.Job;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Removes what a finished job left in NeMo: its evaluation jobs, customized models, customization configs, datasets
 * (Data Store repos and Entity Store entries) and any candidate deployment still there — never the shared
 * deployments, which belong to no single job. DeleteJob runs it before deleting the job document, because the
 * document is the only record of what the job created (anchor §3.8: the reference does the same, best effort).
 *
 * <p>Best effort by contract: one resource that cannot be removed is reported, never fatal, so the future always
 * completes normally.
 */
public interface ResourceCleaner {

    /** Deletes, concurrently, every NeMo resource {@code job} records; completes with what happened to each. */
    CompletableFuture<CleanupReport> deleteJobResources(Job job);

    /**
     * What a cleanup did, one human-readable line per resource, e.g. {@code "evaluation job eval-123"},
     * {@code "dataset ns/fw-abcd1234-eval-a1: already gone"} (in {@code removed}), or
     * {@code "model ns/fw-…@cust-1: HTTP 500 …"} (in {@code notRemoved}).
     */
    record CleanupReport(List<String> removed, List<String> notRemoved) {
        public CleanupReport {
            removed = List.copyOf(removed);
            notRemoved = List.copyOf(notRemoved);
        }

        public static CleanupReport empty() {
            return new CleanupReport(List.of(), List.of());
        }
    }
}
