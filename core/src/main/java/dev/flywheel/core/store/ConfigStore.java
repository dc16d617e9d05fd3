package dev.flywheel.core.store;

import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.NamedConfig;
import dev.flywheel.core.job.ConfigRef;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Named, versioned job configurations. Versions are immutable once stored. */
public interface ConfigStore {

    /** Stores {@code config} as the next version of {@code name}, unless it equals the newest version. */
    CompletableFuture<NamedConfig> put(String name, JobConfig config, String description);

    /** The version named by {@code ref} (the newest when it names no version). */
    CompletableFuture<Optional<NamedConfig>> get(ConfigRef ref);

    /** The newest version of every name (name empty), or every version of one name; newest first. */
    CompletableFuture<Page> list(String name, int pageSize, String pageToken);

    record Page(List<NamedConfig> configs, String nextPageToken) {}

    /**
     * Marks a version as used by a job, so it can no longer be deleted. False if the version is gone
     * (deleted in the meantime); a job must then not be created with it.
     */
    CompletableFuture<Boolean> markInUse(String name, long version);

    /**
     * Deletes one version, or every version of a name. Fails with FAILED_PRECONDITION, deleting nothing,
     * if any of them was used by a job; with NOT_FOUND if there is nothing to delete.
     */
    CompletableFuture<List<String>> delete(ConfigRef ref);
}
