package dev.flywheel.core.engine;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Reference counts of shared deployments (the LLM judge, the embedding NIM): which jobs use each one, so a
 * deployment is torn down only when its last user is done and never under another job (promise P7).
 * Like {@link Admission} this is a rebuildable cache: each job document lists the shared deployments it holds.
 */
public interface SharedRefs {

    /** Adds {@code jobId} as a user of {@code deployment}; returns the number of users after the add. */
    CompletableFuture<Long> acquire(String deployment, String jobId);

    /**
     * Removes {@code jobId}. Returns true only to the one caller that removed the last user — that caller
     * tears the deployment down. A later {@link #acquire} clears the decision for the next user.
     */
    CompletableFuture<Boolean> release(String deployment, String jobId);

    /** The users of each shared deployment. */
    CompletableFuture<Map<String, Set<String>>> users();

    /** Replaces all counts with {@code users} (deployment name → job ids), the truth from MongoDB. */
    CompletableFuture<Void> rebuild(Map<String, Set<String>> users);
}
