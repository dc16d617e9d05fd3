package dev.flywheel.actors.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.Evaluation;
import dev.flywheel.api.v1.Job;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.emulator.NemoEmulator;
import dev.flywheel.emulator.state.Ledger;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The engine end to end: real MongoDB stand-in, Redis, Elasticsearch and the NeMo emulator over HTTP. */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobEngineTest {

    NemoEmulator emulator;
    EngineRig rig;

    @BeforeAll
    void start(DevStack stack) throws Exception {
        emulator = NemoEmulator.builder().seed(7).timeScale(0.002).start();
        rig = new EngineRig(stack, emulator, 8, EngineRig.fastSettings());
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
        emulator.close();
    }

    @Test
    void threeCandidatesRunToCompletionAndReleaseEverything() {
        Job job = rig.submit(rig.config(EngineRig.MODELS));
        Job done = awaitTerminal(job.getId(), Duration.ofSeconds(120));

        assertThat(done.getStatus()).as("%s", done.getError()).isEqualTo("completed");
        assertThat(done.getDatasetsCount()).isEqualTo(3);
        assertThat(done.getWorkloadType()).isEqualTo("tool_calling");
        assertThat(done.getCandidateSummary().getCompleted()).isEqualTo(3);
        for (CandidateModel c : done.getCandidatesList()) {
            assertThat(c.getStatus()).as(c.getModelName() + ": " + c.getError()).isEqualTo("completed");
            assertThat(c.getEvaluationsList()).extracting(Evaluation::getEvalType)
                    .containsExactlyInAnyOrder("base-eval", "icl-eval", "customized-eval");
            for (Evaluation e : c.getEvaluationsList()) {
                assertThat(e.getStatus()).as("%s %s: %s", c.getModelName(), e.getEvalType(), e.getError()).isEqualTo("completed");
                assertThat(e.getScoresMap()).containsKey("function_name_and_args_accuracy");
                assertThat(e.getJobId()).isNotEmpty();
            }
            assertThat(c.getCustomizations(0).getStatus()).isEqualTo("completed");
            assertThat(c.getCustomizations(0).getCustomizedModel()).contains(rig.namespace + "/");
            assertThat(c.getAdmission()).isEqualTo("released");
        }
        assertThat(done.getSharedDeploymentsList()).isEmpty();
        assertThat(done.getProgress()).isEqualTo(100);

        Ledger ledger = emulator.ledger();
        assertThat(ledger.live()).filteredOn(e -> e.kind().equals("deployment")).isEmpty();
        assertThat(ledger.duplicates()).isEmpty();
        assertThat(ledger.entries()).filteredOn(e -> e.kind().equals("evaluation_job")).hasSize(9);
        assertThat(ledger.entries()).filteredOn(e -> e.kind().equals("customization_job")).hasSize(3);
        assertThat(rig.admission.used().join()).isZero();
    }

    Job awaitTerminal(String id, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> Jobs.isTerminal(rig.get(id)));
        return rig.get(id);
    }
}
