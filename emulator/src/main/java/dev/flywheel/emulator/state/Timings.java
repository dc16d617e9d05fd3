package dev.flywheel.emulator.state;

import java.time.Duration;

/**
 * Nominal durations of every background step, before the time scale is applied. At scale 1.0 a full flywheel run
 * (deploy, two evaluations, training, a third evaluation) takes about five minutes; the defaults of {@code main}
 * (scale 0.2) make it about a minute.
 */
public record Timings(
        Duration deploymentToPending,
        Duration deploymentPendingToReady,
        Duration nimModelSync,
        Duration customizationToPending,
        Duration customizationPendingToRunning,
        Duration trainingTick,
        Duration artifactUpload,
        Duration adapterSync,
        Duration evaluationToRunning,
        Duration evaluationTick,
        Duration cancelDelay,
        Duration stuckRecheck) {

    public static Timings defaults() {
        return new Timings(
                Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(15),
                Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(3),
                Duration.ofSeconds(5), Duration.ofSeconds(20),
                Duration.ofSeconds(3), Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(5));
    }
}
