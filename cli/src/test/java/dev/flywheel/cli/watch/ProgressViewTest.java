package dev.flywheel.cli.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobError;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressViewTest {

    @Test
    void oneRowForTheJobEachStageReachedAndEachCandidate() {
        List<ProgressView.Row> rows = ProgressView.rows(Jobs.running(), Jobs.T0.plusSeconds(90));
        assertThat(rows).extracting(ProgressView.Row::key).containsExactly("job", "stage:initialize", "stage:create_datasets",
                "stage:wait_for_llm_as_judge", "stage:candidates", "candidate:0", "candidate:1");
        assertThat(rows.get(0).line()).isEqualTo("job job1  running     55%  1m30s");
        assertThat(rows.get(2).line()).contains("create_datasets").contains("done").contains("300 records, tool_calling").endsWith("10.0s");
        assertThat(rows.get(4).text()).contains("candidates").contains("running");
        assertThat(rows.get(4).elapsed()).isEqualTo("1m10s");
        // base done, icl 40 %, training 50 % (epoch 1 of 2, step 12), customized eval not started: (100+40+50+0)/4
        assertThat(rows.get(5).text()).contains("llama-3.2-1b-instruct").contains("running-evals").contains(" 48%")
                .contains("base done").contains("icl 40%").contains("train 50% epoch 1/2 step 12");
        assertThat(rows.get(5).elapsed()).isEqualTo("1m09s");
        assertThat(rows.get(6).text()).contains("completed").contains("100%").contains("customized done");
        assertThat(rows.get(6).elapsed()).isEqualTo("1m00s"); // finished: the clock stops
    }

    @Test
    void theClockIsNotPartOfTheText() {
        List<ProgressView.Row> early = ProgressView.rows(Jobs.running(), Jobs.T0.plusSeconds(90));
        List<ProgressView.Row> later = ProgressView.rows(Jobs.running(), Jobs.T0.plusSeconds(95));
        assertThat(later).extracting(ProgressView.Row::text).isEqualTo(early.stream().map(ProgressView.Row::text).toList());
        assertThat(later.get(0).elapsed()).isNotEqualTo(early.get(0).elapsed());
    }

    @Test
    void stagesTrimmedFromTheTimelineStillShowAndTheFailedStageIsMarked() {
        Job job = Jobs.running().toBuilder().clearTimeline().setStatus("failed").setStage("wait_for_llm_as_judge")
                .setError(JobError.newBuilder().setCode("JUDGE_FAILED").setStage("wait_for_llm_as_judge").setMessage("no GPUs"))
                .setFinishedAt(Jobs.at(30)).clearCandidates().build();
        List<ProgressView.Row> rows = ProgressView.rows(job, Jobs.T0.plusSeconds(90));
        assertThat(rows).extracting(ProgressView.Row::key).containsExactly("job", "stage:initialize", "stage:create_datasets",
                "stage:wait_for_llm_as_judge");
        assertThat(rows.get(0).text()).contains("failed").contains("JUDGE_FAILED: no GPUs");
        assertThat(rows.get(0).elapsed()).isEqualTo("30.0s");
        assertThat(rows.get(2).text()).contains("done");
        assertThat(rows.get(3).text()).contains("failed");
    }
}
