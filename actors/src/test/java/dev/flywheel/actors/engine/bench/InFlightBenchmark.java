package dev.flywheel.actors.engine.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.typesafe.config.ConfigFactory;
import dev.flywheel.actors.engine.EngineContext;
import dev.flywheel.actors.engine.JobEngine;
import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.DataSplitConfig;
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
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.engine.AdmissionTruth;
import dev.flywheel.core.engine.EngineSettings;
import dev.flywheel.core.engine.JobMoves;
import dev.flywheel.core.job.JobStatus;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.core.store.JobStore;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.LocalElasticsearch;
import dev.flywheel.devstack.LocalMongo;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.NotificationEmitter;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;

/**
 * Benchmark 1 of issue #5: 10,000 jobs in flight on one engine node while NeMo is slow.
 *
 * <p>Set-up. Three other processes, so that only the engine is in this JVM (heap, threads and CPU are this
 * process's): the MongoDB stand-in (this class with {@code --serve-mongo}, its own JVM: it keeps every document and
 * an oplog copy of every write on its heap), the NeMo emulator ({@code EmulatorMain}, its own JVM, a huge time scale
 * so a deployment stays {@code created} for 2 s x scale), and redis-server (the devstack's). Elasticsearch runs only
 * while the one real dataset step runs, then is stopped.
 * <ol>
 *   <li>A normal seed job (one candidate, remote judge, uniform ICL so no shared NIM is needed) runs through the
 *       engine until its datasets are built; its candidate then waits for its deployment like all the others.</li>
 *   <li>{@code --jobs} job documents are stored through {@code JobStore.create}, each a copy of the seed job past its
 *       dataset stage: status running, stage candidates, the seed's {@code datasets}, {@code workload_type} and
 *       remote-judge config, and one pending candidate.</li>
 *   <li>{@code JobEngine.reconcile()} wakes them; the engine admits every candidate (capacity jobs + 8 GPUs),
 *       creates its deployment and polls it every 5 s (production polls, production NeMo client settings, reconcile
 *       every 30 s, orphan reaper every 2 min). Admission is a strict FIFO that each waiting candidate pulls every
 *       2 s, so with all of them arriving at once only ~1 per second gets in: that rate is observed for
 *       {@code --fifo-observe-seconds} (90) and reported, then the benchmark asks Redis for every holder in queue
 *       order (the runners' own idempotent {@code Admission.request}) so that the runners find themselves admitted
 *       on their next request and deploy.</li>
 *   <li>Once every deployment is created and the writes have stopped, {@code --windows} windows of
 *       {@code --window-seconds} each measure: process CPU ({@code getProcessCpuLoad} sampled every second, and
 *       CPU-seconds per minute), CPU per thread group, live threads, MongoDB writes/s and NeMo requests/s (by
 *       operation), the other processes' CPU, and GC; then heap used after a full GC and the top of a live class
 *       histogram.</li>
 * </ol>
 * Run with {@code bench/engine-inflight.sh} (-Xmx1g). Not a test: no {@code @Test}, and surefire does not match the
 * name. Options: {@code --jobs=10000 --time-scale=1000 --windows=3 --window-seconds=60 --fifo-observe-seconds=90
 * --mongo-heap=6g --emulator-heap=2g --histogram-lines=30 --log-dir=actors/target} (the children's logs go to
 * {@code bench-inflight-mongo.log} and {@code bench-inflight-emulator.log} there). Results: docs/benchmarks.md.
 */
public final class InFlightBenchmark {

    static final String LOG_INDEX = "flywheel";
    static final String CLIENT = "acme";
    static final String WORKLOAD = "support-agent";
    static final String MODEL = "meta/llama-3.2-1b-instruct";
    static final String NAMESPACE = "inflight";

    private final Map<String, String> opts;
    private final PrintStream out = System.out;
    private final List<Process> children = new ArrayList<>();
    private final Map<Long, String> childNames = new TreeMap<>();
    /** Largest heap in use right after a stop-the-world GC (young, mixed or full), per phase (GC notifications). */
    private final AtomicLong maxAfterGc = new AtomicLong();
    /** Heap in use right after the last full GC (System.gc()), from its GC notification. */
    private final AtomicLong afterLastFullGc = new AtomicLong(-1);
    /** Longest stop-the-world pause and full GCs not asked for by the benchmark, per phase. */
    private final AtomicLong maxPauseMs = new AtomicLong();
    private final AtomicLong unaskedFullGcs = new AtomicLong();

