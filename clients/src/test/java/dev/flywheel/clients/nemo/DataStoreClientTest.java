package dev.flywheel.clients.nemo;

import dev.flywheel.clients.nemo.DataStoreTypes.RepoFile;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoType;
import dev.flywheel.clients.nemo.DataStoreTypes.TreeEntry;
import dev.flywheel.emulator.NemoEmulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.flywheel.clients.nemo.EmulatorSupport.failure;
import static dev.flywheel.clients.nemo.EmulatorSupport.join;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link DataStoreClient} over HTTP against the emulator: NDS namespaces and the Hugging Face repo API. */
class DataStoreClientTest {

    static NemoEmulator emu;
    static NemoClients c;

    @BeforeAll
    static void start() {
        emu = EmulatorSupport.start();
        c = EmulatorSupport.clients(emu, EmulatorSupport.registry());
    }

    @AfterAll
    static void stop() {
        EmulatorSupport.stop(emu);
    }

    @Test
    void namespaceCreatedThenAdopted() {
        var first = join(c.dataStore().createNamespace("ds-ns"));
        assertThat(first.adopted()).isFalse();
        assertThat(first.value().namespace()).isEqualTo("ds-ns");
        assertThat(join(c.dataStore().createNamespace("ds-ns")).adopted()).isTrue(); // 409
        assertThat(join(c.dataStore().getNamespace("ds-ns")).createdAt()).endsWith("Z"); // answered with 201 (sic)
        assertThat(join(c.dataStore().deleteNamespace("ds-ns"))).isTrue();
        assertThat(join(c.dataStore().deleteNamespace("ds-ns"))).isFalse();
        assertThat(emu.ledger().duplicates()).isEmpty();
    }

    @Test
    void repoLifecycleLikeHuggingfaceHub() {
        join(c.dataStore().createNamespace(EmulatorSupport.NS));
        var created = join(c.dataStore().createRepo(EmulatorSupport.NS, "fw-abc-train-a1", RepoType.DATASET));
        assertThat(created.adopted()).isFalse();
        assertThat(created.value().filesUrl()).isEqualTo("hf://datasets/fwtest/fw-abc-train-a1");
        assertThat(join(c.dataStore().createRepo(EmulatorSupport.NS, "fw-abc-train-a1", RepoType.DATASET)).adopted()).isTrue();

        byte[] train = EmulatorSupport.trainingRows(20);
        byte[] val = EmulatorSupport.trainingRows(3);
        var commit = join(c.dataStore().uploadFiles(created.value(), "main", List.of(
                new RepoFile("training/train_data.jsonl", train), new RepoFile("validation/val_data.jsonl", val)),
                "Upload with huggingface_hub"));
        assertThat(commit.commitOid()).matches("[0-9a-f]{40}");
        // A second upload of one file, as upload_file does per file.
        join(c.dataStore().uploadFile(created.value(), "README.md", "hello".getBytes(StandardCharsets.UTF_8)));

        assertThat(join(c.dataStore().repoInfo(created.value(), "main")).id()).isEqualTo("fwtest/fw-abc-train-a1");
        assertThat(join(c.dataStore().listFiles(created.value(), "main")))
                .filteredOn(TreeEntry::isFile).extracting(TreeEntry::path)
                .contains("training/train_data.jsonl", "validation/val_data.jsonl", "README.md");
        assertThat(join(c.dataStore().downloadFile(created.value(), "main", "training/train_data.jsonl"))).isEqualTo(train);

        assertThat(join(c.dataStore().deleteRepo(EmulatorSupport.NS, "fw-abc-train-a1", RepoType.DATASET))).isTrue();
        assertThat(join(c.dataStore().deleteRepo(EmulatorSupport.NS, "fw-abc-train-a1", RepoType.DATASET))).isFalse();
        NemoException gone = failure(c.dataStore().listFiles(created.value(), "main"));
        assertThat(gone.isNotFound()).isTrue();
        assertThat(gone.service()).isEqualTo(NemoService.DATA_STORE);
        assertThat(emu.ledger().duplicates()).isEmpty();
    }
}
