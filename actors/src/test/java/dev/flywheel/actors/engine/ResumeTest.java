package dev.flywheel.actors.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.Dataset;
import dev.flywheel.api.v1.Evaluation;
import dev.flywheel.api.v1.Job;
import dev.flywheel.clients.nemo.NemoNames;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.emulator.NemoEmulator;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crash and resume (promises P2, P3): the engine node is stopped at a checkpoint — its calls in flight lost — and a
 * new node on the same stores finishes the job: the same datasets, one deployment, customization and set of
 * evaluations per candidate, nothing left deployed. (The separate-JVM {@code kill -9} version is in the server.)
 */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResumeTest {

    NemoEmulator emulator;
    EngineRig rig;

    @BeforeAll
    void start(DevStack stack) throws Exception {
        emulator = NemoEmulator.builder().seed(5).timeScale(0.004).start();
        rig = new EngineRig(stack, emulator, 8, EngineRig.fastSettings());
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
        emulator.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"datasets", "judge", "deploying", "evaluating", "training", "shutting-down"})
    void aJobResumesFromItsLastCheckpoint(String checkpoint) {
        Job job = rig.submit(rig.config(EngineRig.MODELS.subList(0, 2)));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> reached(rig.get(job.getId()), checkpoint));
        rig.restartEngine();
        Job atCrash = rig.get(job.getId());
        assertThat(Jobs.isTerminal(atCrash)).as("the crash came before the end").isFalse();
        List<Dataset> datasetsBefore = atCrash.getDatasetsList();

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> Jobs.isTerminal(rig.get(job.getId())));
        Job done = rig.get(job.getId());
        assertThat(done.getStatus()).as("%s", done.getError()).isEqualTo("completed");
        if (!datasetsBefore.isEmpty()) {
            assertThat(done.getDatasetsList()).isEqualTo(datasetsBefore);
        }
        String tag = NemoNames.jobTag(job.getId());
        var ledger = emulator.ledger();
        assertThat(ledger.duplicates().keySet()).noneMatch(k -> k.contains(tag));
        assertThat(ledger.entries()).filteredOn(e -> e.kind().equals("deployment") && e.key().contains(tag)).hasSize(2);
        assertThat(ledger.entries()).filteredOn(e -> e.kind().equals("customization_job") && e.key().contains(tag)).hasSize(2);
        // Each evaluation ran once: the NeMo ids recorded are distinct and every one completed.
        List<String> evalJobs = done.getCandidatesList().stream().flatMap(c -> c.getEvaluationsList().stream())
                .map(Evaluation::getJobId).collect(Collectors.toList());
        assertThat(evalJobs).hasSize(6).doesNotHaveDuplicates();
        long evalJobsOfThisJob = done.getCandidatesList().stream().flatMap(c -> c.getEvaluationsList().stream())
                .filter(e -> e.getStatus().equals("completed")).count();
        assertThat(evalJobsOfThisJob).isEqualTo(6);
        assertThat(ledger.live()).filteredOn(e -> e.kind().equals("deployment")).isEmpty();
        assertThat(rig.admission.used().join()).isZero();
    }

    static boolean reached(Job job, String checkpoint) {
        Predicate<CandidateModel> any = switch (checkpoint) {
            case "deploying" -> c -> c.getStatus().equals("deploying");
            case "evaluating" -> c -> c.getEvaluationsList().stream().anyMatch(e -> !e.getJobId().isEmpty() && e.getStatus().equals("running"));
            case "training" -> c -> c.getCustomizationsList().stream().anyMatch(cu -> !cu.getJobId().isEmpty() && cu.getStatus().equals("running"));
            case "shutting-down" -> c -> c.getStatus().equals("shutting-down");
            default -> c -> false;
        };
        return switch (checkpoint) {
            case "datasets" -> job.getStage().equals("create_datasets");
            case "judge" -> job.getStage().equals("wait_for_llm_as_judge");
            default -> job.getCandidatesList().stream().anyMatch(any);
        };
    }
}
