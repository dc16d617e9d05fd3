package dev.flywheel.actors.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flywheel.api.v1.Job;
import dev.flywheel.clients.nemo.NemoNames;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.emulator.NemoEmulator;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cancel at every stage (promise P5): the job becomes cancelling at once and ends cancelled, every candidate
 * cancelled, nothing of the job left deployed, no GPU held — whether the cancel arrives while the datasets are
 * built, the judge comes up, a candidate deploys, evaluates, trains or shuts down.
 */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CancelTest {

    NemoEmulator emulator;
    EngineRig rig;

    @BeforeAll
    void start(DevStack stack) throws Exception {
        emulator = NemoEmulator.builder().seed(3).timeScale(0.004).start();
        rig = new EngineRig(stack, emulator, 8, EngineRig.fastSettings());
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
        emulator.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"datasets", "judge", "deploying", "evaluating", "training"})
    void aCancelAtAnyStageEndsCancelledWithNothingLeftBehind(String stage) {
        Job job = rig.submit(rig.config(EngineRig.MODELS.subList(0, 2)));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> ResumeTest.reached(rig.get(job.getId()), stage));
        Job cancelling = rig.cancel(job.getId());
        assertThat(cancelling.getStatus()).as("a running job is cancelling at once").isEqualTo("cancelling");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> Jobs.isTerminal(rig.get(job.getId())));
        Job done = rig.get(job.getId());
        assertThat(done.getStatus()).isEqualTo("cancelled");
        assertThat(done.getCandidatesList()).allSatisfy(c -> assertThat(c.getStatus()).isEqualTo("cancelled"));
        assertThat(done.getSharedDeploymentsList()).isEmpty();
        String tag = NemoNames.jobTag(job.getId());
        assertThat(emulator.ledger().live()).filteredOn(e -> e.kind().equals("deployment") && e.key().contains(tag)).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> rig.admission.used().join() == 0);
    }
}
