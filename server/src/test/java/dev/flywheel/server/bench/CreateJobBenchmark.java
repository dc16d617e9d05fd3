package dev.flywheel.server.bench;

import com.google.protobuf.util.JsonFormat;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.util.EventLoopGroups;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.WriteConcern;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.client.result.InsertOneResult;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.FlywheelServiceGrpc;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.server.FlywheelApp;
import dev.flywheel.server.Main;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;
import org.bson.types.ObjectId;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Mono;

/**
 * CreateJob throughput and latency with N concurrent gRPC clients, side by side with a raw driver insert loop
 * into the same MongoDB. A program, not a test: run {@code bench/create-job.sh} (or {@link #main}) and read the
 * table it prints. See docs/benchmarks.md for what it measures and the results.
 *
 * <p>One JVM holds everything: the Mongo stand-in (DevStack's in-memory mongo-java-server), the Flywheel server
 * wired by {@link Main#configureServices} exactly as in production, and both load generators. Phases alternate
 * (ABBA order across rounds) so that neither side profits from warm-up or from the data set growing.
 *
 * <p>Options (all optional): {@code --seconds=10 --warmup-seconds=5 --rounds=4 --concurrency=64
 * --raw-indexes=true --server-log=server/target/bench-server.log}.
 */
public final class CreateJobBenchmark {

    /** Latencies are recorded in microseconds; anything over a minute is clamped (and would be an error anyway). */
    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(1);
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames();

    private final int seconds;
    private final int warmupSeconds;
    private final int rounds;
    private final int concurrency;
    private final boolean rawIndexes;
    private final PrintStream out;