    private InFlightBenchmark(Map<String, String> opts) {
        this.opts = opts;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            if (a.equals("--serve-mongo")) {
                serveMongo();
                return;
            }
            if (!a.startsWith("--") || !a.contains("=")) {
                System.err.println("usage: InFlightBenchmark [--jobs=10000] [--time-scale=1000] [--windows=3] [--window-seconds=60]"
                        + " [--fifo-observe-seconds=90] [--mongo-heap=6g] [--emulator-heap=2g] [--histogram-lines=30]"
                        + " [--log-dir=actors/target]");
                System.exit(2);
            }
            opts.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        InFlightBenchmark bench = new InFlightBenchmark(opts);
        int exit;
        try {
            exit = bench.run();
        } catch (Throwable t) {
            t.printStackTrace();
            exit = 1;
        } finally {
            bench.stopChildren();
        }
        System.out.flush();
        System.exit(exit);
    }

    /** Child mode: only the MongoDB stand-in, in memory; prints its URI, stops when stdin ends. */
    private static void serveMongo() throws Exception {
        LocalMongo mongo = LocalMongo.start(null, 0);
        System.out.println("MONGO " + mongo.connectionString());
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the parent closes our stdin (or dies)
        }
        mongo.stop();
        System.exit(0);
    }

    private String opt(String name, String dflt) {
        return opts.getOrDefault(name, dflt);
    }

    private int run() throws Exception {
        int jobs = Integer.parseInt(opt("jobs", "10000"));
        double timeScale = Double.parseDouble(opt("time-scale", "1000"));
        int windows = Integer.parseInt(opt("windows", "3"));
        int windowSeconds = Integer.parseInt(opt("window-seconds", "60"));
        installGcListener();
        out.printf("InFlightBenchmark: %,d jobs, emulator time scale %.0f (a deployment stays 'created' for %.0f s), engine defaults"
                        + " (polls 5 s, reconcile 30 s, reaper 2 min); this JVM: max heap %d MB, %d cores, %s%n",
                jobs, timeScale, 2 * timeScale, Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        out.println("load " + ScheduleBenchmark.loadavg());

        // ---- the other processes
        String cp = System.getProperty("java.class.path");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path logs = Path.of(opt("log-dir", "actors/target"));
        Files.createDirectories(logs);
        String mongoUri = startChild("mongo", List.of(java, "-Xmx" + opt("mongo-heap", "6g"), "-XX:+UseG1GC", "-cp", cp,
                InFlightBenchmark.class.getName(), "--serve-mongo"), logs.resolve("bench-inflight-mongo.log"), "MONGO ").get(0);
        List<String> urls = startChild("emulator", List.of(java, "-Xmx" + opt("emulator-heap", "2g"), "-XX:+UseG1GC", "-cp", cp,
                "dev.flywheel.emulator.EmulatorMain", "--platform-port=0", "--nim-port=0", "--datastore-port=0", "--seed=7",
                "--time-scale=" + opt("time-scale", "1000")), logs.resolve("bench-inflight-emulator.log"),
                "platform=", "nim=", "datastore=");
        String platform = urls.get(0);
        String nim = urls.get(1);
        String datastore = urls.get(2);
        out.printf("mongo stand-in (own JVM) %s; emulator (own JVM) %s%n", mongoUri, platform);

        try (DevStack stack = DevStack.builder().mongoUri(mongoUri).elasticsearch(false).start()) {
            ProcessHandle.current().children().forEach(p -> childNames.putIfAbsent(p.pid(),
                    p.info().command().map(c -> Path.of(c).getFileName().toString()).orElse("?")));
            MongoStores stores = MongoStores.open(mongoUri, "bench-inflight").join();
            CountingStore store = new CountingStore(stores.jobs());
            int gpus = jobs + 8;
            RedisAdmission admission = RedisAdmission.open(stack.redisUri(), "fw:inflight:adm:", gpus,
                    () -> AdmissionTruth.read(store, j -> { }).thenApply(AdmissionTruth::admission));
            RedisSharedRefs shared = RedisSharedRefs.open(stack.redisUri(), "fw:inflight:shared:",
                    () -> AdmissionTruth.read(store, j -> { }).thenApply(AdmissionTruth::sharedUsers));
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            NemoClients.Cache nemo = new NemoClients.Cache(meters, NemoClientSettings.defaults());
            Path work = Files.createTempDirectory("bench-inflight");
            LocalElasticsearch elasticsearch = LocalElasticsearch.start();
            RestClient es = RestClient.builder(HttpHost.create(elasticsearch.url())).build();
            SampleWorkload.load(es, LOG_INDEX, CLIENT, WORKLOAD, 400, 1_718_000_000_000L, Files.createTempDirectory("logs"));
            EngineContext context = new EngineContext(store,
                    config -> nemo.get(config.getNmpConfig().getNemoBaseUrl(), config.getNmpConfig().getNimBaseUrl(),
                            config.getNmpConfig().getDatastoreBaseUrl(), config.getNmpConfig().getNmpNamespace()),
                    EngineContext.Datasets.bounded((clients, job) -> DatasetPipeline.builder(es, LOG_INDEX, clients)
                            .workRoot(work).build().run(job), 2),
                    admission, shared, EngineSettings.defaults(), Clock.systemUTC(), Optional.empty());
            out.printf("GPU capacity %,d; engine settings %s%n", gpus, EngineSettings.defaults());
            JobEngine engine = JobEngine.start("bench-inflight", context, ConfigFactory.empty(), Duration.ofSeconds(30));
            try {
                return measure(engine, store, admission, meters, es, elasticsearch, platform, nim, datastore, jobs, windows,
                        windowSeconds);
            } finally {
                engine.close();
                admission.close();
                shared.close();
                stores.close();
            }
        }
    }

    private int measure(JobEngine engine, CountingStore store, RedisAdmission admission, SimpleMeterRegistry meters, RestClient es,
                        LocalElasticsearch elasticsearch, String platform, String nim, String datastore, int jobs, int windows,
                        int windowSeconds) throws Exception {
        // ---- 1. one real dataset step, through a normal job
        JobConfig config = config(platform, nim, datastore);
        String seedId = store.newId();
        CreateJobRequest request = CreateJobRequest.newBuilder().setClientId(CLIENT).setWorkloadId(WORKLOAD).build();
        Job seed = Jobs.newJob(seedId, request, config, "", 0, UUID.randomUUID().toString(), Instant.now());
        seed = seed.toBuilder().setTo(seed.getCreatedAt()).build();
        store.create(seed, "fp-" + seedId).join();
        long t0 = System.nanoTime();
        engine.wake(seedId);
        Job seeded = null;
        while (System.nanoTime() - t0 < TimeUnit.MINUTES.toNanos(5)) {
            Job j = store.get(seedId).join().orElseThrow();
            if (j.getDatasetsCount() > 0 && j.getCandidatesCount() > 0 && j.getCandidates(0).getStatus().equals("deploying")) {
                seeded = j;
                break;
            }
            if (Jobs.isTerminal(j)) {
                throw new IllegalStateException("seed job ended: " + j.getStatus() + " " + j.getError());
            }
            Thread.sleep(200);
        }
        if (seeded == null) {
            throw new IllegalStateException("the seed job did not get past its dataset stage in 5 minutes");
        }
        out.printf("seed job %s: %d datasets (%s), workload %s, %d records, in %.1f s; its candidate is %s%n", seedId,
                seeded.getDatasetsCount(), seeded.getDatasetsList().stream().map(d -> d.getKind()).collect(Collectors.joining(",")),
                seeded.getWorkloadType(), seeded.getNumRecords(), (System.nanoTime() - t0) / 1e9,
                seeded.getCandidates(0).getStatus());
        es.close();
        elasticsearch.stop();
        out.println("elasticsearch stopped (only the dataset step needed it)");
        Thread.sleep(2000);
        long baseline = heapAfterFullGc();
        out.printf("heap after GC with the engine and 1 job in flight: %.1f MB; live threads %d%n", baseline / 1e6, threads().getThreadCount());

        // ---- 2. store the jobs, past their dataset stage
        long t1 = System.nanoTime();
        Semaphore inFlight = new Semaphore(64);
        Instant base = Instant.now();
        List<CompletableFuture<?>> creates = new ArrayList<>();
        String[] holders = new String[jobs];
        double[] orders = new double[jobs];
        for (int i = 0; i < jobs; i++) {
            Job job = cloneOf(seeded, store.newId(), base.plusMillis(i));
            holders[i] = AdmissionTruth.candidateHolder(job.getId(), 0);
            orders[i] = AdmissionTruth.order(job, 0);
            inFlight.acquire();
            creates.add(store.create(job, "fp-" + job.getId()).whenComplete((ok, err) -> inFlight.release()));
        }
        CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).join();
        creates.clear();
        double createSecs = (System.nanoTime() - t1) / 1e9;
        out.printf("stored %,d job documents (%d bytes of protobuf each) in %.1f s (%.0f/s)%n", jobs,
                cloneOf(seeded, seedId, base).getSerializedSize(), createSecs, jobs / createSecs);

        // ---- 3. wake them and let the engine admit and deploy every candidate
        Snapshot rampStart = Snapshot.take(store, meters, childNames);
        long t2 = System.nanoTime();
        int woken = engine.reconcile().join();
        out.printf("reconcile woke %,d jobs in %.1f s%n", woken, (System.nanoTime() - t2) / 1e9);
        long target = jobs + 1L;
        long quietSince = -1;
        long lastWrites = -1;
        maxAfterGc.set(0);
        maxPauseMs.set(0);
        unaskedFullGcs.set(0);
        // 3a. The engine's own admission, all candidates arriving at once: observed for a while, then reported.
        int fifoSeconds = Integer.parseInt(opt("fifo-observe-seconds", "90"));
        boolean granted = fifoSeconds <= 0;
        long grantStart = 0;
        while (true) {
            Thread.sleep(1000);
            Snapshot s = Snapshot.take(store, meters, childNames);
            double secs = (System.nanoTime() - t2) / 1e9;
            long created = s.requests.getOrDefault("createDeployment", 0L);
            long writes = s.writes;
            if (Math.round(secs) % 5 == 0) {
                out.printf("  t=%5.0f s: deployments created %,d, Mongo writes %,d (+%,d/s), CAS conflicts %,d, polls %,d, threads %d,"
                                + " heap %.0f MB%n", secs, created, writes - rampStart.writes, lastWrites < 0 ? 0 : writes - lastWrites,
                        store.casFailed.sum(), s.requests.getOrDefault("getDeployment", 0L), threads().getThreadCount(),
                        heapUsed() / 1e6);
            }
            if (!granted && secs >= fifoSeconds) {
                // 3b. Strict FIFO, pulled: a waiting candidate is admitted only on its own next request (every 2 s) and
                // only once every candidate ahead of it was, so ~1 is admitted per second however many GPUs are free.
                // To reach the state this benchmark is about, ask Redis for every holder in queue order, as each
                // runner itself does (the same idempotent Admission.request): each is then the head and is admitted;
                // its runner hears so on its next request and deploys.
                double fifoSecs = secs;
                long fifoWrites = writes - rampStart.writes;
                out.printf("engine admission with %,d candidates arriving at once: %,d admitted (deployment created) in %.0f s"
                                + " = %.2f/s, %,d Mongo writes (%.0f/s, mostly queue_position updates), %,d CAS attempts%n",
                        target, created, fifoSecs, created / fifoSecs, fifoWrites, fifoWrites / fifoSecs,
                        s.casAttempts - rampStart.casAttempts);
                grantStart = System.nanoTime();
                for (int i = 0; i < jobs; i++) {
                    admission.request(holders[i], 1, orders[i]).join();
                }
                out.printf("granted the %,d holders in queue order from the benchmark in %.1f s; waiting for the runners%n", jobs,
                        (System.nanoTime() - grantStart) / 1e9);
                granted = true;
            }
            if (granted && created >= target && writes == lastWrites) {
                if (quietSince < 0) {
                    quietSince = System.nanoTime();
                } else if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(10)) {
                    break;
                }
            } else {
                quietSince = -1;
            }
            lastWrites = writes;
            if (secs > 1800) {
                throw new IllegalStateException("the jobs did not all deploy within 30 minutes");
            }
        }
        Snapshot rampEnd = Snapshot.take(store, meters, childNames);
        double rampSecs = (System.nanoTime() - t2) / 1e9;
        if (grantStart > 0) {
            out.printf("after the grant every deployment was created and the writes had stopped for 10 s in %.1f s%n",
                    (System.nanoTime() - grantStart) / 1e9);
        }
        out.printf("ramp-up: every deployment created and no write for 10 s after %.1f s: %,d Mongo writes (%,d CAS attempts, %,d"
                        + " conflicts), %,d NeMo requests; largest heap after a GC during ramp-up %.0f MB, longest GC pause %d ms,"
                + " %d full GCs%n",
                rampSecs, rampEnd.writes - rampStart.writes, rampEnd.casAttempts - rampStart.casAttempts, store.casFailed.sum(),
                rampEnd.totalRequests() - rampStart.totalRequests(), maxAfterGc.get() / 1e6, maxPauseMs.get(), unaskedFullGcs.get());
        printStatusCounts(store);

        // ---- 4. steady state: the jobs just wait
        List<WindowResult> results = new ArrayList<>();
        for (int w = 1; w <= windows; w++) {
            results.add(window(w, windowSeconds, store, meters));
        }

        // ---- 5. heap, threads, histogram
        long heap = heapAfterFullGc();
        ThreadMXBean threads = threads();
        out.printf("%n==== after %d windows ====%n", windows);
        out.printf("heap used after full GC: %.1f MB (%.1f MiB) with %,d jobs in flight; baseline with 1 job %.1f MB;"
                        + " per job %.1f KB; -Xmx %d MB%n", heap / 1e6, heap / 1048576.0, jobs + 1, baseline / 1e6,
                (heap - baseline) / 1e3 / jobs, Runtime.getRuntime().maxMemory() >> 20);
        out.printf("largest heap after any GC during the windows: %.1f MB%n", maxAfterGc.get() / 1e6);
        out.printf("live threads %d (peak %d, daemon %d)%n", threads.getThreadCount(), threads.getPeakThreadCount(),
                threads.getDaemonThreadCount());
        out.println("threads by group: " + threadGroups(threads));
        printHistogram(Integer.parseInt(opt("histogram-lines", "30")));
        out.printf("%n==== summary: %,d jobs in flight ====%n", jobs + 1);
        out.printf("%-6s %8s %10s %12s %10s %10s %10s %12s %s%n", "window", "load", "CPU %core", "CPU s/min", "writes/s",
                "NeMo req/s", "GC ms", "threads", "others' CPU %core");
        for (WindowResult r : results) {
            out.printf("%-6d %8s %10.1f %12.1f %10.2f %10.1f %10d %12s %s%n", r.index, r.load.split(" ")[0], r.cpuPctOfCore,
                    r.cpuSecondsPerMinute, r.writesPerSecond, r.requestsPerSecond, r.gcMillis, r.threads, r.others);
        }
        out.printf("heap after full GC %.1f MiB (target <= 1024 MiB: %s); live threads %d%n", heap / 1048576.0,
                heap <= 1024L * 1048576 ? "MET" : "NOT MET", threads.getThreadCount());
        return 0;
    }

    // ---- the jobs

    /** The built-in defaults pointed at the emulator: one candidate, remote judge, uniform ICL (no shared NIMs). */
    static JobConfig config(String platform, String nim, String datastore) {
        JobConfig base = JobConfigs.builtInDefaults();
        NimConfig template = base.getNims(0);
        return base.toBuilder()
                .setNmpConfig(NmpConfig.newBuilder().setNemoBaseUrl(platform).setNimBaseUrl(nim).setDatastoreBaseUrl(datastore)
                        .setNmpNamespace(NAMESPACE))
                .setDataSplitConfig(DataSplitConfig.newBuilder().setEvalSize(20).setValRatio(0.1).setMinTotalRecords(50)
                        .setLimit(200).setRandomSeed(7).setParseFunctionArguments(true))
                .clearNims().addNims(template.toBuilder().setModelName(MODEL)
                        .setCustomizerConfigs(template.getCustomizerConfigs().toBuilder().setTarget(MODEL + "@2.0")))
                .setLlmJudgeConfig(base.getLlmJudgeConfig().toBuilder().setDeploymentType("remote")
                        .setUrl("https://judge.example/v1/chat/completions"))
                .setIclConfig(base.getIclConfig().toBuilder().setExampleSelection("uniform_distribution"))
                .build();
    }

    /** A job like {@code seed} just after its dataset stage: running, stage candidates, one pending candidate. */
    static Job cloneOf(Job seed, String id, Instant created) {
        Instant started = created.plusMillis(1);
        CandidateModel candidate = CandidateModel.newBuilder().setModelName(MODEL).setStatus("pending")
                .setGpus(Math.max(1, seed.getConfig().getNims(0).getGpus())).build();
        return seed.toBuilder()
                .setId(id)
                .setRequestId(UUID.randomUUID().toString())
                .setVersion(1)
                .setStatus(JobStatus.RUNNING.wire())
                .setCreatedAt(Jobs.ts(created))
                .setUpdatedAt(Jobs.ts(started))
                .setStartedAt(Jobs.ts(started))
                .clearFinishedAt()
                .setStage(JobMoves.STAGE_CANDIDATES)
                .setProgress(10)
                .setQueuePosition(0)
                .clearCandidates().addCandidates(candidate)
                .clearSharedDeployments()
                .clearError()
                .clearCandidateSummary()
                .clearTimeline()
                .addTimeline(Jobs.event(created, "created", "job accepted"))
                .addTimeline(Jobs.event(started, "started", "job started"))
                .addTimeline(Jobs.event(started, "datasets_created", seed.getNumRecords() + " records, workload " + seed.getWorkloadType()))
                .addTimeline(Jobs.event(started, "stage_started", JobMoves.STAGE_CANDIDATES))
                .build();
    }

    private void printStatusCounts(JobStore store) {
        Map<String, Integer> byStatus = new TreeMap<>();
        Map<String, Integer> byDeployment = new TreeMap<>();
        store.forEachActive(j -> {
            for (CandidateModel c : j.getCandidatesList()) {
                byStatus.merge(c.getStatus(), 1, Integer::sum);
                byDeployment.merge(c.getDeploymentStatus(), 1, Integer::sum);
            }
        }).join();
        out.println("candidates by status " + byStatus + ", by deployment status " + byDeployment);
    }

    // ---- one measurement window

    record WindowResult(int index, String load, double cpuPctOfCore, double cpuSecondsPerMinute, double writesPerSecond,
                        double requestsPerSecond, long gcMillis, String threads, String others) {}

    private WindowResult window(int index, int seconds, CountingStore store, SimpleMeterRegistry meters) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean tmx = threads();
        int cores = Runtime.getRuntime().availableProcessors();
        String loadBefore = ScheduleBenchmark.loadavg();
        Map<String, Long> threadCpuBefore = threadCpuByGroup(tmx);
        Snapshot before = Snapshot.take(store, meters, childNames);
        long gcBefore = gcMillis();
        long gcCountBefore = gcCount();
        long cpuBefore = os.getProcessCpuTime();
        long start = System.nanoTime();
        maxAfterGc.set(0);
        maxPauseMs.set(0);
        unaskedFullGcs.set(0);
        os.getProcessCpuLoad(); // the first call only primes it
        List<Double> loads = new ArrayList<>();
        int minThreads = Integer.MAX_VALUE;
        int maxThreads = 0;
        for (int s = 0; s < seconds; s++) {
            Thread.sleep(1000);
            double l = os.getProcessCpuLoad();
            if (l >= 0) {
                loads.add(l * cores * 100);
            }
            int t = tmx.getThreadCount();
            minThreads = Math.min(minThreads, t);
            maxThreads = Math.max(maxThreads, t);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpuBefore) / 1e9;
        Snapshot after = Snapshot.take(store, meters, childNames);
        long gc = gcMillis() - gcBefore;
        Map<String, Long> threadCpuAfter = threadCpuByGroup(tmx);
        double meanLoad = loads.stream().mapToDouble(d -> d).average().orElse(Double.NaN);
        double p90 = loads.stream().sorted().skip(Math.max(0, (long) Math.ceil(loads.size() * 0.9) - 1)).findFirst().orElse(Double.NaN);
        double maxLoad = loads.stream().mapToDouble(d -> d).max().orElse(Double.NaN);
        String load = ScheduleBenchmark.loadavg();
        out.printf("%nwindow %d (%.0f s; load before %s, after %s):%n", index, wall, loadBefore, load);
        out.printf("  process CPU: %.1f s in %.0f s = %.1f%% of one core (%.1f CPU-seconds per minute); getProcessCpuLoad per"
                + " second, in %% of one core: mean %.1f, p90 %.1f, max %.1f%n", cpu, wall, 100 * cpu / wall, 60 * cpu / wall,
                meanLoad, p90, maxLoad);
        out.println("  CPU by thread group (% of one core): " + groupShares(threadCpuBefore, threadCpuAfter, wall, cpu));
        double writesPerSec = (after.writes - before.writes) / wall;
        out.printf("  MongoDB: %.2f writes/s (%d creates + successful compare-and-sets; %d CAS attempts), %.2f reads/s"
                        + " (%d gets, %d documents read by forEachActive)%n", writesPerSec, after.writes - before.writes,
                after.casAttempts - before.casAttempts, (after.reads - before.reads) / wall, after.gets - before.gets,
                after.activeDocs - before.activeDocs);
        double reqPerSec = (after.totalRequests() - before.totalRequests()) / wall;
        Map<String, String> byOp = new TreeMap<>();
        after.requests.forEach((op, n) -> {
            long d = n - before.requests.getOrDefault(op, 0L);
            if (d > 0) {
                byOp.put(op, String.format("%.1f/s", d / wall));
            }
        });
        out.printf("  NeMo requests: %.1f/s %s; mean latency %s%n", reqPerSec, byOp, meanLatency(before, after));
        out.printf("  threads: %d..%d; GC pauses: %d ms in %d collections (longest %d ms, %d full GCs); largest heap after a GC"
                + " %.0f MB%n", minThreads, maxThreads, gc, gcCount() - gcCountBefore, maxPauseMs.get(), unaskedFullGcs.get(),
                maxAfterGc.get() / 1e6);
        StringBuilder others = new StringBuilder();
        after.childCpu.forEach((pid, ns) -> {
            long d = ns - before.childCpu.getOrDefault(pid, 0L);
            others.append(childNames.getOrDefault(pid, "?")).append('[').append(pid).append("] ")
                    .append(String.format("%.1f", 100.0 * d / 1e9 / wall)).append("  ");
        });
        out.println("  other processes (% of one core): " + others.toString().trim());
        return new WindowResult(index, load, 100 * cpu / wall, 60 * cpu / wall, writesPerSec, reqPerSec, gc,
                minThreads + ".." + maxThreads, others.toString().trim());
    }

    private static String meanLatency(Snapshot before, Snapshot after) {
        long n = after.requests.getOrDefault("getDeployment", 0L) - before.requests.getOrDefault("getDeployment", 0L);
        double ms = after.requestMillis.getOrDefault("getDeployment", 0.0) - before.requestMillis.getOrDefault("getDeployment", 0.0);
        return n == 0 ? "-" : String.format("getDeployment %.2f ms", ms / n);
    }

    // ---- counters

    /** Counters at one moment. */
    record Snapshot(long writes, long casAttempts, long reads, long gets, long activeDocs, Map<String, Long> requests,
                    Map<String, Double> requestMillis, Map<Long, Long> childCpu) {

        static Snapshot take(CountingStore store, SimpleMeterRegistry meters, Map<Long, String> children) {
            Map<String, Long> requests = new TreeMap<>();
            Map<String, Double> millis = new TreeMap<>();
            for (Meter m : meters.getMeters()) {
                if (m instanceof Timer t && m.getId().getName().equals("nemo.client.requests")) {
                    String op = m.getId().getTag("operation");
                    requests.merge(op, t.count(), Long::sum);
                    millis.merge(op, t.totalTime(TimeUnit.MILLISECONDS), Double::sum);
                }
            }
            Map<Long, Long> cpu = new TreeMap<>();
            for (long pid : children.keySet()) {
                ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).ifPresent(d -> cpu.put(pid, d.toNanos()));
            }
            long gets = store.gets.sum();
            long docs = store.activeDocs.sum();
            return new Snapshot(store.creates.sum() + store.casOk.sum(), store.casAttempts.sum(), gets + docs, gets, docs,
                    requests, millis, cpu);
        }

        long totalRequests() {
            return requests.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** The engine's job store, counting what it asks MongoDB. */
    static final class CountingStore implements JobStore {
        final JobStore d;
        final LongAdder creates = new LongAdder();
        final LongAdder casAttempts = new LongAdder();
        final LongAdder casOk = new LongAdder();
        final LongAdder casFailed = new LongAdder();
        final LongAdder gets = new LongAdder();
        final LongAdder activeDocs = new LongAdder();

        CountingStore(JobStore delegate) {
            this.d = delegate;
        }

        @Override
        public String newId() {
            return d.newId();
        }

        @Override
        public boolean isValidId(String id) {
            return d.isValidId(id);
        }

        @Override
        public CompletableFuture<Created> create(Job job, String fingerprint) {
            creates.increment();
            return d.create(job, fingerprint);
        }

        @Override
        public CompletableFuture<Optional<Job>> get(String id) {
            gets.increment();
            return d.get(id);
        }

        @Override
        public CompletableFuture<Page> list(Filter filter, int pageSize, String pageToken) {
            return d.list(filter, pageSize, pageToken);
        }

        @Override
        public CompletableFuture<Void> forEachActive(Consumer<Job> each) {
            return d.forEachActive(job -> {
                activeDocs.increment();
                each.accept(job);
            });
        }

        @Override
        public CompletableFuture<Boolean> compareAndSet(Job next) {
            casAttempts.increment();
            return d.compareAndSet(next).whenComplete((ok, err) -> {
                if (Boolean.TRUE.equals(ok)) {
                    casOk.increment();
                } else {
                    casFailed.increment();
                }
            });
        }

        @Override
        public CompletableFuture<Boolean> delete(String id) {
            return d.delete(id);
        }

        @Override
        public AutoCloseable watch(String id, Consumer<Optional<Job>> onChange) {
            return d.watch(id, onChange);
        }

        @Override
        public CompletableFuture<Void> ping() {
            return d.ping();
        }
    }

    // ---- JVM facts

    private static ThreadMXBean threads() {
        return ManagementFactory.getThreadMXBean();
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Heap in use right after a full GC, as that GC's notification reports it (reading the heap afterwards would add
     * what the engine allocated since: ~2,000 polls/s allocate fast).
     */
    private long heapAfterFullGc() throws InterruptedException {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            afterLastFullGc.set(-1);
            System.gc();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (afterLastFullGc.get() < 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            if (afterLastFullGc.get() >= 0) {
                best = Math.min(best, afterLastFullGc.get());
            }
            Thread.sleep(200);
        }
        return best == Long.MAX_VALUE ? heapUsed() : best;
    }

    /** Stop-the-world collectors only (G1's "G1 Concurrent GC" bean counts concurrent cycles, not pauses). */
    private static List<GarbageCollectorMXBean> pausingCollectors() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().filter(b -> !b.getName().contains("Concurrent")).toList();
    }

    private static long gcMillis() {
        return pausingCollectors().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    private static long gcCount() {
        return pausingCollectors().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    private void installGcListener() {
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((n, hb) -> {
                if (!n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                    return;
                }
                var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                if (info.getGcName().contains("Concurrent")) {
                    return; // a concurrent cycle's pause (remark, cleanup) leaves eden as it is: not "after GC"
                }
                long used = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                        .filter(e -> heapPools.contains(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum();
                maxAfterGc.accumulateAndGet(used, Math::max);
                maxPauseMs.accumulateAndGet(info.getGcInfo().getDuration(), Math::max);
                if ("System.gc()".equals(info.getGcCause())) {
                    afterLastFullGc.set(used);
                } else if (info.getGcName().contains("Old") && !info.getGcCause().contains("Heap Inspection")) {
                    unaskedFullGcs.incrementAndGet();
                    System.out.printf("  (full GC: %s, %d ms, heap after %.0f MB)%n", info.getGcCause(),
                            info.getGcInfo().getDuration(), used / 1e6);
                }
            }, null, null);
        }
    }

    /** Thread name without numbers: the pool it belongs to. */
    private static String group(String name) {
        if (name.matches("Thread-\\d+")) {
            // unnamed: the JDK AsynchronousChannelGroup pool the MongoDB driver's sockets use (it also runs the
            // driver's callbacks, so the decoding of documents read by the reconciler and reaper)
            return "Thread-# (MongoDB driver I/O)";
        }
        return name.replaceAll("\\d+", "#");
    }

    private static Map<String, Long> threadCpuByGroup(ThreadMXBean tmx) {
        Map<String, Long> cpu = new HashMap<>();
        for (ThreadInfo info : tmx.getThreadInfo(tmx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long t = tmx.getThreadCpuTime(info.getThreadId());
            if (t > 0) {
                // keyed by thread id too, so threads that die during the window are not subtracted from others
                cpu.put(info.getThreadId() + "\u0000" + group(info.getThreadName()), t);
            }
        }
        return cpu;
    }

    private static String groupShares(Map<String, Long> before, Map<String, Long> after, double wall, double processCpu) {
        Map<String, Double> byGroup = new HashMap<>();
        after.forEach((key, ns) -> {
            double d = (ns - before.getOrDefault(key, 0L)) / 1e9;
            byGroup.merge(key.substring(key.indexOf('\u0000') + 1), d, Double::sum);
        });
        double javaThreads = byGroup.values().stream().mapToDouble(Double::doubleValue).sum();
        byGroup.put("JVM internal (GC, JIT: process minus Java threads)", Math.max(0, processCpu - javaThreads));
        return byGroup.entrySet().stream().filter(e -> e.getValue() / wall >= 0.001)
                .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .map(e -> String.format("%s %.1f", e.getKey(), 100 * e.getValue() / wall)).collect(Collectors.joining(", "));
    }

    private static String threadGroups(ThreadMXBean tmx) {
        Map<String, Integer> groups = new TreeMap<>();
        for (ThreadInfo info : tmx.getThreadInfo(tmx.getAllThreadIds())) {
            if (info != null) {
                groups.merge(group(info.getThreadName()), 1, Integer::sum);
            }
        }
        return groups.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    /** jmap -histo:live, from inside: the DiagnosticCommand MBean's GC.class_histogram (runs a full GC first). */
    private void printHistogram(int lines) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            String histogram = (String) server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram", new Object[] {new String[0]}, new String[] {String[].class.getName()});
            String[] all = histogram.split("\n");
            out.println("live class histogram (top " + lines + "):");
            for (int i = 0; i < Math.min(lines + 2, all.length); i++) {
                out.println("  " + all[i]);
            }
            out.println("  " + all[all.length - 1]); // Total
        } catch (Exception e) {
            out.println("class histogram failed: " + e);
        }
    }

    // ---- child processes

    /**
     * Starts a child JVM with stderr to {@code log}, reads stdout until it printed every line starting with one of
     * {@code prefixes}, and returns what followed each prefix. Its stdout keeps being drained afterwards.
     */
    private List<String> startChild(String name, List<String> command, Path log, String... prefixes) throws IOException {
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        children.add(p);
        childNames.put(p.pid(), name);
        BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> found = new ArrayList<>();
        for (String prefix : prefixes) {
            String line;
            while ((line = reader.readLine()) != null && !line.startsWith(prefix)) {
                // skip other output
            }
            if (line == null) {
                throw new IllegalStateException(name + " ended before printing " + prefix + "; see " + log);
            }
            found.add(line.substring(prefix.length()).trim());
        }
        Thread drain = new Thread(() -> {
            try {
                while (reader.readLine() != null) {
                    // discard
                }
            } catch (IOException ignored) {
                // the child ended
            }
        }, name + "-stdout");
        drain.setDaemon(true);
        drain.start();
        return found;
    }

    private void stopChildren() {
        for (Process p : children) {
            try {
                p.getOutputStream().close(); // the Mongo child ends at the end of its stdin
            } catch (IOException ignored) {
                // already gone
            }
            p.destroy();
        }
        for (Process p : children) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }
}
