package dev.flywheel.clients.nemo;

import dev.flywheel.clients.nemo.CustomizationTypes.CreateConfig;
import dev.flywheel.clients.nemo.CustomizationTypes.CreateJob;
import dev.flywheel.clients.nemo.CustomizationTypes.DatasetRef;
import dev.flywheel.clients.nemo.CustomizationTypes.Hyperparameters;
import dev.flywheel.clients.nemo.CustomizationTypes.LoraParameters;
import dev.flywheel.clients.nemo.CustomizationTypes.TrainingOption;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoFile;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoRef;
import dev.flywheel.clients.nemo.EntityTypes.DatasetRequest;
import dev.flywheel.emulator.NemoEmulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.flywheel.clients.nemo.EmulatorSupport.BASE_MODEL;
import static dev.flywheel.clients.nemo.EmulatorSupport.NS;
import static dev.flywheel.clients.nemo.EmulatorSupport.failure;
import static dev.flywheel.clients.nemo.EmulatorSupport.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link CustomizerClient} over HTTP against the emulator. */
class CustomizerClientTest {

    static final String JOB = "665f1c2e9b1e8a3d4c5b6a81";
    static NemoEmulator emu;
    static NemoClients c;
    static RepoRef repo;

    @BeforeAll
    static void start() {
        emu = EmulatorSupport.start();
        c = EmulatorSupport.clients(emu, EmulatorSupport.registry());
        repo = EmulatorSupport.datasetRepo(c, NemoNames.dataset(JOB, "train", 1), List.of(
                new RepoFile("training/train_data.jsonl", EmulatorSupport.trainingRows(40)),
                new RepoFile("validation/val_data.jsonl", EmulatorSupport.trainingRows(5))));
        join(c.entityStore().upsertDataset(DatasetRequest.forRepo(NS, repo.name(), "")));
    }

    @AfterAll
    static void stop() {
        EmulatorSupport.stop(emu);
    }

    static CreateConfig config(int attempt) {
        return new CreateConfig(NemoNames.customizationConfig(JOB, BASE_MODEL, attempt), NS,
                "meta/llama-3.2-1b-instruct@2.0",
                List.of(new TrainingOption("sft", "lora", 1, 1, 1, null, 1, false, 1)), "bf16-mixed", 8192, null);
    }

    @Test
    void configCreatedThenAdoptedAndReadByNameWithAtAndPlus() {
        CreateConfig cfg = config(1);
        assertThat(cfg.name()).contains("@v1.0.0+a1");
        var first = join(c.customizer().createConfig(cfg));
        assertThat(first.adopted()).isFalse();
        var second = join(c.customizer().createConfig(cfg)); // 409 → adopted
        assertThat(second.adopted()).isTrue();
        assertThat(second.value().name()).isEqualTo(cfg.name());
        assertThat(join(c.customizer().getConfig(NS, cfg.name())).maxSeqLength()).isEqualTo(8192);
        assertThat(join(c.customizer().deleteConfig(NS, cfg.name()))).isTrue();
        assertThat(join(c.customizer().deleteConfig(NS, cfg.name()))).isFalse();
        assertThat(failure(c.customizer().getConfig(NS, cfg.name())).isNotFound()).isTrue();
    }

    @Test
    void jobIsCreatedOnceRunsAndIsCancelledAtTheRightPath() {
        CreateConfig cfg = config(2);
        join(c.customizer().createConfig(cfg));
        String name = NemoNames.resource(JOB, "cust", BASE_MODEL, 1);
        String output = NemoNames.outputModel(NS, JOB, BASE_MODEL, 1);
        CreateJob req = new CreateJob(name, output, cfg.ref(), new DatasetRef(repo.name(), NS),
                new Hyperparameters("sft", "lora", 2, 8, 0.0001, new LoraParameters(32, 0.1, null)), null);

        var created = join(c.customizer().createOrAdoptJob(req));
        assertThat(created.adopted()).isFalse();
        String id = created.value().id();
        assertThat(id).startsWith("cust-");
        assertThat(created.value().outputModel()).isEqualTo(output + "@" + id);

        var again = join(c.customizer().createOrAdoptJob(req));
        assertThat(again.adopted()).isTrue();
        assertThat(again.value().id()).isEqualTo(id);
        assertThat(emu.ledger().duplicates()).isEmpty();

        // The LoRA model entity appears under "<name>@<job id>", read with '@' raw in the path.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> join(c.entityStore().findModel(created.value().outputModel())).isPresent());
        var model = join(c.entityStore().getModel(created.value().outputModel()));
        assertThat(model.baseModel()).isEqualTo(BASE_MODEL);
        assertThat(model.peft().finetuningType()).isEqualTo("lora");
        assertThat(join(c.entityStore().listModels(NS, 1, 100)).data()).extracting(EntityTypes.Model::ref)
                .contains(created.value().outputModel());

        var status = join(c.customizer().getJobStatus(id));
        assertThat(status.statusValue()).isIn(NemoStatus.CREATED, NemoStatus.PENDING, NemoStatus.RUNNING, NemoStatus.COMPLETED);
        assertThat(status.statusLogs()).isNotEmpty();

        var cancelled = join(c.customizer().cancelJob(id));
        assertThat(cancelled.id()).isEqualTo(id);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() ->
                join(c.customizer().getJob(id)).phase().isTerminal());
        assertThat(join(c.customizer().getJob(id)).phase()).isIn(NemoStatus.Phase.CANCELLED, NemoStatus.Phase.SUCCEEDED);

        assertThat(join(c.entityStore().deleteModel(created.value().outputModel()))).isTrue();
        assertThat(join(c.entityStore().deleteModel(created.value().outputModel()))).isFalse();
    }

    @Test
    void trainingRunsToCompletion() {
        CreateConfig cfg = config(3);
        join(c.customizer().createConfig(cfg));
        CreateJob req = new CreateJob(NemoNames.resource(JOB, "cust", BASE_MODEL, 3), NemoNames.outputModel(NS, JOB,
                BASE_MODEL, 3), cfg.ref(), new DatasetRef(repo.name(), NS),
                new Hyperparameters("sft", "lora", 1, 8, 0.0001, new LoraParameters(16, 0.1, null)), null);
        String id = join(c.customizer().createJob(req)).id();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                join(c.customizer().getJobStatus(id)).statusValue().forJob().isTerminal());
        var status = join(c.customizer().getJobStatus(id));
        assertThat(status.statusValue()).as("%s", status.failureMessage()).isEqualTo(NemoStatus.COMPLETED);
        assertThat(status.percentageDone()).isEqualTo(100.0);
        assertThat(status.epochsCompleted()).isEqualTo(1);
        assertThat(status.stepsCompleted()).isPositive();
    }

    @Test
    void unknownJobIsATyped404() {
        NemoException e = failure(c.customizer().getJobStatus("cust-doesnotexist"));
        assertThat(e.isNotFound()).isTrue();
        assertThat(e.service()).isEqualTo(NemoService.CUSTOMIZER);
        assertThat(failure(c.customizer().cancelJob("cust-doesnotexist")).isNotFound()).isTrue();
    }
}
