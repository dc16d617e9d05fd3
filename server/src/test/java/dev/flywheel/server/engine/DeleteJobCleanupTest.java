package dev.flywheel.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.Dataset;
import dev.flywheel.api.v1.DeleteJobRequest;
import dev.flywheel.api.v1.DeleteJobResponse;
import dev.flywheel.api.v1.FlywheelServiceGrpc;
import dev.flywheel.api.v1.GetJobRequest;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.NmpConfig;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoType;
import dev.flywheel.clients.nemo.EntityTypes.DatasetRequest;
import dev.flywheel.clients.nemo.NemoClientSettings;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.clients.nemo.NemoEndpoints;
import dev.flywheel.clients.nemo.NemoNames;
import dev.flywheel.clients.nemo.StepRequests;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.emulator.NemoEmulator;
import dev.flywheel.emulator.state.Ledger;
import dev.flywheel.server.EngineOptions;
import dev.flywheel.server.EngineRuntime;
import dev.flywheel.server.FlywheelApp;
import dev.flywheel.server.Main;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DeleteJob on a server that runs the job engine, as wired in production ({@link FlywheelApp} with an
 * {@link EngineRuntime}): the job's NeMo resources go first and are listed in the answer, then its document; a job
 * that is finished but still says it holds a deployment is refused and keeps both. The job documents are stored
 * directly (as the engine leaves them) and their NeMo resources made through the clients, so no job has to run.
 */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeleteJobCleanupTest {

    NemoEmulator emulator;
    FlywheelApp app;
    Server server;
    FlywheelServiceGrpc.FlywheelServiceBlockingStub grpc;
    NemoClients nemo;
    JobConfig config;
    String ns;

    @BeforeAll
    void start(DevStack stack) {
        emulator = NemoEmulator.builder().seed(13).timeScale(0.01).start();
        String id = UUID.randomUUID().toString().substring(0, 8);
        ns = "del" + id;
        config = JobConfigs.builtInDefaults().toBuilder().setNmpConfig(NmpConfig.newBuilder()
                .setNemoBaseUrl(emulator.platformUrl()).setNimBaseUrl(emulator.nimUrl())
                .setDatastoreBaseUrl(emulator.datastoreUrl()).setNmpNamespace(ns)).build();
        app = FlywheelApp.open(stack.mongoUri(), "delete_" + id, config, (jobs, metrics) -> EngineRuntime.start(jobs,
                stack.redisUri(), stack::elasticsearchUrl, EngineOptions.defaults(), null, Optional.empty(), Map.of(), metrics));
        ServerBuilder sb = Server.builder().http(0);
        Main.configureServices(sb, app);
        server = sb.build();
        server.start().join();
        grpc = GrpcClients.newClient("http://127.0.0.1:" + server.activeLocalPort(),
                FlywheelServiceGrpc.FlywheelServiceBlockingStub.class);
        nemo = NemoClients.create(new NemoEndpoints(emulator.platformUrl(), emulator.nimUrl(), emulator.datastoreUrl(), ns),
                new SimpleMeterRegistry(), NemoClientSettings.defaults());
        nemo.entityStore().createNamespace(ns).join();
        nemo.dataStore().createNamespace(ns).join();
    }

    @AfterAll
    void stop() {
        server.stop().join();
        app.close();
        emulator.close();
    }

    @Test
    void deleteRemovesTheJobsNemoResourcesThenItsDocument() {
        String jobId = app.jobs().store().newId();
        String dataset = NemoNames.dataset(jobId, "eval", 1);
        nemo.dataStore().createRepo(ns, dataset, RepoType.DATASET).join();
        nemo.entityStore().createDataset(DatasetRequest.forRepo(ns, dataset, "eval data")).join();
        store(finishedJob(jobId).addDatasets(Dataset.newBuilder().setName(dataset).setKind("base-dataset")
                .setUri("hf://datasets/" + ns + "/" + dataset)));

        DeleteJobResponse response = grpc.deleteJob(DeleteJobRequest.newBuilder().setId(jobId).build());

        assertThat(response.getRemovedList()).containsExactly("Data Store repo " + ns + "/" + dataset,
                "dataset " + ns + "/" + dataset, "job document " + jobId);
        assertThat(response.getNotRemovedList()).isEmpty();
        assertThat(live("dataset")).doesNotContain(ns + "/" + dataset);
        assertThat(live("datastore_repo")).doesNotContain("dataset:" + ns + "/" + dataset);
        StatusRuntimeException gone = catchThrowableOfType(
                () -> grpc.getJob(GetJobRequest.newBuilder().setId(jobId).build()), StatusRuntimeException.class);
        assertThat(gone.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void aFinishedJobThatStillHoldsADeploymentIsNotDeleted() {
        String jobId = app.jobs().store().newId();
        String deployment = NemoNames.deployment(jobId, "nim", "meta/llama-3.2-1b-instruct", 1);
        nemo.deployments().createDeployment(StepRequests.candidateDeployment(ns, deployment, config.getNims(0))).join();
        store(finishedJob(jobId).addCandidates(CandidateModel.newBuilder().setModelName(config.getNims(0).getModelName())
                .setStatus("shutting-down").setDeploymentName(deployment)));

        StatusRuntimeException refused = catchThrowableOfType(
                () -> grpc.deleteJob(DeleteJobRequest.newBuilder().setId(jobId).build()), StatusRuntimeException.class);

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(refused.getStatus().getDescription()).contains("shutting-down", deployment);
        assertThat(grpc.getJob(GetJobRequest.newBuilder().setId(jobId).build()).getId()).isEqualTo(jobId);
        assertThat(live("deployment")).contains(ns + "/" + deployment);
    }

    private Job.Builder finishedJob(String id) {
        CreateJobRequest request = CreateJobRequest.newBuilder().setClientId("acme").setWorkloadId("delete").build();
        return Jobs.newJob(id, request, config, "", 0, UUID.randomUUID().toString(), Instant.now()).toBuilder()
                .setStatus("completed").setFinishedAt(Jobs.ts(Instant.now()));
    }

    private void store(Job.Builder job) {
        app.jobs().store().create(job.build(), "fp-" + job.getId()).join();
    }

    private List<String> live(String kind) {
        return emulator.ledger().live().stream().filter(e -> e.kind().equals(kind)).map(Ledger.Entry::key).toList();
    }
}
