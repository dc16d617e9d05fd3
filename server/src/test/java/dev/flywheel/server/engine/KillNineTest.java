package dev.flywheel.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.MediaType;
import dev.flywheel.api.v1.Job;
import dev.flywheel.clients.logs.SampleWorkload;
import dev.flywheel.clients.mongo.MongoStores;
import dev.flywheel.clients.nemo.NemoNames;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.devstack.FreePorts;
import dev.flywheel.emulator.NemoEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code kill -9} of a real server JVM (promises P2, P3, P5): the job is created over HTTP, the server is killed
 * at several checkpoints, a new server process on the same MongoDB, Redis and NeMo finishes the job — with no
 * duplicate NeMo resources and nothing left deployed (the emulator's ledger shows it) — and a cancel interrupted
 * by a kill still ends cancelled.
 */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KillNineTest {

    static final ObjectMapper JSON = new ObjectMapper();

    NemoEmulator emulator;
    MongoStores stores;
    Map<String, String> env;
    Path logs;
    String namespace;

    @BeforeAll
    void start(DevStack stack) throws Exception {
        emulator = NemoEmulator.builder().seed(9).timeScale(0.01).start();
        String id = UUID.randomUUID().toString().substring(0, 8);
        namespace = "kill" + id;
        String database = "kill_" + id;
        stores = MongoStores.open(stack.mongoUri(), database).join();
        try (RestClient es = RestClient.builder(HttpHost.create(stack.elasticsearchUrl())).build()) {
            SampleWorkload.load(es, "kill9-logs", "acme", "support", 300, 1_718_000_000_000L, Files.createTempDirectory("logs"));
        }
        logs = Files.createTempDirectory("kill9");
        Path jobConfig = logs.resolve("job-config.yaml");
        Files.writeString(jobConfig, """
                nims:
                  - model_name: "meta/llama-3.2-1b-instruct"
                    gpus: 1
                    customization_enabled: true
                    customizer_configs: {target: "meta/llama-3.2-1b-instruct@2.0", gpus: 1, max_seq_length: 4096, micro_batch_size: 1}
                  - model_name: "meta/llama-3.2-3b-instruct"
                    gpus: 1
                    customization_enabled: true
                    customizer_configs: {target: "meta/llama-3.2-3b-instruct@2.0", gpus: 1, max_seq_length: 4096, micro_batch_size: 1}
                data_split_config: {eval_size: 20, val_ratio: 0.1, min_total_records: 50, limit: 150, random_seed: 3}
                icl_config: {example_selection: "uniform_distribution"}
                """);
        env = Map.of("MONGODB_URL", stack.mongoUri(), "MONGODB_DB", database, "REDIS_URL", stack.redisUri(),
                "ELASTICSEARCH_URL", stack.elasticsearchUrl(), "ES_COLLECTION_NAME", "kill9-logs",
                "NEMO_BASE_URL", emulator.platformUrl(), "NIM_BASE_URL", emulator.nimUrl(),
                "DATASTORE_BASE_URL", emulator.datastoreUrl(), "NMP_NAMESPACE", namespace,
                "FLYWHEEL_JOB_CONFIG", jobConfig.toString());
    }

    @AfterAll
    void stop() {
        stores.close();
        emulator.close();
    }

    ServerProcess startServer(int port) throws Exception {
        java.util.HashMap<String, String> all = new java.util.HashMap<>(env);
        all.put("FLYWHEEL_PORT", Integer.toString(port));
        all.put("FLYWHEEL_DATA_DIR", "");
        all.put("FLYWHEEL_LOG_FORMAT", "text");
        return ServerProcess.start(all, List.of("-Dflywheel.engine.deployment-poll=100ms", "-Dflywheel.engine.evaluation-poll=100ms",
                "-Dflywheel.engine.customization-poll=100ms", "-Dflywheel.engine.model-sync-poll=100ms",
                "-Dflywheel.engine.admission-poll=100ms", "-Dflywheel.engine.reconcile-every=1s",
                "-Dflywheel.server.bind-address=127.0.0.1", "-Dflywheel.auth.enabled=false"), logs.resolve("server.log"));
    }

    @Test
    void killedAtEachCheckpointTheJobFinishesOnANewServerWithoutDuplicates() throws Exception {
        for (String checkpoint : List.of("create_datasets", "deploying", "evaluating", "training")) {
            int port = FreePorts.find();
            String jobId;
            try (ServerProcess first = startServer(port)) {
                jobId = createJob(port);
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(10)).until(() -> reached(job(jobId), checkpoint));
                first.kill9();
            }
            Job atCrash = job(jobId);
            assertThat(Jobs.isTerminal(atCrash)).as(checkpoint).isFalse();
            try (ServerProcess second = startServer(FreePorts.find())) {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> Jobs.isTerminal(job(jobId)));
            }
            Job done = job(jobId);
            assertThat(done.getStatus()).as("%s: %s", checkpoint, done.getError()).isEqualTo("completed");
            if (atCrash.getDatasetsCount() > 0) {
                assertThat(done.getDatasetsList()).isEqualTo(atCrash.getDatasetsList());
            }
            String tag = NemoNames.jobTag(jobId);
            var ledger = emulator.ledger();
            assertThat(ledger.duplicates().keySet()).as(checkpoint).noneMatch(k -> k.contains(tag));
            assertThat(ledger.entries()).filteredOn(e -> e.kind().equals("deployment") && e.key().contains(tag)).hasSize(2);
            assertThat(ledger.entries()).filteredOn(e -> e.kind().equals("customization_job") && e.key().contains(tag)).hasSize(2);
            assertThat(done.getCandidatesList().stream().flatMap(c -> c.getEvaluationsList().stream()).map(e -> e.getJobId()).toList())
                    .hasSize(6).doesNotHaveDuplicates();
            assertThat(ledger.live()).filteredOn(e -> e.kind().equals("deployment")).isEmpty();
        }
    }

    @Test
    void aCancelInterruptedByKill9StillEndsCancelled() throws Exception {
        int port = FreePorts.find();
        String jobId;
        try (ServerProcess first = startServer(port)) {
            jobId = createJob(port);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(10)).until(() -> reached(job(jobId), "deploying"));
            var response = WebClient.of("http://127.0.0.1:" + port).prepare().post("/v1/jobs/" + jobId + "/cancel")
                    .content(MediaType.JSON, "{}").execute().aggregate().join();
            assertThat(response.status().code()).isEqualTo(200);
            assertThat(JSON.readTree(response.contentUtf8()).path("status").asText()).isEqualTo("cancelling");
            first.kill9();
        }
        try (ServerProcess second = startServer(FreePorts.find())) {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> Jobs.isTerminal(job(jobId)));
        }
        Job done = job(jobId);
        assertThat(done.getStatus()).isEqualTo("cancelled");
        assertThat(done.getCandidatesList()).allSatisfy(c -> assertThat(c.getStatus()).isEqualTo("cancelled"));
        assertThat(emulator.ledger().live()).filteredOn(e -> e.kind().equals("deployment")).isEmpty();
    }

    String createJob(int port) throws Exception {
        var response = WebClient.of("http://127.0.0.1:" + port).prepare().post("/v1/jobs")
                .content(MediaType.JSON, "{\"client_id\":\"acme\",\"workload_id\":\"support\"}").execute().aggregate().join();
        JsonNode body = JSON.readTree(response.contentUtf8());
        assertThat(response.status().code()).as(response.contentUtf8()).isEqualTo(200);
        return body.path("id").asText();
    }

    Job job(String id) {
        return stores.jobs().get(id).join().orElseThrow();
    }

    static boolean reached(Job job, String checkpoint) {
        if (checkpoint.equals("create_datasets")) {
            return job.getStage().equals("create_datasets");
        }
        Predicate<dev.flywheel.api.v1.CandidateModel> at = switch (checkpoint) {
            case "deploying" -> c -> c.getStatus().equals("deploying");
            case "evaluating" -> c -> c.getEvaluationsList().stream().anyMatch(e -> !e.getJobId().isEmpty() && e.getStatus().equals("running"));
            default -> c -> c.getCustomizationsList().stream().anyMatch(cu -> !cu.getJobId().isEmpty() && cu.getStatus().equals("running"));
        };
        return job.getCandidatesList().stream().anyMatch(at);
    }
}
