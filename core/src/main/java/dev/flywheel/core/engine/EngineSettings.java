package dev.flywheel.core.engine;

import java.time.Duration;

/**
 * How the engine waits on NeMo. Defaults are the reference's (anchor Appendix B): deployments and evaluations
 * polled every 5 s, training and model sync every 30 s, a stall timeout of an hour since the last progress, and
 * an absolute deadline per wait. Unlike the reference, a failed deployment ends the wait at once.
 *
 * @param deploymentPoll    DMS status poll
 * @param evaluationPoll    Evaluator job poll
 * @param customizationPoll Customizer job poll
 * @param modelSyncPoll     NIM proxy {@code /v1/models} poll (a deployment or adapter becoming visible)
 * @param admissionPoll     how often a queued candidate asks for GPUs again
 * @param stallTimeout      a wait fails when progress has not grown for this long
 * @param deadline          a wait fails after this long whatever the progress
 * @param maxPollErrors     consecutive failed polls (after the HTTP client's own retries) before a wait fails
 */
public record EngineSettings(Duration deploymentPoll, Duration evaluationPoll, Duration customizationPoll,
                             Duration modelSyncPoll, Duration admissionPoll, Duration stallTimeout, Duration deadline,
                             int maxPollErrors) {

    public static EngineSettings defaults() {
        return new EngineSettings(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofHours(1), Duration.ofHours(6), 10);
    }

    /** Every poll at {@code poll}; for tests and the demo on a fast emulator. */
    public EngineSettings withPolls(Duration poll) {
        return new EngineSettings(poll, poll, poll, poll, poll, stallTimeout, deadline, maxPollErrors);
    }

    public EngineSettings withTimeouts(Duration stall, Duration absolute) {
        return new EngineSettings(deploymentPoll, evaluationPoll, customizationPoll, modelSyncPoll, admissionPoll, stall,
                absolute, maxPollErrors);
    }
}
