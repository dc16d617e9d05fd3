package dev.flywheel.actors.engine;

import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.clients.datasets.DatasetJob;
import dev.flywheel.clients.datasets.DatasetOutcome;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.clients.nemo.Secret;
import dev.flywheel.core.engine.Admission;
import dev.flywheel.core.engine.EngineSettings;
import dev.flywheel.core.engine.SharedRefs;
import dev.flywheel.core.store.JobStore;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Everything a job actor talks to, handed to every actor of the engine. All of it is thread-safe and
 * non-blocking.
 *
 * @param store     the job documents (the system of record)
 * @param nemo      the NeMo clients for a job's {@code nmp_config}
 * @param datasets  runs the dataset step (export, build, publish) for a job
 * @param admission GPU admission (Redis)
 * @param shared    reference counts of shared deployments (Redis)
 * @param judgeKey  the remote judge's API key, from the environment; never stored
 */
public record EngineContext(JobStore store, Nemo nemo, Datasets datasets, Admission admission, SharedRefs shared,
                            EngineSettings settings, Clock clock, Optional<Secret> judgeKey) {

    /** The NeMo clients of a job's configuration. */
    @FunctionalInterface
    public interface Nemo {
        NemoClients forConfig(JobConfig config);
    }

    /** The dataset step. */
    @FunctionalInterface
    public interface Datasets {
        CompletableFuture<DatasetOutcome> run(NemoClients nemo, DatasetJob job);

        /** This step, at most {@code limit} at once on this node. */
        static Datasets bounded(Datasets step, int limit) {
            return new BoundedDatasets(step, limit);
        }
    }
}
