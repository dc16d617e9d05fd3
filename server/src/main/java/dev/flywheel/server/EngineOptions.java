package dev.flywheel.server;

import com.typesafe.config.Config;
import dev.flywheel.core.engine.EngineSettings;
import dev.flywheel.core.error.FlywheelException;
import java.time.Duration;
import java.util.List;

/**
 * The {@code flywheel.engine} block: whether this server runs jobs, its GPU capacity and queue bound, the log
 * index, how NeMo is polled, and how the node joins the Pekko cluster.
 */
public record EngineOptions(boolean enabled, int gpus, int maxQueued, String logIndex, EngineSettings polling,
                            Duration reconcileEvery, String clusterHostname, int clusterPort, List<String> seedNodes,
                            int datasetConcurrency) {

    static EngineOptions from(Config c) {
        String p = "flywheel.engine.";
        int gpus = c.getInt(p + "gpus");
        if (gpus < 1) {
            throw FlywheelException.invalid(p + "gpus", "must be at least 1, got " + gpus);
        }
        EngineSettings polling = new EngineSettings(c.getDuration(p + "deployment-poll"), c.getDuration(p + "evaluation-poll"),
                c.getDuration(p + "customization-poll"), c.getDuration(p + "model-sync-poll"), c.getDuration(p + "admission-poll"),
                c.getDuration(p + "stall-timeout"), c.getDuration(p + "deadline"), EngineSettings.defaults().maxPollErrors());
        return new EngineOptions(c.getBoolean(p + "enabled"), gpus, c.getInt(p + "max-queued"), c.getString(p + "log-index"),
                polling, c.getDuration(p + "reconcile-every"), c.getString(p + "cluster.hostname"),
                c.getInt(p + "cluster.port"), c.getStringList(p + "cluster.seed-nodes"), c.getInt(p + "dataset-concurrency"));
    }

    /** The built-in defaults (reference.conf). */
    public static EngineOptions defaults() {
        return from(com.typesafe.config.ConfigFactory.defaultReference());
    }

    public EngineOptions withEnabled(boolean on) {
        return new EngineOptions(on, gpus, maxQueued, logIndex, polling, reconcileEvery, clusterHostname, clusterPort, seedNodes, datasetConcurrency);
    }

    public EngineOptions withPolling(EngineSettings settings) {
        return new EngineOptions(enabled, gpus, maxQueued, logIndex, settings, reconcileEvery, clusterHostname, clusterPort, seedNodes, datasetConcurrency);
    }

    public EngineOptions withGpus(int n) {
        return new EngineOptions(enabled, n, maxQueued, logIndex, polling, reconcileEvery, clusterHostname, clusterPort, seedNodes, datasetConcurrency);
    }

    public EngineOptions withMaxQueued(int n) {
        return new EngineOptions(enabled, gpus, n, logIndex, polling, reconcileEvery, clusterHostname, clusterPort, seedNodes, datasetConcurrency);
    }

    public EngineOptions withReconcileEvery(Duration every) {
        return new EngineOptions(enabled, gpus, maxQueued, logIndex, polling, every, clusterHostname, clusterPort, seedNodes, datasetConcurrency);
    }

    /** Pekko settings for this node. */
    Config clusterConfig() {
        return com.typesafe.config.ConfigFactory.parseMap(java.util.Map.of(
                "pekko.remote.artery.canonical.hostname", clusterHostname,
                "pekko.remote.artery.canonical.port", clusterPort,
                "pekko.cluster.seed-nodes", seedNodes));
    }
}
