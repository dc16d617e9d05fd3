package dev.flywheel.actors.engine;

import com.typesafe.config.ConfigFactory;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.CustomizerConfig;
import dev.flywheel.api.v1.DataSplitConfig;
import dev.flywheel.api.v1.IclConfig;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.NimConfig;
import dev.flywheel.api.v1.NmpConfig;
import dev.flywheel.clients.admission.RedisAdmission;
import dev.flywheel.clients.admission.RedisSharedRefs;
import dev.flywheel.clients.datasets.DatasetPipeline;
import dev.flywheel.clients.logs.SampleWorkload;
import dev.flywheel.clients.mongo.MongoStores;
import dev.flywheel.clients.nemo.NemoClientSettings;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.clients.nemo.NemoService;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.engine.AdmissionTruth;
import dev.flywheel.core.engine.EngineSettings;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.emulator.NemoEmulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;

/**
 * The real pieces an engine test runs on: MongoDB (stand-in), Redis and Elasticsearch from the devstack, the
 * NeMo emulator over HTTP, a sample workload in the log index, and a {@link JobEngine} wired to them all. Each
 * rig has its own database, Redis key prefix and NeMo namespace, so tests do not see each other's jobs.
 */
final class EngineRig implements AutoCloseable {

    static final String LOG_INDEX = "flywheel";
    static final String CLIENT = "acme";
    static final String WORKLOAD = "support-agent";
    static final List<String> MODELS = List.of("meta/llama-3.2-1b-instruct", "meta/llama-3.2-3b-instruct",
            "meta/llama-3.1-8b-instruct");
    private static volatile boolean logsLoaded;

    final NemoEmulator emulator;
    final MongoStores stores;
    final RedisAdmission admission;
    final RedisSharedRefs shared;
    final RestClient es;
    final NemoClients.Cache nemo;
    final EngineContext context;
    JobEngine engine;
    private final String engineName;
    final String namespace;

