package dev.flywheel.clients.nemo;

import dev.flywheel.clients.nemo.EntityTypes.DatasetRequest;
import dev.flywheel.emulator.NemoEmulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.flywheel.clients.nemo.EmulatorSupport.failure;
import static dev.flywheel.clients.nemo.EmulatorSupport.join;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link EntityStoreClient} over HTTP against the emulator. */
class EntityStoreClientTest {

    static NemoEmulator emu;
    static SimpleMeterRegistry registry = EmulatorSupport.registry();
    static NemoClients c;

    @BeforeAll
    static void start() {
        emu = EmulatorSupport.start();
        c = EmulatorSupport.clients(emu, registry);
    }

    @AfterAll
    static void stop() {
        EmulatorSupport.stop(emu);
    }

    @Test
    void namespaceIsCreatedOnceThenAdopted() {
        var first = join(c.entityStore().createNamespace("es-ns"));
        var second = join(c.entityStore().createNamespace("es-ns"));
        assertThat(first.adopted()).isFalse();
        assertThat(second.adopted()).isTrue();
        assertThat(second.value().id()).isEqualTo("es-ns");
        assertThat(join(c.entityStore().getNamespace("es-ns")).id()).isEqualTo("es-ns");
        assertThat(join(c.entityStore().listNamespaces(1, 100)).data()).anyMatch(n -> n.id().equals("es-ns"));
        assertThat(emu.ledger().duplicates()).isEmpty();
        assertThat(registry.find("nemo.client.adopted").tag("operation", "createNamespace").counter().count())
                .isEqualTo(1.0);
        assertThat(join(c.entityStore().deleteNamespace("es-ns"))).isTrue();
        assertThat(join(c.entityStore().deleteNamespace("es-ns"))).isFalse();
    }

    @Test
    void missingNamespaceIsATyped404() {
        NemoException e = failure(c.entityStore().getNamespace("does-not-exist"));
        assertThat(e.isNotFound()).isTrue();
        assertThat(e.service()).isEqualTo(NemoService.ENTITY_STORE);
        assertThat(e.operation()).isEqualTo("getNamespace");
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.bodyExcerpt()).contains("detail");
        assertThat(EmulatorSupport.requests(registry, "entity-store", "getNamespace", "not_found")).isEqualTo(1);
    }

    @Test
    void datasetUpsertCreatesThenPatches() {
        join(c.entityStore().createNamespace(EmulatorSupport.NS));
        DatasetRequest req = DatasetRequest.forRepo(EmulatorSupport.NS, "fw-abc-eval-a1", "first");
        var created = join(c.entityStore().upsertDataset(req));
        assertThat(created.adopted()).isFalse();
        assertThat(created.value().filesUrl()).isEqualTo("hf://datasets/fwtest/fw-abc-eval-a1");
        assertThat(created.value().id()).startsWith("dataset-");

        var again = join(c.entityStore().upsertDataset(DatasetRequest.forRepo(EmulatorSupport.NS, "fw-abc-eval-a1", "second")));
        assertThat(again.adopted()).isTrue();
        assertThat(again.value().description()).isEqualTo("second");
        assertThat(again.value().id()).isEqualTo(created.value().id());

        assertThat(join(c.entityStore().listDatasets(EmulatorSupport.NS, 1, 10)).data())
                .extracting(EntityTypes.Dataset::name).contains("fw-abc-eval-a1");
        assertThat(join(c.entityStore().deleteDataset(EmulatorSupport.NS, "fw-abc-eval-a1"))).isTrue();
        assertThat(join(c.entityStore().findDataset(EmulatorSupport.NS, "fw-abc-eval-a1"))).isEmpty();
        assertThat(join(c.entityStore().deleteDataset(EmulatorSupport.NS, "fw-abc-eval-a1"))).isFalse();
    }

    @Test
    void duplicateDatasetPostIsATypedConflict() {
        join(c.entityStore().createNamespace(EmulatorSupport.NS));
        DatasetRequest req = DatasetRequest.forRepo(EmulatorSupport.NS, "fw-dup-train-a1", "");
        join(c.entityStore().createDataset(req));
        NemoException e = failure(c.entityStore().createDataset(req));
        assertThat(e.isConflict()).isTrue();
        assertThat(e.isAlreadyExists()).isTrue();
        assertThat(e.operation()).isEqualTo("createDataset");
    }

    @Test
    void unknownModelIsEmpty() {
        assertThat(join(c.entityStore().findModel("fwtest/nothing@cust-x"))).isEmpty();
    }
}
