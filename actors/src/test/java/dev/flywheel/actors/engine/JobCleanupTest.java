package dev.flywheel.actors.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.Customization;
import dev.flywheel.api.v1.Dataset;
import dev.flywheel.api.v1.Evaluation;
import dev.flywheel.api.v1.Job;
import dev.flywheel.clients.nemo.NemoNames;
import dev.flywheel.core.engine.ResourceCleaner.CleanupReport;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.emulator.NemoEmulator;
import dev.flywheel.emulator.faults.FaultRule;
import dev.flywheel.emulator.state.Ledger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link JobCleanup} on a job that really ran (engine, MongoDB, Redis, Elasticsearch, NeMo emulator over HTTP): the
 * emulator's ledger proves the job's evaluation jobs, datasets (Data Store repos and Entity Store entries) and
 * customized models are deleted, a failure of one delete is reported without stopping the others, and a second run
 * removes what the first could not and finds the rest already gone.
 */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobCleanupTest {

    NemoEmulator emulator;
    EngineRig rig;

    @BeforeAll
    void start(DevStack stack) throws Exception {
        emulator = NemoEmulator.builder().seed(11).timeScale(0.002).start();
        rig = new EngineRig(stack, emulator, 8, EngineRig.fastSettings());
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
        emulator.close();
    }

    @Test
    void deletesWhatAFinishedJobCreatedAndASecondRunFinishesTheJob() {
        Job job = rig.submit(rig.config(EngineRig.MODELS.subList(0, 2)));
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> Jobs.isTerminal(rig.get(job.getId())));
        Job done = rig.get(job.getId());
        assertThat(done.getStatus()).as("%s", done.getError()).isEqualTo("completed");
        String ns = rig.namespace;
        String tag = NemoNames.jobTag(done.getId());
        List<String> evalJobs = done.getCandidatesList().stream().flatMap(c -> c.getEvaluationsList().stream())
                .map(Evaluation::getJobId).toList();
        List<String> models = done.getCandidatesList().stream().flatMap(c -> c.getCustomizationsList().stream())
                .map(Customization::getCustomizedModel).toList();
        List<String> datasets = done.getDatasetsList().stream().map(Dataset::getName).toList();
        assertThat(evalJobs).hasSize(6).doesNotContain("");
        assertThat(models).hasSize(2).allMatch(m -> m.startsWith(ns + "/fw-" + tag + "-cust-"));
        assertThat(datasets).hasSize(3);
        // Before: all of it is live in NeMo.
        assertThat(live("evaluation_job")).containsAll(evalJobs);
        assertThat(live("model")).containsAll(models);

        // One Entity Store dataset delete fails: reported, the rest still goes.
        String failing = datasets.get(0);
        emulator.faults().add(FaultRule.error("DELETE", "/v1/datasets/" + ns + "/" + failing, 500));
        CleanupReport first;
        try {
            first = new JobCleanup(rig.context.nemo()).deleteJobResources(done).join();
        } finally {
            emulator.faults().clear();
        }

        assertThat(live("evaluation_job")).doesNotContainAnyElementsOf(evalJobs);
        assertThat(live("model")).doesNotContainAnyElementsOf(models);
        for (String d : datasets) {
            assertThat(live("datastore_repo")).doesNotContain("dataset:" + ns + "/" + d);
        }
        assertThat(live("dataset")).containsExactly(ns + "/" + failing);
        for (String e : evalJobs) {
            assertThat(first.removed()).contains("evaluation job " + e);
        }
        for (String m : models) {
            assertThat(first.removed()).contains("model " + m);
        }
        assertThat(first.removed()).contains("Data Store repo " + ns + "/" + failing, "dataset " + ns + "/" + datasets.get(1));
        // The candidates' shutdown already removed their deployments and configs.
        for (CandidateModel c : done.getCandidatesList()) {
            assertThat(first.removed()).contains("deployment " + ns + "/" + c.getDeploymentName() + ": already gone",
                    "customization config " + ns + "/" + c.getCustomizations(0).getConfigName() + ": already gone");
        }
        assertThat(first.notRemoved()).anyMatch(l -> l.startsWith("dataset " + ns + "/" + failing + ": ") && l.contains("HTTP 500"));
        assertThat(first.notRemoved()).filteredOn(l -> l.startsWith("customization job ")).hasSize(2);
        assertThat(first.notRemoved()).hasSize(3);
        // Shared deployments are never ours to delete, and nothing of this job is deployed.
        assertThat(first.removed()).noneMatch(l -> l.contains("fw-shared-"));

        CleanupReport second = new JobCleanup(rig.context.nemo()).deleteJobResources(done).join();
        assertThat(second.removed()).contains("dataset " + ns + "/" + failing);
        assertThat(second.removed()).filteredOn(l -> !l.equals("dataset " + ns + "/" + failing))
                .hasSize(first.removed().size()).allMatch(l -> l.endsWith(": already gone"));
        assertThat(second.notRemoved()).hasSize(2).allMatch(l -> l.startsWith("customization job ") && l.contains("no delete"));
        // Nothing named for this job is left in NeMo but the finished customization jobs' records.
        assertThat(emulator.ledger().live()).filteredOn(e -> e.key().contains("fw-" + tag + "-"))
                .extracting(Ledger.Entry::kind).containsOnly("customization_job");
    }

    private List<String> live(String kind) {
        return emulator.ledger().live().stream().filter(e -> e.kind().equals(kind)).map(Ledger.Entry::key).toList();
    }
}
