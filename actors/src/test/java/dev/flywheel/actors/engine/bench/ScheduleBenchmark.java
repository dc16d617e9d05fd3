package dev.flywheel.actors.engine.bench;

import com.google.protobuf.Timestamp;
import com.typesafe.config.ConfigFactory;
import dev.flywheel.actors.engine.EngineContext;
import dev.flywheel.actors.engine.JobEngine;
import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.Customization;
import dev.flywheel.api.v1.DataSplitConfig;
import dev.flywheel.api.v1.Evaluation;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.NimConfig;
import dev.flywheel.api.v1.NmpConfig;
import dev.flywheel.api.v1.TimelineEvent;
import dev.flywheel.clients.admission.RedisAdmission;
import dev.flywheel.clients.admission.RedisSharedRefs;
import dev.flywheel.clients.datasets.DatasetPipeline;
import dev.flywheel.clients.logs.SampleWorkload;
import dev.flywheel.clients.mongo.MongoStores;
import dev.flywheel.clients.nemo.NemoClientSettings;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.engine.AdmissionTruth;
import dev.flywheel.core.engine.EngineSettings;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.emulator.NemoEmulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;

/**
 * Benchmark 3 of issue #5: one real three-candidate {@code llm_job} on the devstack (MongoDB stand-in, Redis,
 * Elasticsearch) and the NeMo emulator at a fixed time scale, against the reference's serial schedule computed from
 * the latencies of the same run.
 *
 * <p>Per candidate, from the finished job document: <b>deploy</b> = candidate {@code started_at} (admitted, deploy
 * requested) to its {@code candidate_running_evals} event; <b>branches</b> = that to its
 * {@code candidate_shutting_down} event (base eval ∥ ICL eval ∥ customize → customized eval: the slowest branch);
 * <b>shutdown</b> = that to the candidate's {@code finished_at}. From the job timeline ({@code stage_started}
 * events): <b>init</b> = job {@code created_at} to {@code create_datasets} (pickup, start, and the local embedding
 * NIM's deployment, which the reference also runs before its dataset task), <b>datasets</b> = to
 * {@code wait_for_llm_as_judge} (includes giving the embedding NIM back), <b>judge</b> = to {@code candidates}.
 *
 * <p>Reference serial schedule (anchor-data-flywheel.md §3.2: candidates strictly one after another, then
 * {@code finalize_flywheel_run} sleeps 60 s): init + datasets + judge + Σ_c (deploy_c + branches_c + shutdown_c) +
 * 60 s. Ours: job {@code created_at} to {@code finished_at}. Target: ours ≤ 0.45 × reference.
 *
 * <p>Every committed version of the job is also recorded through {@code JobStore.watch}; a timestamp whose timeline
 * event was trimmed (the timeline keeps the newest 50) is taken from the first watched version that shows the new
 * state (its {@code updated_at}), and the report says so. A three-candidate job writes 22 events, so by default
 * ({@code --watch=auto}) the watch is off: on the MongoDB stand-in its change stream costs this JVM about a core
 * (measured: 116-121 % of a core with it, 17 % without, same ratio); {@code --watch=true} turns it on.
 *
 * <p>Not a test (no {@code @Test}, name not matched by surefire): run it with {@code bench/engine-schedule.sh}.
 * Options: {@code --time-scale=0.25 --runs=3 --gpus=8 --judge=local|remote --records=400 --seed=7
 * --timeout-minutes=30 --watch=auto}.
 */
public final class ScheduleBenchmark {

