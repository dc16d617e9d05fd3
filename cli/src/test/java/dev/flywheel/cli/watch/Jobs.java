package dev.flywheel.cli.watch;

import com.google.protobuf.Timestamp;
import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.Customization;
import dev.flywheel.api.v1.Evaluation;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.NimConfig;
import dev.flywheel.api.v1.TimelineEvent;
import dev.flywheel.api.v1.TrainingConfig;
import java.time.Instant;

/** Hand-made jobs for the view tests. */
final class Jobs {

    static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    private Jobs() {}

    static Timestamp at(int seconds) {
        return Timestamp.newBuilder().setSeconds(T0.getEpochSecond() + seconds).build();
    }

    static TimelineEvent stage(int seconds, String stage) {
        return TimelineEvent.newBuilder().setAt(at(seconds)).setType("stage_started").setMessage(stage).build();
    }

    static Evaluation eval(String type, String status, double progress, double score) {
        Evaluation.Builder e = Evaluation.newBuilder().setEvalType(type).setStatus(status).setProgress(progress);
        if (score >= 0) {
            e.putScores("function_name_and_args_accuracy", score).putScores("function_name_accuracy", Math.min(1, score + 0.1));
        }
        return e.build();
    }

    /** A job in its candidates stage: the 1B candidate training, the 3B one done. */
    static Job running() {
        return Job.newBuilder().setId("job1").setStatus("running").setStage("candidates").setProgress(55)
                .setCreatedAt(at(0)).setStartedAt(at(0)).setNumRecords(300).setWorkloadType("tool_calling")
                .addTimeline(stage(0, "initialize")).addTimeline(stage(2, "create_datasets"))
                .addTimeline(stage(12, "wait_for_llm_as_judge")).addTimeline(stage(20, "candidates"))
                .setConfig(JobConfig.newBuilder().setTrainingConfig(TrainingConfig.newBuilder().setEpochs(2))
                        .addNims(NimConfig.newBuilder().setModelName("meta/llama-3.2-1b-instruct").setCustomizationEnabled(true))
                        .addNims(NimConfig.newBuilder().setModelName("meta/llama-3.2-3b-instruct").setCustomizationEnabled(true)))
                .addCandidates(CandidateModel.newBuilder().setModelName("meta/llama-3.2-1b-instruct").setStatus("running-evals")
                        .setDeploymentStatus("ready").setStartedAt(at(21))
                        .addEvaluations(eval("base-eval", "completed", 100, 0.35))
                        .addEvaluations(eval("icl-eval", "running", 40, -1))
                        .addCustomizations(Customization.newBuilder().setStatus("running").setProgress(50).setEpochsCompleted(1).setStepsCompleted(12)))
                .addCandidates(CandidateModel.newBuilder().setModelName("meta/llama-3.2-3b-instruct").setStatus("completed")
                        .setStartedAt(at(21)).setFinishedAt(at(81))
                        .addEvaluations(eval("base-eval", "completed", 100, 0.5))
                        .addEvaluations(eval("icl-eval", "completed", 100, 0.6))
                        .addEvaluations(eval("customized-eval", "completed", 100, 0.8)))
                .build();
    }
}
