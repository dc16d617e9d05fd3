package dev.flywheel.clients.datasets;

import static dev.flywheel.clients.datasets.DatasetPipelineTest.await;
import static dev.flywheel.clients.datasets.DatasetPipelineTest.workDirs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.ClientFactory;
import dev.flywheel.api.v1.EmbeddingConfig;
import dev.flywheel.api.v1.IclConfig;
import dev.flywheel.api.v1.SimilarityConfig;
import dev.flywheel.clients.logs.EsHttp;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoRef;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoType;
import dev.flywheel.clients.nemo.DeploymentTypes.CreateDeployment;
import dev.flywheel.clients.nemo.DeploymentTypes.DeploymentConfig;
import dev.flywheel.clients.nemo.DeploymentTypes.NimDeployment;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.clients.nemo.NemoException;
import dev.flywheel.clients.nemo.NemoNames;
import dev.flywheel.core.dataset.DatasetManifest;
import dev.flywheel.core.dataset.DatasetManifest.IclAssignment;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.emulator.NemoEmulator;
import dev.flywheel.emulator.faults.FaultRule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.StreamSupport;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code semantic_similarity} through the whole pipeline: embeddings from the emulator's NIM proxy (an
 * {@code embedqa} model deployed through DMS, which insists on {@code input_type}), kNN on the devstack's
 * Elasticsearch. The workload's user messages are each about one of five topics, answered by that topic's tool, so
 * the chosen examples can be checked against the truth.
 */
@ExtendWith(DevStackExtension.class)
class SemanticSimilarityIclTest {

