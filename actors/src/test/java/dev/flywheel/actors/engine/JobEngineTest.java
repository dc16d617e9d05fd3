package dev.flywheel.actors.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.Evaluation;
import dev.flywheel.api.v1.Job;
import dev.flywheel.clients.nemo.NemoNames;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.emulator.faults.FaultPlan;
import dev.flywheel.emulator.faults.FaultRule;
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
        long evalJobsBefore = ledgerCount("evaluation_job");
        long custJobsBefore = ledgerCount("customization_job");
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
        // Exactly one of everything this job created (shared deployments may be re-created by later jobs).
        String tag = NemoNames.jobTag(job.getId());
        assertThat(ledger.duplicates().keySet()).noneMatch(k -> k.contains(tag));
        assertThat(ledgerCount("evaluation_job") - evalJobsBefore).isEqualTo(9);
        assertThat(ledgerCount("customization_job") - custJobsBefore).isEqualTo(3);
        assertThat(ledger.entries()).filteredOn(e -> e.kind().equals("deployment") && e.key().contains(tag)).hasSize(3);
        assertThat(rig.admission.used().join()).isZero();
        // The candidates ran side by side, not one after another as in the reference.
        long lastStart = done.getCandidatesList().stream().mapToLong(c -> c.getStartedAt().getSeconds() * 1000
                + c.getStartedAt().getNanos() / 1_000_000).max().orElseThrow();
        long firstEnd = done.getCandidatesList().stream().mapToLong(c -> c.getFinishedAt().getSeconds() * 1000
                + c.getFinishedAt().getNanos() / 1_000_000).min().orElseThrow();
        assertThat(lastStart).isLessThan(firstEnd);
    }

    @Test
    void aFailingCandidateFailsAloneAndTheJobSaysSo() {
        String id = rig.stores.jobs().newId();
        String failing = EngineRig.MODELS.get(2);
        String deployment = NemoNames.deployment(id, "nim", failing, 1);
        emulator.faults().add(FaultRule.error("GET", "/v1/deployment/model-deployments/" + rig.namespace + "/" + deployment, 500));
        try {
            Job done = awaitTerminal(rig.submit(rig.config(EngineRig.MODELS), id).getId(), Duration.ofSeconds(120));
            assertThat(done.getStatus()).isEqualTo("completed");
            assertThat(done.getCandidateSummary().getCompleted()).isEqualTo(2);
            assertThat(done.getCandidateSummary().getFailed()).isEqualTo(1);
            CandidateModel bad = done.getCandidatesList().stream().filter(c -> c.getModelName().equals(failing)).findFirst().orElseThrow();
            assertThat(bad.getStatus()).isEqualTo("failed");
            assertThat(bad.getError()).contains("deployment failed");
            assertThat(bad.getEvaluationsList()).isEmpty();
            // Its deployment was deleted all the same: no GPU leaks.
            assertThat(emulator.ledger().live()).filteredOn(e -> e.kind().equals("deployment")).isEmpty();
            assertThat(done.getTimelineList()).extracting(t -> t.getMessage()).anyMatch(m -> m.contains("1 failed"));
        } finally {
            emulator.faults().clear();
        }
    }

    @Test
    void whenEveryCandidateFailsTheJobFails() {
        emulator.faults().set(FaultPlan.none().withEvaluationFailAt(10).withCustomizationFailAt(10));
        try {
            Job done = awaitTerminal(rig.submit(rig.config(EngineRig.MODELS.subList(0, 2))).getId(), Duration.ofSeconds(120));
            assertThat(done.getStatus()).isEqualTo("failed");
            assertThat(done.getError().getCode()).isEqualTo("ALL_CANDIDATES_FAILED");
            assertThat(done.getCandidateSummary().getFailed()).isEqualTo(2);
            for (CandidateModel c : done.getCandidatesList()) {
                assertThat(c.getEvaluationsList()).extracting(Evaluation::getStatus).containsOnly("failed", "skipped");
                assertThat(c.getCustomizations(0).getStatus()).isEqualTo("failed");
            }
            assertThat(emulator.ledger().live()).filteredOn(e -> e.kind().equals("deployment")).isEmpty();
        } finally {
            emulator.faults().clear();
        }
    }

    @Test
    void cancelWhileTrainingStopsEverythingAndReleasesTheGpus() {
        // Training that waits for resources, so the cancel surely finds it running in NeMo.
        emulator.faults().set(FaultPlan.none().withCustomizationStuckPending(true));
        try {
            cancelWhileTraining();
        } finally {
            emulator.faults().clear();
        }
    }

    private void cancelWhileTraining() {
        Job job = rig.submit(rig.config(EngineRig.MODELS.subList(0, 2)));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> rig.get(job.getId())
                .getCandidatesList().stream().anyMatch(c -> c.getCustomizationsCount() > 0
                        && !c.getCustomizations(0).getJobId().isEmpty() && c.getCustomizations(0).getStatus().equals("running")));
        Job cancelling = rig.cancel(job.getId());
        assertThat(cancelling.getStatus()).isEqualTo("cancelling");

        Job done = awaitTerminal(job.getId(), Duration.ofSeconds(60));
        assertThat(done.getStatus()).isEqualTo("cancelled");
        assertThat(done.getError().getCode()).isEqualTo("CANCELLED");
        assertThat(done.getCandidateSummary().getCancelled()).isEqualTo(2);
        for (CandidateModel c : done.getCandidatesList()) {
            assertThat(c.getStatus()).isEqualTo("cancelled");
            assertThat(c.getAdmission()).isIn("released", "");
            c.getCustomizationsList().forEach(cu -> assertThat(cu.getStatus()).isIn("cancelled", "completed", "failed"));
        }
        // The training jobs were cancelled in NeMo, the deployments deleted, the GPUs given back.
        String cust = done.getCandidatesList().stream().flatMap(c -> c.getCustomizationsList().stream())
                .filter(cu -> cu.getStatus().equals("cancelled")).map(cu -> cu.getJobId()).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rig.nemo.get(emulator.platformUrl(), emulator.nimUrl(),
                emulator.datastoreUrl(), rig.namespace).customizer().getJob(cust).join().status()).isEqualTo("cancelled"));
        assertThat(emulator.ledger().live()).filteredOn(e -> e.kind().equals("deployment")).isEmpty();
        assertThat(rig.admission.used().join()).isZero();
    }

    @Test
    void aHangingTrainingFailsAtItsStallTimeoutAndTheCandidateIsStillCleanedUp(DevStack stack) throws Exception {
        // Training that never starts (no GPUs in NeMo) and a stall timeout of 2 s instead of an hour.
        emulator.faults().set(FaultPlan.none().withCustomizationStuckPending(true));
        var settings = EngineRig.fastSettings().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(60));
        try (EngineRig impatient = new EngineRig(stack, emulator, 8, settings)) {
            Job job = impatient.submit(impatient.config(EngineRig.MODELS.subList(0, 1)));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> Jobs.isTerminal(impatient.get(job.getId())));
            Job done = impatient.get(job.getId());
            assertThat(done.getStatus()).isEqualTo("completed"); // base and ICL scores are still worth having
            CandidateModel c = done.getCandidates(0);
            assertThat(c.getCustomizations(0).getStatus()).isEqualTo("failed");
            assertThat(c.getCustomizations(0).getError()).contains("stalled");
            // ... and it was cancelled in NeMo, not left waiting for GPUs.
            String custJob = c.getCustomizations(0).getJobId();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(impatient.nemo.get(emulator.platformUrl(),
                    emulator.nimUrl(), emulator.datastoreUrl(), impatient.namespace).customizer().getJob(custJob).join().status())
                    .isEqualTo("cancelled"));
            assertThat(c.getEvaluationsList()).filteredOn(e -> e.getEvalType().equals("customized-eval"))
                    .extracting(Evaluation::getStatus).containsExactly("skipped");
            assertThat(c.getEvaluationsList()).filteredOn(e -> !e.getEvalType().equals("customized-eval"))
                    .extracting(Evaluation::getStatus).containsOnly("completed");
            assertThat(emulator.ledger().live()).filteredOn(e -> e.kind().equals("deployment")).isEmpty();
        } finally {
            emulator.faults().clear();
        }
    }

    @Test
    void theSharedJudgeIsNotTornDownUnderAnotherJob(DevStack stack) throws Exception {
        // Job A is quick (no training); job B's training hangs until its 3 s stall timeout, so B outlives A.
        emulator.faults().set(FaultPlan.none().withCustomizationStuckPending(true));
        var settings = EngineRig.fastSettings().withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(60));
        try (EngineRig two = new EngineRig(stack, emulator, 8, settings)) {
            var quick = two.config(EngineRig.MODELS.subList(0, 1));
            quick = quick.toBuilder().setNims(0, quick.getNims(0).toBuilder().setCustomizationEnabled(false)).build();
            Job b = two.submit(two.config(EngineRig.MODELS.subList(1, 2)));
            Job a = two.submit(quick);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(() -> Jobs.isTerminal(two.get(a.getId())));
            Job bWhenADone = two.get(b.getId());
            assertThat(two.get(a.getId()).getStatus()).isEqualTo("completed");
            assertThat(Jobs.isTerminal(bWhenADone)).as("B still runs").isFalse();
            String judge = JobEntity.sharedName("judge", two.config(EngineRig.MODELS).getLlmJudgeConfig().getModelName());
            assertThat(emulator.ledger().live()).filteredOn(e -> e.kind().equals("deployment") && e.key().endsWith("/" + judge))
                    .as("the judge B uses is still deployed").hasSize(1);

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> Jobs.isTerminal(two.get(b.getId())));
            assertThat(two.get(b.getId()).getStatus()).isEqualTo("completed");
            assertThat(emulator.ledger().live()).filteredOn(e -> e.kind().equals("deployment")).isEmpty();
            assertThat(two.shared.users().join()).allSatisfy((name, users) -> assertThat(users).isEmpty());
        } finally {
            emulator.faults().clear();
        }
    }

    @Test
    void cancelDuringTheDatasetStageEndsCancelledWithoutDeployingCandidates() {
        Job job = rig.submit(rig.config(EngineRig.MODELS.subList(0, 1)));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> !rig.get(job.getId()).getStatus().equals("pending"));
        rig.cancel(job.getId());
        Job done = awaitTerminal(job.getId(), Duration.ofSeconds(60));
        assertThat(done.getStatus()).isEqualTo("cancelled");
        assertThat(done.getCandidatesList()).allSatisfy(c -> {
            assertThat(c.getStatus()).isEqualTo("cancelled");
            assertThat(c.getDeploymentName()).isEmpty();
        });
        assertThat(done.getSharedDeploymentsList()).isEmpty();
        assertThat(emulator.ledger().live()).filteredOn(e -> e.kind().equals("deployment")).isEmpty();
    }

    long ledgerCount(String kind) {
        return emulator.ledger().entries().stream().filter(e -> e.kind().equals(kind)).count();
    }

    Job awaitTerminal(String id, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> Jobs.isTerminal(rig.get(id)));
        return rig.get(id);
    }
}