    private CreateJobBenchmark(Map<String, String> opts, PrintStream out) {
        this.seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
        this.warmupSeconds = Integer.parseInt(opts.getOrDefault("warmup-seconds", "5"));
        this.rounds = Integer.parseInt(opts.getOrDefault("rounds", "4"));
        this.concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "64"));
        this.rawIndexes = Boolean.parseBoolean(opts.getOrDefault("raw-indexes", "true"));
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                System.err.println("usage: CreateJobBenchmark [--seconds=10] [--warmup-seconds=5] [--rounds=4] "
                        + "[--concurrency=64] [--raw-indexes=true] [--server-log=PATH]");
                System.exit(2);
            }
            opts.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        // The server logs one JSON line per created job to stdout, as in production. Keep that cost (a write per
        // line) but send it to a file, so the report below stays readable.
        PrintStream report = System.out;
        Path serverLog = Path.of(opts.getOrDefault("server-log", "server/target/bench-server.log"));
        Files.createDirectories(serverLog.toAbsolutePath().getParent());
        System.setOut(new PrintStream(new BufferedOutputStream(new FileOutputStream(serverLog.toFile()), 8192), false));
        report.println("server log (stdout of the server code) -> " + serverLog);
        int exit;
        try {
            exit = new CreateJobBenchmark(opts, report).run();
        } catch (Throwable t) {
            t.printStackTrace(report);
            exit = 1;
        }
        System.out.flush();
        report.flush();
        System.exit(exit);
    }

    private int run() throws Exception {
        printMachine();
        try (DevStack stack = DevStack.builder().elasticsearch(false).start();
             FlywheelApp app = FlywheelApp.open(stack.mongoUri(), "bench", JobConfigs.builtInDefaults())) {
            ServerBuilder sb = Server.builder().http(0);
            Main.configureServices(sb, app);
            Server server = sb.build();
            server.start().join();
            // The load generator's own event loops, so that client work does not queue behind the server's.
            EventLoopGroup clientLoops = EventLoopGroups.newEventLoopGroup(2, "bench-client", true);
            List<ClientFactory> factories = new ArrayList<>();
            MongoClient rawClient = MongoClients.create(MongoClientSettings.builder()
                    // the same settings MongoStores uses, so both sides pay the same write concern
                    .applyConnectionString(new ConnectionString(stack.mongoUri()))
                    .writeConcern(WriteConcern.MAJORITY.withWTimeout(10, TimeUnit.SECONDS))
                    .applyToClusterSettings(b -> b.serverSelectionTimeout(10, TimeUnit.SECONDS))
                    .applicationName("bench-raw")
                    .build());
            try {
                String target = "http://127.0.0.1:" + server.activeLocalPort();
                List<FlywheelServiceGrpc.FlywheelServiceStub> stubs = new ArrayList<>();
                for (int i = 0; i < concurrency; i++) {
                    // One factory (so one connection) per client, like 64 separate client processes would have.
                    ClientFactory factory = ClientFactory.builder().workerGroup(clientLoops, false).build();
                    factories.add(factory);
                    stubs.add(GrpcClients.builder(target).factory(factory).responseTimeoutMillis(30_000)
                            .maxResponseLength(0).build(FlywheelServiceGrpc.FlywheelServiceStub.class));
                }
                MongoCollection<Document> raw = rawClient.getDatabase("bench").getCollection("raw_jobs");
                if (rawIndexes) {
                    createSameIndexesAsJobs(raw);
                }
                Document template = rawTemplate();
                out.printf(Locale.ROOT, "server   %s (Main.configureServices), mongo %s (DevStack stand-in, memory)%n",
                        target, stack.mongoUri());
                out.printf(Locale.ROOT, "document %d bytes BSON (a new Job as MongoJobStore stores it); raw collection %s%n",
                        bsonSize(template), rawIndexes ? "has the same indexes as jobs" : "has only _id");
                out.printf(Locale.ROOT, "load     %d concurrent callers per phase, closed loop, %d s per phase, %d rounds "
                        + "(+ %d s warm-up each)%n%n", concurrency, seconds, rounds, warmupSeconds);

                Phase rawPhase = new Phase("raw", (id, done) -> rawLoop(raw, template, id, done));
                Phase grpcPhase = new Phase("grpc", (id, done) -> grpcLoop(stubs.get(id), id, done));

                out.println("warm-up");
                printHeader();
                printRow("w", measure(rawPhase, "w", warmupSeconds));
                printRow("w", measure(grpcPhase, "w", warmupSeconds));
                out.println();
                out.println("measured rounds (order alternates: raw,grpc then grpc,raw)");
                printHeader();
                List<Result> raws = new ArrayList<>();
                List<Result> grpcs = new ArrayList<>();
                for (int round = 1; round <= rounds; round++) {
                    List<Phase> order = round % 2 == 1 ? List.of(rawPhase, grpcPhase) : List.of(grpcPhase, rawPhase);
                    for (Phase phase : order) {
                        Result r = measure(phase, "r" + round, seconds);
                        (phase == rawPhase ? raws : grpcs).add(r);
                        printRow(Integer.toString(round), r);
                    }
                }
                long errors = raws.stream().mapToLong(r -> r.errors).sum() + grpcs.stream().mapToLong(r -> r.errors).sum();
                printSummary(raws, grpcs);
                printCpuBreakdown("raw", raws);
                printCpuBreakdown("grpc", grpcs);
                long stored = Mono.from(rawClient.getDatabase("bench").getCollection("jobs").countDocuments()).block();
                long created = grpcs.stream().mapToLong(r -> r.ops).sum() + createdInWarmup.get();
                out.printf(Locale.ROOT, "%ncheck: %d CreateJob calls answered OK, %d job documents stored; errors %d%n",
                        created, stored, errors);
                return errors == 0 && stored == created ? 0 : 1;
            } finally {
                for (ClientFactory f : factories) {
                    f.close();
                }
                clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                rawClient.close();
                server.stop().join();
            }
        }
    }

    private final AtomicLong createdInWarmup = new AtomicLong();

    // ---------------------------------------------------------------- the two loops

    /** One closed-loop caller: issues the next call when the previous one answered, until {@code done} says stop. */
    private interface Loop {
        void start(int id, Caller caller);
    }

    /** What a loop reports to: the phase's clock, its histogram and counters. */
    private static final class Caller {
        final long deadline;
        final Histogram histogram = new Histogram(MAX_MICROS, 3);
        final CountDownLatch finished;
        final AtomicLong errors;
        final AtomicReference<String> firstError;
        final String tag;
        long ops;
        long seq;

        Caller(long deadline, CountDownLatch finished, AtomicLong errors, AtomicReference<String> firstError, String tag) {
            this.deadline = deadline;
            this.finished = finished;
            this.errors = errors;
            this.firstError = firstError;
            this.tag = tag;
        }

        boolean more() {
            if (System.nanoTime() < deadline) {
                return true;
            }
            finished.countDown();
            return false;
        }

        void ok(long startNanos) {
            histogram.recordValue(Math.min(MAX_MICROS, (System.nanoTime() - startNanos) / 1000));
            ops++;
        }

        void failed(Throwable e) {
            errors.incrementAndGet();
            firstError.compareAndSet(null, e.toString());
        }
    }

    private void rawLoop(MongoCollection<Document> raw, Document template, int id, Caller c) {
        if (!c.more()) {
            return;
        }
        Document doc = new Document(template);
        doc.put("_id", new ObjectId());
        doc.put("client_id", "bench-raw-" + id);
        doc.put("request_id", c.tag + "-" + id + "-" + (c.seq++));
        long t0 = System.nanoTime();
        raw.insertOne(doc).subscribe(new Subscriber<InsertOneResult>() {
            private boolean done;

            @Override
            public void onSubscribe(Subscription s) {
                s.request(1);
            }

            @Override
            public void onNext(InsertOneResult result) {
                done = true;
                c.ok(t0);
                rawLoop(raw, template, id, c);
            }

            @Override
            public void onError(Throwable e) {
                c.failed(e);
                rawLoop(raw, template, id, c);
            }

            @Override
            public void onComplete() {
                if (!done) {
                    c.failed(new IllegalStateException("insertOne completed without a result"));
                    rawLoop(raw, template, id, c);
                }
            }
        });
    }

    private void grpcLoop(FlywheelServiceGrpc.FlywheelServiceStub stub, int id, Caller c) {
        if (!c.more()) {
            return;
        }
        CreateJobRequest request = request(id, c.tag + "-" + id + "-" + (c.seq++));
        long t0 = System.nanoTime();
        stub.createJob(request, new StreamObserver<Job>() {
            private boolean got;

            @Override
            public void onNext(Job job) {
                got = true;
            }

            @Override
            public void onError(Throwable e) {
                c.failed(e);
                grpcLoop(stub, id, c);
            }

            @Override
            public void onCompleted() {
                if (got) {
                    c.ok(t0);
                } else {
                    c.failed(new IllegalStateException("CreateJob completed without a job"));
                }
                grpcLoop(stub, id, c);
            }
        });
    }

    private static CreateJobRequest request(int client, String requestId) {
        return CreateJobRequest.newBuilder()
                .setClientId("bench-client-" + client)
                .setWorkloadId("bench-workload")
                .setJobType("llm_job")
                .setRequestId(requestId)
                .build();
    }

    /** A new job exactly as CreateJob would build it for {@link #request} (default config plus a seed), as stored. */
    private static Document rawTemplate() throws Exception {
        CreateJobRequest request = request(0, "template");
        JobConfig defaults = JobConfigs.builtInDefaults();
        JobConfig config = JobConfigs.withSplitOverrides(defaults,
                defaults.getDataSplitConfig().toBuilder().setRandomSeed(12345).build());
        Job job = Jobs.newJob(new ObjectId().toHexString(), request, config, "", 0, request.getRequestId(), Instant.now());
        job = job.toBuilder().setTo(job.getCreatedAt()).build();
        Document doc = Document.parse(PRINTER.print(job.toBuilder().clearId().build()));
        doc.put("version", job.getVersion());
        doc.put("schema_version", 1);
        doc.put("request_fingerprint", Jobs.fingerprint(request));
        return doc;
    }

    private static void createSameIndexesAsJobs(MongoCollection<Document> c) {
        Mono.from(c.createIndex(Indexes.ascending("client_id", "request_id"),
                new IndexOptions().unique(true).name("client_request_unique"))).block();
        Mono.from(c.createIndex(Indexes.compoundIndex(Indexes.ascending("client_id"), Indexes.descending("_id")),
                new IndexOptions().name("by_client"))).block();
        Mono.from(c.createIndex(Indexes.compoundIndex(Indexes.ascending("workload_id"), Indexes.descending("_id")),
                new IndexOptions().name("by_workload"))).block();
        Mono.from(c.createIndex(Indexes.compoundIndex(Indexes.ascending("status"), Indexes.descending("_id")),
                new IndexOptions().name("by_status"))).block();
    }

    private static int bsonSize(Document doc) {
        Document copy = new Document(doc);
        copy.put("_id", new ObjectId());
        return new RawBsonDocument(copy, new DocumentCodec()).getByteBuffer().remaining();
    }

    // ---------------------------------------------------------------- measuring

    private record Phase(String name, Loop loop) {}

    private static final class Result {
        String phase;
        long ops;
        long errors;
        String firstError;
        double seconds;
        Histogram histogram;
        double processCpuSeconds;
        double otherCpuSeconds; // CPU used on the machine by other processes during the phase
        long gcMillis;
        long gcCount;
        double loadAvg;
        Map<String, Double> threadCpu;

        double opsPerSecond() {
            return ops / seconds;
        }

        double ms(double percentile) {
            return histogram.getValueAtPercentile(percentile) / 1000.0;
        }

        double cpuMicrosPerOp() {
            return ops == 0 ? 0 : processCpuSeconds * 1e6 / ops;
        }
    }

    private Result measure(Phase phase, String tag, int durationSeconds) throws Exception {
        System.gc(); // start each phase from a similar heap, so one phase does not pay for the previous one's garbage
        Thread.sleep(200);
        Result r = new Result();
        r.phase = phase.name;
        r.loadAvg = loadAverage();
        CountDownLatch finished = new CountDownLatch(concurrency);
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        List<Caller> callers = new ArrayList<>();
        Map<Long, Long> threadCpu0 = threadCpuNanos();
        Map<Long, String> threadNames = threadNames();
        long cpu0 = processCpuNanos();
        long[] gc0 = gc();
        long[] sys0 = systemCpuTicks();
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(durationSeconds);
        for (int i = 0; i < concurrency; i++) {
            Caller c = new Caller(deadline, finished, errors, firstError, phase.name + tag);
            callers.add(c);
        }
        for (int i = 0; i < concurrency; i++) {
            phase.loop.start(i, callers.get(i));
        }
        if (!finished.await(durationSeconds + 60L, TimeUnit.SECONDS)) {
            throw new IllegalStateException(phase.name + ": callers did not finish within 60 s of the deadline");
        }
        long t1 = System.nanoTime();
        long cpu1 = processCpuNanos();
        long[] gc1 = gc();
        long[] sys1 = systemCpuTicks();
        Map<Long, Long> threadCpu1 = threadCpuNanos();
        threadNames.putAll(threadNames());
        r.seconds = (t1 - t0) / 1e9;
        r.histogram = new Histogram(MAX_MICROS, 3);
        for (Caller c : callers) {
            r.histogram.add(c.histogram);
            r.ops += c.ops;
        }
        r.errors = errors.get();
        r.firstError = firstError.get();
        r.processCpuSeconds = (cpu1 - cpu0) / 1e9;
        r.gcMillis = gc1[0] - gc0[0];
        r.gcCount = gc1[1] - gc0[1];
        if (sys0 != null && sys1 != null) {
            double busySeconds = (sys1[0] - sys0[0]) / 100.0; // USER_HZ = 100
            r.otherCpuSeconds = Math.max(0, busySeconds - r.processCpuSeconds);
        }
        r.threadCpu = new HashMap<>();
        for (Map.Entry<Long, Long> e : threadCpu1.entrySet()) {
            long before = threadCpu0.getOrDefault(e.getKey(), 0L);
            String group = threadGroup(threadNames.getOrDefault(e.getKey(), "?"));
            r.threadCpu.merge(group, (e.getValue() - before) / 1e9, Double::sum);
        }
        if (phase.name.equals("grpc") && tag.equals("w")) {
            createdInWarmup.addAndGet(r.ops);
        }
        if (r.firstError != null) {
            out.println("  first error in " + phase.name + " " + tag + ": " + r.firstError);
        }
        return r;
    }

    /** Thread name without its number, e.g. "armeria-common-worker-nio-2-1" -> "armeria-common-worker-nio". */
    private static String threadGroup(String name) {
        return name.replaceAll("[-_#]?\\d+$", "").replaceAll("([-_]\\d+)+$", "");
    }

    private static Map<Long, Long> threadCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            long t = threads.getThreadCpuTime(id);
            if (t >= 0) {
                cpu.put(id, t);
            }
        }
        return cpu;
    }

    private static Map<Long, String> threadNames() {
        Map<Long, String> names = new HashMap<>();
        for (var info : ManagementFactory.getThreadMXBean().getThreadInfo(
                ManagementFactory.getThreadMXBean().getAllThreadIds())) {
            if (info != null) {
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
        return names;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long[] gc() {
        long millis = 0;
        long count = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            millis += Math.max(0, gc.getCollectionTime());
            count += Math.max(0, gc.getCollectionCount());
        }
        return new long[] {millis, count};
    }

    /** {busy, total} jiffies of the whole machine from /proc/stat, or null when not on Linux. */
    private static long[] systemCpuTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    // ---------------------------------------------------------------- printing

    private void printMachine() {
        Runtime rt = Runtime.getRuntime();
        String cpuModel = "?";
        try {
            cpuModel = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        out.printf(Locale.ROOT, "machine  %d CPUs (%s), %s %s, max heap %d MB, load average %.2f%n",
                rt.availableProcessors(), cpuModel, System.getProperty("os.name"), System.getProperty("os.version"),
                rt.maxMemory() >> 20, loadAverage());
        out.printf(Locale.ROOT, "java     %s (%s %s), GC %s%n", System.getProperty("java.version"),
                System.getProperty("java.vm.name"), System.getProperty("java.vm.version"),
                ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList());
    }

    private void printHeader() {
        out.printf(Locale.ROOT, "%-5s %-5s %8s %9s %8s %8s %8s %8s %6s %7s %9s %7s %7s %5s%n",
                "round", "phase", "ops", "ops/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors",
                "cpu %", "cpu us/op", "gc ms", "other%", "load");
    }

    private void printRow(String round, Result r) {
        out.printf(Locale.ROOT, "%-5s %-5s %8d %9.0f %8.2f %8.2f %8.2f %8.2f %6d %7.0f %9.0f %7d %7.0f %5.2f%n",
                round, r.phase, r.ops, r.opsPerSecond(), r.ms(50), r.ms(90), r.ms(99), r.histogram.getMaxValue() / 1000.0,
                r.errors, 100 * r.processCpuSeconds / r.seconds, r.cpuMicrosPerOp(), r.gcMillis,
                100 * r.otherCpuSeconds / r.seconds, r.loadAvg);
    }

    private void printSummary(List<Result> raws, List<Result> grpcs) {
        out.println();
        out.println("medians over the measured rounds");
        out.printf(Locale.ROOT, "%-5s %9s %8s %8s %8s %8s %9s %6s%n",
                "phase", "ops/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "cpu us/op", "errors");
        for (List<Result> rs : List.of(raws, grpcs)) {
            out.printf(Locale.ROOT, "%-5s %9.0f %8.2f %8.2f %8.2f %8.2f %9.0f %6d%n", rs.get(0).phase,
                    median(rs, Result::opsPerSecond), median(rs, r -> r.ms(50)), median(rs, r -> r.ms(90)),
                    median(rs, r -> r.ms(99)), median(rs, r -> r.histogram.getMaxValue() / 1000.0),
                    median(rs, Result::cpuMicrosPerOp), rs.stream().mapToLong(r -> r.errors).sum());
        }
        double rawOps = median(raws, Result::opsPerSecond);
        double grpcOps = median(grpcs, Result::opsPerSecond);
        double[] perRound = new double[Math.min(raws.size(), grpcs.size())];
        for (int i = 0; i < perRound.length; i++) {
            perRound[i] = grpcs.get(i).opsPerSecond() / raws.get(i).opsPerSecond();
        }
        double p99 = median(grpcs, r -> r.ms(99));
        out.printf(Locale.ROOT, "%nratio grpc/raw ops/s: %.2f (medians); per round %s%n", grpcOps / rawOps,
                Arrays.stream(perRound).mapToObj(v -> String.format(Locale.ROOT, "%.2f", v)).toList());
        out.printf(Locale.ROOT, "target >= 0.50x raw: %s;  target grpc p99 < 25 ms: %s (%.2f ms)%n",
                grpcOps / rawOps >= 0.5 ? "MET" : "MISSED", p99 < 25 ? "MET" : "MISSED", p99);
    }

    private void printCpuBreakdown(String phase, List<Result> rs) {
        Map<String, Double> sum = new HashMap<>();
        double total = 0;
        long ops = 0;
        for (Result r : rs) {
            r.threadCpu.forEach((k, v) -> sum.merge(k, v, Double::sum));
            total += r.processCpuSeconds;
            ops += r.ops;
        }
        out.printf(Locale.ROOT, "%nCPU by thread group, %s phases (process total %.1f s = %.0f us/op)%n", phase, total,
                ops == 0 ? 0 : total * 1e6 / ops);
        double threadsTotal = sum.values().stream().mapToDouble(Double::doubleValue).sum();
        long finalOps = ops;
        sum.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .filter(e -> e.getValue() >= 0.005 * threadsTotal)
                .forEach(e -> out.printf(Locale.ROOT, "  %-45s %6.1f s %5.1f%% %6.0f us/op%n", e.getKey(), e.getValue(),
                        100 * e.getValue() / threadsTotal, finalOps == 0 ? 0 : e.getValue() * 1e6 / finalOps));
        out.printf(Locale.ROOT, "  %-45s %6.1f s%n", "(JVM-internal: GC, JIT, ... = total - threads)",
                Math.max(0, total - threadsTotal));
    }

    private static double median(List<Result> rs, java.util.function.ToDoubleFunction<Result> f) {
        double[] v = rs.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