    private static final String WORKLOAD = "wl-semantic";
    private static final String EMBEDDER = "nvidia/llama-3.2-nv-embedqa-1b-v2";
    private static final int N = 3_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RestClient es;
    private static String index;
    private static NemoEmulator emu;
    private static ClientFactory factory;
    private static NemoClients nemo;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void setUp(DevStack stack) {
        es = EsHttp.client(stack.elasticsearchUrl());
        index = "semantic-test-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
        assertThat(SupportWorkload.load(es, index, WORKLOAD, N, tmp).indexed()).isEqualTo(N);
        emu = NemoEmulator.builder().seed(42).timeScale(0.002).start();
        factory = ClientFactory.builder().build();
        nemo = SupportWorkload.clients(emu, factory);
        try {
            DatasetPipelineTest.await(nemo.deployments().createDeployment(new CreateDeployment("fw-test-embedder",
                    SupportWorkload.NS, new DeploymentConfig(EMBEDDER, new NimDeployment("nvcr.io/nim/" + EMBEDDER,
                    "1.9.0", "25Gi", 1, Map.of(), true)), null)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> nemo.nimProxy().hasModel(EMBEDDER).join());
    }

    @AfterEach
    void clearFaults() {
        emu.faults().clear();
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (factory != null) {
            factory.close();
        }
        if (emu != null) {
            emu.close();
        }
        if (es != null) {
            es.close();
        }
    }

    private static IclConfig semantic() {
        return IclConfig.newBuilder().setExampleSelection("semantic_similarity").setMaxExamples(3)
                .setSimilarityConfig(SimilarityConfig.newBuilder().setRelevanceRatio(0.7)
                        .setEmbeddingNimConfig(EmbeddingConfig.newBuilder().setDeploymentType("local")
                                .setModelName(EMBEDDER)))
                .build();
    }

    /**
     * Every evaluation record gets three examples of its own topic. As in the reference, coverage only draws from
     * the {@code k = 5 x max_examples} nearest hits; with topics this well separated those all share the record's
     * tool, so relevance and coverage agree (the mix itself is checked in {@link SemanticSelectionTest}). The
     * temporary index is gone afterwards.
     */
    @Test
    void examplesAreTheMostSimilarRecords(@TempDir Path work) throws Exception {
        DatasetPipeline pipeline = DatasetPipeline.builder(es, index, nemo).workRoot(work).build();
        DatasetJob job = DatasetJob.of("job-semantic", SupportWorkload.CLIENT, WORKLOAD,
                SupportWorkload.config(semantic()), 99L);

        DatasetOutcome outcome = await(pipeline.run(job));

        DatasetManifest.IclSummary icl = outcome.manifest().iclSelection();
        assertThat(icl.requestedSelection()).isEqualTo("semantic_similarity");
        assertThat(icl.selection()).isEqualTo("semantic_similarity");
        assertThat(outcome.manifest().warnings()).noneMatch(w -> w.contains("example_selection"));
        assertThat(icl.poolSize()).isEqualTo(810);
        assertThat(icl.assignments()).hasSize(100);
        int sameTopic = 0;
        Set<Long> distinctExamples = new HashSet<>();
        for (IclAssignment a : icl.assignments()) {
            assertThat(a.exampleRecordIds()).hasSize(3);
            int topic = topicOfRecord(a.recordId());
            sameTopic += a.exampleRecordIds().stream().allMatch(id -> topicOfRecord(id) == topic) ? 1 : 0;
            distinctExamples.addAll(a.exampleRecordIds());
        }
        // embeddings and kNN are approximate: demand a large majority, not all
        assertThat(sameTopic).as("eval lines whose examples all share their topic").isGreaterThan(90);
        // per-record choice, unlike uniform_distribution's one example set for every record
        assertThat(distinctExamples).hasSizeGreaterThan(50);
        assertThat(knnIndices(job.jobId())).isEmpty();
        assertThat(workDirs(work)).isEmpty();
        // the ICL file carries the examples, the plain eval file does not
        byte[] iclFile = DatasetPipelineTest.await(nemo.dataStore().downloadFile(
                new RepoRef(SupportWorkload.NS, outcome.dataset("icl").name(), RepoType.DATASET),
                "main", "eval_data.jsonl"));
        assertThat(new String(iclFile, StandardCharsets.UTF_8)).contains("Then you'll respond with");
    }

    /**
     * An embedding failure after the kNN index was made (the endpoint starts refusing, with a non-retryable 400,
     * as soon as the index exists) fails the step with the platform's error, drops the index, publishes nothing and leaves no work
     * files behind.
     */
    @Test
    void aFailureMidwayStillDropsTheIndex(@TempDir Path work) throws Exception {
        // slow embeddings down so that the step is surely still matching when the fault is switched on
        emu.faults().add(FaultRule.latency("POST", "/v1/embeddings", 40).onHost("nim"));
        DatasetPipeline pipeline = DatasetPipeline.builder(es, index, nemo).workRoot(work).build();
        DatasetJob job = DatasetJob.of("job-semantic-fails", SupportWorkload.CLIENT, WORKLOAD,
                SupportWorkload.config(semantic()), 5L);

        CompletableFuture<DatasetOutcome> run = pipeline.run(job);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> !knnIndices(job.jobId()).isEmpty() || run.isDone());
        emu.faults().add(FaultRule.error("POST", "/v1/embeddings", 400).onHost("nim"));
        Throwable failure = catchThrowable(() -> await(run));

        assertThat(failure).isInstanceOf(ExecutionException.class);
        assertThat(failure.getCause()).isInstanceOf(NemoException.class);
        assertThat(((NemoException) failure.getCause()).status()).isEqualTo(400);
        assertThat(knnIndices(job.jobId())).isEmpty();
        assertThat(workDirs(work)).isEmpty();
        Throwable missing = catchThrowable(() -> DatasetPipelineTest.await(nemo.entityStore()
                .getDataset(SupportWorkload.NS, NemoNames.dataset(job.jobId(), "eval", 1))));
        assertThat(((NemoException) missing.getCause()).isNotFound()).isTrue();
    }

    /** The record with fetch index {@code id}: exports are newest first, so it is seq {@code N - 1 - id}. */
    private static int topicOfRecord(long id) {
        return SupportWorkload.topic(N - 1 - id);
    }

    /** The job's temporary kNN indices that exist now. */
    private static List<String> knnIndices(String jobId) throws IOException {
        Request r = new Request("GET", "/_cat/indices/flywheel-icl-knn-" + NemoNames.jobTag(jobId) + "-*");
        r.addParameter("format", "json");
        JsonNode answer = JSON.readTree(es.performRequest(r).getEntity().getContent());
        return StreamSupport.stream(answer.spliterator(), false)
                .map(n -> n.path("index").asText()).toList();
    }
}