    EngineRig(DevStack stack, NemoEmulator emulator, int gpus, EngineSettings settings) throws Exception {
        this.emulator = emulator;
        String id = UUID.randomUUID().toString().substring(0, 8);
        this.namespace = "ns" + id;
        this.stores = MongoStores.open(stack.mongoUri(), "engine-" + id).join();
        this.admission = RedisAdmission.open(stack.redisUri(), "fw:" + id + ":adm:", gpus,
                () -> AdmissionTruth.read(stores.jobs(), j -> { }).thenApply(AdmissionTruth::admission));
        this.shared = RedisSharedRefs.open(stack.redisUri(), "fw:" + id + ":shared:",
                () -> AdmissionTruth.read(stores.jobs(), j -> { }).thenApply(AdmissionTruth::sharedUsers));
        this.es = RestClient.builder(HttpHost.create(stack.elasticsearchUrl())).build();
        loadLogs(es);
        // Quick retries: a test's faults should end a wait in seconds, not minutes.
        NemoClientSettings.ServiceSettings fast = NemoClientSettings.ServiceSettings.defaults(NemoService.EVALUATOR)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30))
                .withRetries(2, Duration.ofMillis(20), Duration.ofMillis(100))
                .withBreaker(0.9, 10_000, Duration.ofSeconds(30), Duration.ofMillis(500));
        this.nemo = new NemoClients.Cache(new SimpleMeterRegistry(), NemoClientSettings.all(fast));
        Path work = Files.createTempDirectory("engine-rig");
        this.context = new EngineContext(stores.jobs(), config -> nemo.get(config.getNmpConfig().getNemoBaseUrl(),
                config.getNmpConfig().getNimBaseUrl(), config.getNmpConfig().getDatastoreBaseUrl(),
                config.getNmpConfig().getNmpNamespace()),
                EngineContext.Datasets.bounded((clients, job) -> DatasetPipeline.builder(es, LOG_INDEX, clients)
                        .workRoot(work).build().run(job), 2),
                admission, shared, settings, Clock.systemUTC(), Optional.empty());
        this.engineName = "engine-" + id;
        this.engine = JobEngine.start(engineName, context, ConfigFactory.empty(), Duration.ofSeconds(2));
    }

    /** Stops the engine node as a crash would (in-flight calls are lost) and starts a new one on the same stores. */
    void restartEngine() {
        engine.close();
        engine = JobEngine.start(engineName, context, ConfigFactory.empty(), Duration.ofSeconds(2));
    }

    static EngineSettings fastSettings() {
        return EngineSettings.defaults().withPolls(Duration.ofMillis(50)).withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(120));
    }

    private static synchronized void loadLogs(RestClient es) throws Exception {
        if (!logsLoaded) {
            SampleWorkload.load(es, LOG_INDEX, CLIENT, WORKLOAD, 400, 1_718_000_000_000L, Files.createTempDirectory("logs"));
            logsLoaded = true;
        }
    }

    /** The built-in defaults pointed at the emulator, with the given candidates and a small data split. */
    JobConfig config(List<String> models) {
        JobConfig.Builder config = JobConfigs.builtInDefaults().toBuilder()
                .setNmpConfig(NmpConfig.newBuilder().setNemoBaseUrl(emulator.platformUrl()).setNimBaseUrl(emulator.nimUrl())
                        .setDatastoreBaseUrl(emulator.datastoreUrl()).setNmpNamespace(namespace))
                .setDataSplitConfig(DataSplitConfig.newBuilder().setEvalSize(20).setValRatio(0.1).setMinTotalRecords(50)
                        .setLimit(200).setRandomSeed(7).setParseFunctionArguments(true))
                .clearNims();
        NimConfig template = JobConfigs.builtInDefaults().getNims(0);
        for (String model : models) {
            config.addNims(template.toBuilder().setModelName(model).setCustomizerConfigs(
                    template.getCustomizerConfigs().toBuilder().setTarget(model + "@2.0")));
        }
        return config.build();
    }

    /** Stores a new pending job and wakes the engine, as the API does. */
    Job submit(JobConfig config) {
        return submit(config, stores.jobs().newId());
    }

    Job submit(JobConfig config, String id) {
        CreateJobRequest request = CreateJobRequest.newBuilder().setClientId(CLIENT).setWorkloadId(WORKLOAD).build();
        Job job = Jobs.newJob(id, request, config, "", 0, UUID.randomUUID().toString(), Instant.now());
        job = job.toBuilder().setTo(job.getCreatedAt()).build();
        Job stored = stores.jobs().create(job, "fp-" + job.getId()).join().job();
        engine.wake(stored.getId());
        return stored;
    }

    /** Commits a cancel and tells the engine, as the API does (retried on a concurrent change). */
    Job cancel(String id) {
        for (int attempt = 0; attempt < 50; attempt++) {
            Job job = get(id);
            Job next = Jobs.cancel(job, Instant.now());
            if (next == job || stores.jobs().compareAndSet(next).join()) {
                engine.cancel(id);
                return next;
            }
        }
        throw new IllegalStateException("could not cancel " + id);
    }

    /** The built-in defaults with a remote judge and uniform ICL: only candidates take GPUs. */
    JobConfig remoteJudgeConfig(List<String> models) {
        JobConfig base = config(models);
        return base.toBuilder()
                .setLlmJudgeConfig(base.getLlmJudgeConfig().toBuilder().setDeploymentType("remote")
                        .setUrl("https://judge.example/v1/chat/completions"))
                .setIclConfig(base.getIclConfig().toBuilder().setExampleSelection("uniform_distribution"))
                .build();
    }

    Job get(String id) {
        return stores.jobs().get(id).join().orElseThrow();
    }

    @Override
    public void close() throws Exception {
        engine.close();
        admission.close();
        shared.close();
        es.close();
        stores.close();
    }
}
