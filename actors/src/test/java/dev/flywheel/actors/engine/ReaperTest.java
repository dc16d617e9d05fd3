package dev.flywheel.actors.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.NmpConfig;
import dev.flywheel.api.v1.SharedDeployment;
import dev.flywheel.clients.admission.RedisAdmission;
import dev.flywheel.clients.admission.RedisSharedRefs;
import dev.flywheel.clients.mongo.MongoStores;
import dev.flywheel.clients.nemo.NemoClientSettings;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.clients.nemo.NemoNames;
import dev.flywheel.clients.nemo.StepRequests;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.engine.AdmissionTruth;
import dev.flywheel.core.engine.EngineSettings;
import dev.flywheel.core.job.JobStatus;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.emulator.NemoEmulator;
import dev.flywheel.emulator.state.Ledger;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@link Reaper} against the real NeMo emulator and MongoDB stand-in (promise P6). Resources are made directly
 * through the NeMo clients under the names a job would use, and jobs are plain documents in the store, so each case
 * is exactly "this resource, this owner": a deployment or running evaluation of a job that is not in MongoDB, or is
 * finished, is stopped once older than the grace period; one of an unfinished job is kept; a shared deployment is
 * kept while an unfinished job lists it and deleted when none does; a deployment not named by us is never touched.
 * The emulator runs slowly (time scale 10) so that an evaluation job stays pending while the reaper looks at it.
 */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReaperTest {

    static final String MODEL = "meta/llama-3.2-1b-instruct";

    NemoEmulator emulator;
    NemoClients.Cache cache;
    DevStack stack;

    @BeforeAll
    void start(DevStack stack) {
        this.stack = stack;
        emulator = NemoEmulator.builder().seed(5).timeScale(10).start();
        cache = new NemoClients.Cache(new SimpleMeterRegistry(), NemoClientSettings.defaults());
    }

    @AfterAll
    void stop() {
        emulator.close();
    }

    @Test
    void reapsOnlyWhatNoUnfinishedJobOwnsAndOnlyAfterTheGrace() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String ns = "reap" + id;
        try (MongoStores stores = MongoStores.open(stack.mongoUri(), "reaper-" + id).join()) {
            NemoClients nemo = clients(ns);
            JobConfig config = config(ns);
            String sharedUsed = JobEntity.sharedName("judge", "meta/llama-3.3-70b-instruct");
            String sharedUnused = JobEntity.sharedName("emb", "nvidia/llama-3.2-nv-embedqa-1b-v2");
            Job active = store(stores, config, JobStatus.RUNNING, b -> b.addSharedDeployments(SharedDeployment.newBuilder()
                    .setName(sharedUsed).setRole("judge").setModelName("meta/llama-3.3-70b-instruct").setGpus(1)));
            Job pending = store(stores, config, JobStatus.PENDING, b -> b);
            Job finished = store(stores, config, JobStatus.COMPLETED, b -> b);
            String gone = stores.jobs().newId(); // a job whose document is not there (deleted, or lost)

            String orphanDeployment = deploy(nemo, NemoNames.deployment(gone, "nim", MODEL, 1));
            String finishedDeployment = deploy(nemo, NemoNames.deployment(finished.getId(), "nim", MODEL, 1));
            String activeDeployment = deploy(nemo, NemoNames.deployment(active.getId(), "nim", MODEL, 1));
            String pendingDeployment = deploy(nemo, NemoNames.deployment(pending.getId(), "nim", MODEL, 1));
            deploy(nemo, sharedUsed);
            deploy(nemo, sharedUnused);
            String foreign = deploy(nemo, "someone-elses-llm");
            String orphanEval = evaluate(nemo, config, NemoNames.resource(gone, "base", MODEL, 1));
            String activeEval = evaluate(nemo, config, NemoNames.resource(active.getId(), "base", MODEL, 1));
            Instant created = Instant.now();

            Reaper reaper = new Reaper(stores.jobs(), Reaper.Targets.of(List.of(nemo)), Duration.ofSeconds(3), Clock.systemUTC());
            // Within the grace period nothing is touched, owned or not.
            assertThat(reaper.sweep().join()).isZero();
            assertThat(liveDeployments(ns)).contains(orphanDeployment, finishedDeployment, sharedUnused);

            Thread.sleep(Math.max(0, Duration.between(Instant.now(), created.plusSeconds(4)).toMillis()));
            assertThat(reaper.sweep().join()).isEqualTo(4);
            assertThat(reaper.reaped()).isEqualTo(4);

            assertThat(liveDeployments(ns)).containsExactlyInAnyOrder(activeDeployment, pendingDeployment, sharedUsed, foreign);
            assertThat(deletedDeployments(ns)).containsExactlyInAnyOrder(orphanDeployment, finishedDeployment, sharedUnused);
            assertThat(nemo.evaluator().getJob(orphanEval).join().status()).isEqualTo("cancelled");
            assertThat(nemo.evaluator().getJob(activeEval).join().status()).isNotIn("cancelled", "cancelling");

            // Once the owners are gone, what they held goes too; a repeated sweep finds nothing more.
            assertThat(reaper.sweep().join()).isZero();
            finish(stores, active.getId());
            assertThat(reaper.sweep().join()).isEqualTo(3); // its deployment, its evaluation, the shared judge
            assertThat(liveDeployments(ns)).containsExactlyInAnyOrder(pendingDeployment, foreign);
            assertThat(nemo.evaluator().getJob(activeEval).join().status()).isEqualTo("cancelled");
        }
    }

    @Test
    void theEngineSweepsThePlatformsOfItsJobsOnItsOwn() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String ns = "reapeng" + id;
        try (MongoStores stores = MongoStores.open(stack.mongoUri(), "reaper-engine-" + id).join();
             RedisAdmission admission = RedisAdmission.open(stack.redisUri(), "fw:" + id + ":adm:", 4,
                     () -> AdmissionTruth.read(stores.jobs(), j -> { }).thenApply(AdmissionTruth::admission));
             RedisSharedRefs shared = RedisSharedRefs.open(stack.redisUri(), "fw:" + id + ":shared:",
                     () -> AdmissionTruth.read(stores.jobs(), j -> { }).thenApply(AdmissionTruth::sharedUsers))) {
            // A finished job that leaked a deployment: only the job store tells the engine which platform to sweep.
            Job finished = store(stores, config(ns), JobStatus.FAILED, b -> b);
            String leaked = deploy(clients(ns), NemoNames.deployment(finished.getId(), "nim", MODEL, 1));
            EngineContext context = new EngineContext(stores.jobs(), c -> cache.get(c.getNmpConfig().getNemoBaseUrl(),
                    c.getNmpConfig().getNimBaseUrl(), c.getNmpConfig().getDatastoreBaseUrl(), c.getNmpConfig().getNmpNamespace()),
                    (c, j) -> CompletableFuture.failedFuture(new IllegalStateException("no datasets in this test")),
                    admission, shared, EngineSettings.defaults(), Clock.systemUTC(), Optional.empty());
            JobEngine engine = JobEngine.start("reaper-" + id, context, ConfigFactory.empty(), Duration.ofSeconds(30),
                    new Reaper.Settings(Duration.ofMillis(300), Duration.ofSeconds(1), null));
            try {
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                        .until(() -> deletedDeployments(ns).contains(leaked));
                assertThat(engine.reaper().reaped()).isEqualTo(1);
            } finally {
                engine.close();
            }
        }
    }

    @Test
    void ownersAreReadFromOurNamesAndTimesFromEitherNemoStyle() {
        String jobId = "65f1c0ffee0123456789abcd";
        String tag = NemoNames.jobTag(jobId);
        assertThat(Reaper.jobTag(NemoNames.deployment(jobId, "nim", MODEL, 1))).contains(tag);
        assertThat(Reaper.jobTag(NemoNames.resource(jobId, "customized", MODEL, 2))).contains(tag);
        assertThat(Reaper.jobTag(NemoNames.dataset(jobId, "eval", 1))).contains(tag);
        assertThat(Reaper.jobTag(JobEntity.sharedName("judge", MODEL))).isEmpty(); // shared: no single owner
        assertThat(Reaper.jobTag("llama-3-2-1b")).isEmpty();
        assertThat(Reaper.jobTag("fw-NotATag-x")).isEmpty();
        assertThat(Reaper.parseTime("2025-04-08T07:05:42.895214")).contains(Instant.parse("2025-04-08T07:05:42.895214Z"));
        assertThat(Reaper.parseTime("2025-04-08T07:05:42Z")).contains(Instant.parse("2025-04-08T07:05:42Z"));
        assertThat(Reaper.parseTime("2025-04-08T09:05:42+02:00")).contains(Instant.parse("2025-04-08T07:05:42Z"));
        assertThat(Reaper.parseTime("yesterday")).isEmpty();
        assertThat(Reaper.parseTime(null)).isEmpty();
    }

    // ---- helpers

    private NemoClients clients(String ns) {
        return cache.get(emulator.platformUrl(), emulator.nimUrl(), emulator.datastoreUrl(), ns);
    }

    private JobConfig config(String ns) {
        return JobConfigs.builtInDefaults().toBuilder().setNmpConfig(NmpConfig.newBuilder()
                .setNemoBaseUrl(emulator.platformUrl()).setNimBaseUrl(emulator.nimUrl())
                .setDatastoreBaseUrl(emulator.datastoreUrl()).setNmpNamespace(ns)).build();
    }

    /** A job document as the engine would have left it, stored directly (no engine runs on this database). */
    private static Job store(MongoStores stores, JobConfig config, JobStatus status,
                             java.util.function.UnaryOperator<Job.Builder> edit) {
        CreateJobRequest request = CreateJobRequest.newBuilder().setClientId("acme").setWorkloadId("reaper").build();
        Job job = Jobs.newJob(stores.jobs().newId(), request, config, "", 0, UUID.randomUUID().toString(), Instant.now());
        Job stored = edit.apply(job.toBuilder().setStatus(status.wire())).build();
        return stores.jobs().create(stored, "fp-" + stored.getId()).join().job();
    }

    private static void finish(MongoStores stores, String jobId) {
        Job job = stores.jobs().get(jobId).join().orElseThrow();
        assertThat(stores.jobs().compareAndSet(Jobs.advance(job, Instant.now()).setStatus(JobStatus.COMPLETED.wire())
                .clearSharedDeployments().build()).join()).isTrue();
    }

    private static String deploy(NemoClients nemo, String name) {
        var nim = JobConfigs.builtInDefaults().getNims(0).toBuilder().setModelName(MODEL).build();
        nemo.deployments().createDeployment(StepRequests.candidateDeployment(nemo.namespace(), name, nim)).join();
        return name;
    }

    private static String evaluate(NemoClients nemo, JobConfig config, String key) {
        var request = StepRequests.evaluation(nemo.namespace(), "hf://datasets/" + nemo.namespace() + "/none/eval_data.jsonl",
                MODEL, true, config, StepRequests.judge(config, Optional.empty()));
        return nemo.evaluator().createOrAdoptJob(key, request).join().value().id();
    }

    private List<String> liveDeployments(String ns) {
        return deployments(ns, true);
    }

    private List<String> deletedDeployments(String ns) {
        return deployments(ns, false);
    }

    private List<String> deployments(String ns, boolean live) {
        return emulator.ledger().entries().stream().filter(e -> e.kind().equals("deployment") && e.live() == live)
                .map(Ledger.Entry::key).filter(k -> k.startsWith(ns + "/")).map(k -> k.substring(ns.length() + 1)).toList();
    }
}