    static final String LOG_INDEX = "flywheel";
    static final String CLIENT = "acme";
    static final String WORKLOAD = "support-agent";
    static final List<String> MODELS = List.of("meta/llama-3.2-1b-instruct", "meta/llama-3.2-3b-instruct",
            "meta/llama-3.1-8b-instruct");
    /** The reference's unconditional sleep in finalize_flywheel_run. */
    static final double REFERENCE_FINALIZE_SLEEP_S = 60;

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                System.err.println("usage: ScheduleBenchmark [--time-scale=0.25] [--runs=3] [--gpus=8] [--judge=local|remote]"
                        + " [--records=400] [--seed=7] [--timeout-minutes=30] [--watch=auto|true|false]");
                System.exit(2);
            }
            opts.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        double scale = Double.parseDouble(opts.getOrDefault("time-scale", "0.25"));
        int runs = Integer.parseInt(opts.getOrDefault("runs", "3"));
        int gpus = Integer.parseInt(opts.getOrDefault("gpus", "8"));
        String judge = opts.getOrDefault("judge", "local");
        int records = Integer.parseInt(opts.getOrDefault("records", "400"));
        long seed = Long.parseLong(opts.getOrDefault("seed", "7"));
        Duration timeout = Duration.ofMinutes(Long.parseLong(opts.getOrDefault("timeout-minutes", "30")));
        // auto: watch only when the job's timeline could lose events (it keeps the newest 50; a job writes ~7 events
        // of its own and 5 per candidate)
        String watchOpt = opts.getOrDefault("watch", "auto");
        boolean watch = watchOpt.equals("auto") ? 7 + 5 * MODELS.size() + 5 > Jobs.MAX_TIMELINE : Boolean.parseBoolean(watchOpt);
        int exit = 0;
        try {
            exit = new ScheduleBenchmark().run(scale, runs, gpus, judge, records, seed, timeout, watch);
        } catch (Throwable t) {
            t.printStackTrace();
            exit = 1;
        }
        System.exit(exit);
    }

    private int run(double scale, int runs, int gpus, String judge, int records, long seed, Duration timeout, boolean watch)
            throws Exception {
        // As the server polls the built-in emulator (Main.openApp): every poll at 5 s x the time scale.
        Duration poll = Duration.ofMillis(Math.max(50, (long) (5000 * Math.max(0.01, scale))));
        EngineSettings settings = EngineSettings.defaults().withPolls(poll);
        System.out.printf("ScheduleBenchmark: emulator time scale %.3f, engine polls every %d ms, GPU capacity %d, judge %s,"
                        + " embedding local, %d log records, watch %s; %d cores, max heap %d MB%n",
                scale, poll.toMillis(), gpus, judge, records, watch ? "on" : "off", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        System.out.println("load " + loadavg());

        List<Result> results = new ArrayList<>();
        try (DevStack stack = DevStack.builder().start();
             NemoEmulator emulator = NemoEmulator.builder().seed(seed).timeScale(scale).start()) {
            RestClient es = RestClient.builder(HttpHost.create(stack.elasticsearchUrl())).build();
            SampleWorkload.load(es, LOG_INDEX, CLIENT, WORKLOAD, records, 1_718_000_000_000L, Files.createTempDirectory("logs"));
            MongoStores stores = MongoStores.open(stack.mongoUri(), "bench-schedule").join();
            RedisAdmission admission = RedisAdmission.open(stack.redisUri(), "fw:bench-schedule:adm:", gpus,
                    () -> AdmissionTruth.read(stores.jobs(), j -> { }).thenApply(AdmissionTruth::admission));
            RedisSharedRefs shared = RedisSharedRefs.open(stack.redisUri(), "fw:bench-schedule:shared:",
                    () -> AdmissionTruth.read(stores.jobs(), j -> { }).thenApply(AdmissionTruth::sharedUsers));
            // Production client settings (EngineRuntime): default timeouts, retries and breakers.
            NemoClients.Cache nemo = new NemoClients.Cache(new SimpleMeterRegistry(), NemoClientSettings.defaults());
            Path work = Files.createTempDirectory("bench-schedule");
            EngineContext context = new EngineContext(stores.jobs(),
                    config -> nemo.get(config.getNmpConfig().getNemoBaseUrl(), config.getNmpConfig().getNimBaseUrl(),
                            config.getNmpConfig().getDatastoreBaseUrl(), config.getNmpConfig().getNmpNamespace()),
                    EngineContext.Datasets.bounded((clients, job) -> DatasetPipeline.builder(es, LOG_INDEX, clients)
                            .workRoot(work).build().run(job), 2),
                    admission, shared, settings, Clock.systemUTC(), Optional.empty());
            JobEngine engine = JobEngine.start("bench-schedule", context, ConfigFactory.empty(), Duration.ofSeconds(30));
            try {
                for (int run = 1; run <= runs; run++) {
                    JobConfig config = config(emulator, "bench-schedule", judge);
                    String loadBefore = loadavg();
                    long cpuBefore = processCpuNanos();
                    long wallBefore = System.nanoTime();
                    Watched watched = submitAndWait(stores, engine, config, timeout, watch);
                    double cpuPct = 100.0 * (processCpuNanos() - cpuBefore) / (System.nanoTime() - wallBefore);
                    Result r = analyse(run, watched, scale);
                    r.print(System.out, loadBefore, loadavg(), cpuPct);
                    results.add(r);
                }
            } finally {
                engine.close();
                admission.close();
                shared.close();
                es.close();
                stores.close();
            }
        }
        summary(results, scale);
        return results.stream().allMatch(r -> r.status.equals("completed")) ? 0 : 1;
    }

    /** The built-in defaults pointed at the emulator, with the three candidates and a small data split. */
    static JobConfig config(NemoEmulator emulator, String namespace, String judge) {
        JobConfig.Builder config = JobConfigs.builtInDefaults().toBuilder()
                .setNmpConfig(NmpConfig.newBuilder().setNemoBaseUrl(emulator.platformUrl()).setNimBaseUrl(emulator.nimUrl())
                        .setDatastoreBaseUrl(emulator.datastoreUrl()).setNmpNamespace(namespace))
                .setDataSplitConfig(DataSplitConfig.newBuilder().setEvalSize(20).setValRatio(0.1).setMinTotalRecords(50)
                        .setLimit(200).setRandomSeed(7).setParseFunctionArguments(true))
                .clearNims();
        NimConfig template = JobConfigs.builtInDefaults().getNims(0);
        for (String model : MODELS) {
            config.addNims(template.toBuilder().setModelName(model).setCustomizationEnabled(true).setCustomizerConfigs(
                    template.getCustomizerConfigs().toBuilder().setTarget(model + "@2.0")));
        }
        if (judge.equals("remote")) {
            config.setLlmJudgeConfig(config.getLlmJudgeConfig().toBuilder().setDeploymentType("remote")
                    .setUrl("https://judge.example/v1/chat/completions"));
        }
        return config.build();
    }

    /** One committed version as the watch saw it. */
    record Version(long version, Instant updatedAt, String status, String stage, List<String> candidateStatuses) {}

    record Watched(Job job, List<Version> versions) {}

    /** Stores a new pending job as the API does, watches every committed version, wakes the engine, waits for the end. */
    static Watched submitAndWait(MongoStores stores, JobEngine engine, JobConfig config, Duration timeout, boolean watchIt)
            throws Exception {
        String id = stores.jobs().newId();
        CreateJobRequest request = CreateJobRequest.newBuilder().setClientId(CLIENT).setWorkloadId(WORKLOAD).build();
        Job job = Jobs.newJob(id, request, config, "", 0, UUID.randomUUID().toString(), Instant.now());
        job = job.toBuilder().setTo(job.getCreatedAt()).build();
        Map<Long, Version> versions = new ConcurrentHashMap<>();
        CountDownLatch finished = new CountDownLatch(1);
        Job created = stores.jobs().create(job, "fp-" + id).join().job();
        versions.put(created.getVersion(), version(created));
        AutoCloseable watch = !watchIt ? () -> { } : stores.jobs().watch(id, changed -> changed.ifPresent(j -> {
            versions.putIfAbsent(j.getVersion(), version(j));
            if (Jobs.isTerminal(j)) {
                finished.countDown();
            }
        }));
        try {
            engine.wake(id);
            long deadline = System.nanoTime() + timeout.toNanos();
            // The watch ends the wait; a slow poll of the document is the safety net if the change stream misses it.
            while (!finished.await(2, TimeUnit.SECONDS)) {
                Job now = stores.jobs().get(id).join().orElseThrow();
                if (Jobs.isTerminal(now)) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("job " + id + " did not finish within " + timeout + ": " + now.getStatus()
                            + " / " + now.getStage());
                }
            }
            Thread.sleep(500); // let the last change events arrive
        } finally {
            watch.close();
        }
        Job done = stores.jobs().get(id).join().orElseThrow();
        List<Version> list = new ArrayList<>(versions.values());
        list.sort((a, b) -> Long.compare(a.version(), b.version()));
        return new Watched(done, list);
    }

    private static Version version(Job j) {
        return new Version(j.getVersion(), instant(j.getUpdatedAt()), j.getStatus(), j.getStage(),
                j.getCandidatesList().stream().map(CandidateModel::getStatus).toList());
    }

    // ---- analysis

    record CandidateTimes(String model, String status, double queue, double deploy, double branches, double shutdown,
                          double baseEval, double iclEval, double customizeThenEval, List<String> sources) {
        double total() {
            return deploy + branches + shutdown;
        }
    }

    record Result(int run, String jobId, String status, double init, double datasets, double judge, double candidatesStage,
                  List<CandidateTimes> candidates, double wall, double timeScale, List<String> sources, int timelineEvents,
                  int versionsSeen) {

        double candidateSum() {
            return candidates.stream().mapToDouble(CandidateTimes::total).sum();
        }

        double reference(double sleep) {
            return init + datasets + judge + candidateSum() + sleep;
        }

        double ratio() {
            return wall / reference(REFERENCE_FINALIZE_SLEEP_S);
        }

        double ratioScaledSleep() {
            return wall / reference(REFERENCE_FINALIZE_SLEEP_S * timeScale);
        }

        void print(java.io.PrintStream out, String loadBefore, String loadAfter, double cpuPct) {
            out.printf("%nrun %d: job %s %s; load before %s, after %s; this JVM used %.0f%% of one core during the run%n",
                    run, jobId, status, loadBefore, loadAfter, cpuPct);
            out.printf("  timeline events kept %d, versions watched %d; timestamps from %s%n", timelineEvents, versionsSeen,
                    sources.isEmpty() ? "the job document only" : "the watch for: " + String.join(", ", sources));
            out.printf("  init (pickup + embedding NIM)   %7.1f s%n", init);
            out.printf("  datasets                        %7.1f s%n", datasets);
            out.printf("  judge readiness                 %7.1f s%n", judge);
            out.printf("  candidates stage (ours, parallel) %5.1f s%n", candidatesStage);
            out.printf("  %-28s %8s %7s %7s %8s %8s %7s | %7s %7s %9s%n", "candidate", "status", "queue", "deploy", "branches",
                    "shutdown", "sum", "base", "icl", "cust+eval");
            for (CandidateTimes c : candidates) {
                out.printf("  %-28s %8s %7.1f %7.1f %8.1f %8.1f %7.1f | %7.1f %7.1f %9.1f%s%n", c.model(), c.status(), c.queue(),
                        c.deploy(), c.branches(), c.shutdown(), c.total(), c.baseEval(), c.iclEval(), c.customizeThenEval(),
                        c.sources().isEmpty() ? "" : "  (watch: " + String.join(", ", c.sources()) + ")");
            }
            out.printf("  reference serial = %.1f + %.1f + %.1f + %.1f + %.0f (finalize sleep) = %.1f s%n", init, datasets, judge,
                    candidateSum(), REFERENCE_FINALIZE_SLEEP_S, reference(REFERENCE_FINALIZE_SLEEP_S));
            out.printf("  ours (created_at -> finished_at) = %.1f s%n", wall);
            out.printf("  RATIO ours / reference = %.3f (target <= 0.45)%n", ratio());
            out.printf("  (with the 60 s sleep scaled by the time scale too, %.1f s: reference %.1f s, ratio %.3f)%n",
                    REFERENCE_FINALIZE_SLEEP_S * timeScale, reference(REFERENCE_FINALIZE_SLEEP_S * timeScale), ratioScaledSleep());
        }
    }

    static Result analyse(int run, Watched watched, double timeScale) {
        Job job = watched.job();
        List<String> sources = new ArrayList<>();
        Instant created = instant(job.getCreatedAt());
        Instant finished = instant(job.getFinishedAt());
        Instant datasetsAt = stageStart(watched, "create_datasets", sources);
        Instant judgeAt = stageStart(watched, "wait_for_llm_as_judge", sources);
        Instant candidatesAt = stageStart(watched, "candidates", sources);
        List<CandidateTimes> candidates = new ArrayList<>();
        for (int i = 0; i < job.getCandidatesCount(); i++) {
            CandidateModel c = job.getCandidates(i);
            List<String> cs = new ArrayList<>();
            Instant started = instant(c.getStartedAt());
            Instant evals = candidateEvent(watched, i, "running-evals", cs);
            Instant shutting = candidateEvent(watched, i, "shutting-down", cs);
            Instant end = instant(c.getFinishedAt());
            Evaluation base = eval(c, "base-eval");
            Evaluation icl = eval(c, "icl-eval");
            Evaluation custEval = eval(c, "customized-eval");
            Customization cust = c.getCustomizationsCount() > 0 ? c.getCustomizations(0) : null;
            double custBranch = cust == null ? 0 : secs(instant(cust.getStartedAt()),
                    custEval != null && custEval.hasFinishedAt() ? instant(custEval.getFinishedAt()) : instant(cust.getFinishedAt()));
            candidates.add(new CandidateTimes(c.getModelName(), c.getStatus(), secs(candidatesAt, started), secs(started, evals),
                    secs(evals, shutting), secs(shutting, end), stepSecs(base), stepSecs(icl), custBranch, cs));
        }
        return new Result(run, job.getId(), job.getStatus(), secs(created, datasetsAt), secs(datasetsAt, judgeAt),
                secs(judgeAt, candidatesAt), secs(candidatesAt, finished), candidates, secs(created, finished), timeScale,
                sources, job.getTimelineCount(), watched.versions().size());
    }

    private static Evaluation eval(CandidateModel c, String type) {
        return c.getEvaluationsList().stream().filter(e -> e.getEvalType().equals(type)).findFirst().orElse(null);
    }

    private static double stepSecs(Evaluation e) {
        return e == null || !e.hasStartedAt() || !e.hasFinishedAt() ? Double.NaN
                : secs(instant(e.getStartedAt()), instant(e.getFinishedAt()));
    }

    /** The stage_started event of {@code stage}, else the first watched version in that stage (or later). */
    private static Instant stageStart(Watched w, String stage, List<String> sources) {
        for (TimelineEvent e : w.job().getTimelineList()) {
            if (e.getType().equals("stage_started") && e.getMessage().equals(stage)) {
                return instant(e.getAt());
            }
        }
        sources.add("stage " + stage);
        for (Version v : w.versions()) {
            if (v.stage().equals(stage)) {
                return v.updatedAt();
            }
        }
        throw new IllegalStateException("no time for stage " + stage + " in the timeline or the watched versions");
    }

    /** The candidate_&lt;status&gt; event of candidate {@code index}, else the first watched version showing that status. */
    private static Instant candidateEvent(Watched w, int index, String status, List<String> sources) {
        String model = w.job().getCandidates(index).getModelName();
        String type = "candidate_" + status.replace('-', '_');
        for (TimelineEvent e : w.job().getTimelineList()) {
            if (e.getType().equals(type) && (e.getMessage().equals(model) || e.getMessage().startsWith(model + ":"))) {
                return instant(e.getAt());
            }
        }
        sources.add(status);
        for (Version v : w.versions()) {
            if (v.candidateStatuses().size() > index && v.candidateStatuses().get(index).equals(status)) {
                return v.updatedAt();
            }
        }
        throw new IllegalStateException("no time for " + model + " " + status + " in the timeline or the watched versions");
    }

    static void summary(List<Result> results, double scale) {
        System.out.printf("%n==== summary (time scale %.3f) ====%n", scale);
        System.out.printf("%-4s %-26s %9s %8s %8s %8s %9s %9s %9s %7s %9s%n", "run", "job", "status", "init", "datasets", "judge",
                "cand.sum", "reference", "ours", "ratio", "ratio(*)");
        for (Result r : results) {
            System.out.printf("%-4d %-26s %9s %8.1f %8.1f %8.1f %9.1f %9.1f %9.1f %7.3f %9.3f%n", r.run(), r.jobId(), r.status(),
                    r.init(), r.datasets(), r.judge(), r.candidateSum(), r.reference(REFERENCE_FINALIZE_SLEEP_S), r.wall(), r.ratio(),
                    r.ratioScaledSleep());
        }
        System.out.println("ratio(*) = with the reference's 60 s finalize sleep scaled by the emulator time scale as well");
        double[] ratios = results.stream().mapToDouble(Result::ratio).sorted().toArray();
        if (ratios.length > 0) {
            System.out.printf("median ratio %.3f (min %.3f, max %.3f); target <= 0.45: %s%n", ratios[ratios.length / 2], ratios[0],
                    ratios[ratios.length - 1], ratios[ratios.length - 1] <= 0.45 ? "MET in every run" : "NOT met in every run");
        }
    }

    // ---- helpers

    static Instant instant(Timestamp ts) {
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    }

    static double secs(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }

    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "?";
        }
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
