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
import dev.flywheel.clients.mongo.ProtoDocuments;
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
 * wired by {@link Main#configureServices} exactly as in production, and both load generators, all on loopback.
 * Each phase runs {@code --concurrency} closed-loop callers for {@code --seconds}; the store (collections and oplog)
 * is emptied before every phase. Phases alternate in ABBA order across rounds, after a warm-up that lasts until the
 * JIT has finished compiling. A round during which other processes used more than {@code --max-other-percent} of a
 * core is printed with a * and repeated (at most {@code --max-rounds} in all).
 *
 * <p>Phases: {@code raw} (64 {@code insertOne}s of a stored new Job, w:majority, reactive-streams driver),
 * {@code grpc} (64 Armeria gRPC clients calling CreateJob), and two diagnostics: {@code raw-walk} and
 * {@code raw-json}, the raw loop that also builds a Job per insert and converts it to a Document as MongoJobStore
 * does ({@link ProtoDocuments}, a walk of the descriptor) or as it did before (proto3 JSON text, then Document.parse);
 * their difference is what that change saves in situ.
 *
 * <p>Options (all optional): {@code --seconds=10 --rounds=4 --concurrency=64 --warmup-seconds=10
 * --max-warmup-seconds=300 --raw-indexes=true --phases=raw,grpc --micro=true --verbose=false
 * --server-log=server/target/bench-server.log --mongo-uri=URI --max-other-percent=15 --max-rounds=12}.
 * {@code --micro} adds {@link StepCosts}: the single-thread cost of each step of CreateJob. {@code --verbose} prints
 * every phase's CPU per thread group. {@code --mongo-uri} with {@code --serve-mongo=MINUTES} (a second JVM running
 * only the stand-in; {@code BENCH_MONGO=separate bench/create-job.sh} does both) puts the database in a process of
 * its own, as in production: the stand-in keeps every document on its heap, and in this JVM its garbage collection
 * pauses Flywheel too. {@code --mongo-pid} names that process, so its CPU is shown as "db %" and does not count as
 * a disturbance.
 */
public final class CreateJobBenchmark {

    /** Latencies are recorded in microseconds; anything over a minute is clamped (and would be an error anyway). */
    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(1);
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames();

    private final int seconds;
    private final int warmupSeconds;
    private final int maxWarmupSeconds;
    private final String mongoUri;
    private final int maxOtherPercent;
    /** The process serving --mongo-uri, when it runs on this machine: its CPU is the database's, not a disturbance. */
    private final long mongoPid;
    private final int maxRounds;
    private final int rounds;
    private final int concurrency;
    private final boolean rawIndexes;
    private final List<String> phases;
    private final boolean micro;
    private final boolean verbose;
    private final PrintStream out;

    private CreateJobBenchmark(Map<String, String> opts, PrintStream out) {
        this.seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
        this.warmupSeconds = Integer.parseInt(opts.getOrDefault("warmup-seconds", "10"));
        this.maxWarmupSeconds = Integer.parseInt(opts.getOrDefault("max-warmup-seconds", "300"));
        this.mongoUri = opts.get("mongo-uri");
        this.mongoPid = Long.parseLong(opts.getOrDefault("mongo-pid", "0"));
        this.maxOtherPercent = Integer.parseInt(opts.getOrDefault("max-other-percent", "15"));
        this.rounds = Integer.parseInt(opts.getOrDefault("rounds", "4"));
        this.maxRounds = Integer.parseInt(opts.getOrDefault("max-rounds", String.valueOf(3 * rounds)));
        this.concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "64"));
        this.rawIndexes = Boolean.parseBoolean(opts.getOrDefault("raw-indexes", "true"));
        this.phases = List.of(opts.getOrDefault("phases", "raw,grpc").split(","));
        this.micro = Boolean.parseBoolean(opts.getOrDefault("micro", "true"));
        this.verbose = Boolean.parseBoolean(opts.getOrDefault("verbose", "false"));
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                System.err.println("usage: CreateJobBenchmark [--seconds=10] [--rounds=4] [--concurrency=64] "
                        + "[--warmup-seconds=10] [--max-warmup-seconds=300] [--raw-indexes=true] "
                        + "[--phases=raw,grpc[,raw-walk,raw-json]] [--micro=true] [--verbose=false] [--server-log=PATH] "
                        + "[--mongo-uri=URI [--mongo-pid=PID]] [--max-other-percent=15] [--max-rounds=3*rounds]\n"
                        + "       CreateJobBenchmark --serve-mongo=MINUTES   (only the stand-in, for a --mongo-uri run)");
                System.exit(2);
            }
            opts.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        if (opts.containsKey("serve-mongo")) {
            serveMongo(Long.parseLong(opts.get("serve-mongo")));
            return;
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

    /**
     * Diagnostic mode: the same stand-in DevStack starts, alone in this JVM, so that a benchmark run with
     * {@code --mongo-uri} can tell the cost of sharing a heap with it. Stops after {@code minutes} or when stdin ends.
     */
    private static void serveMongo(long minutes) throws Exception {
        try (DevStack stack = DevStack.builder().elasticsearch(false).start()) {
            System.out.println(stack.mongoUri());
            System.out.flush();
            Thread stdin = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // wait for the end of input
                    }
                } catch (IOException ignored) {
                    // treat as the end
                }
            });
            stdin.setDaemon(true);
            stdin.start();
            stdin.join(TimeUnit.MINUTES.toMillis(minutes));
        }
        System.exit(0);
    }

    /** Longest GC pause since the phase started (ms), from the collectors' notifications. */
    private static final AtomicLong maxGcPause = new AtomicLong();

    private static void listenToGcPauses() {
        for (GarbageCollectorMXBean gc : pauseCollectors()) {
            if (gc instanceof javax.management.NotificationEmitter emitter) {
                emitter.addNotificationListener((n, handback) -> {
                    if (com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                        var info = com.sun.management.GarbageCollectionNotificationInfo.from(
                                (javax.management.openmbean.CompositeData) n.getUserData());
                        maxGcPause.accumulateAndGet(info.getGcInfo().getDuration(), Math::max);
                    }
                }, null, null);
            }
        }
    }

    private int run() throws Exception {
        printMachine();
        listenToGcPauses();
        try (DevStack stack = DevStack.builder().mongoUri(mongoUri).elasticsearch(false).start();
             FlywheelApp app = FlywheelApp.open(stack.mongoUri(), "bench", JobConfigs.builtInDefaults())) {
            ServerBuilder sb = Server.builder().http(0);
            Main.configureServices(sb, app);
            Server server = sb.build();
            server.start().join();
            // The load generator's own event loops, so that client work does not queue behind the server's.
            EventLoopGroup clientLoops = EventLoopGroups.newEventLoopGroup(2, "bench-client", true);
            List<ClientFactory> factories = new ArrayList<>();
            // the same settings MongoStores uses, so both sides pay the same write concern
            MongoClient rawClient = MongoClients.create(storeSettings(stack.mongoUri()));
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
                // The stand-in keeps every document, and an oplog copy of it, on this JVM's heap (~19 KB per insert).
                // Empty both before each phase, so every phase starts from the same store and heap.
                MongoCollection<Document> jobsCollection = rawClient.getDatabase("bench").getCollection("jobs");
                MongoCollection<Document> oplog = rawClient.getDatabase("local").getCollection("oplog.rs");
                reset = () -> {
                    Mono.from(jobsCollection.deleteMany(new Document())).block();
                    Mono.from(raw.deleteMany(new Document())).block();
                    Mono.from(oplog.deleteMany(new Document())).block();
                };
                storedCount = phase -> Mono.from((phase.startsWith("raw") ? raw : jobsCollection).countDocuments()).block();
                out.printf(Locale.ROOT, "server   %s (Main.configureServices), mongo %s (%s)%n", target, stack.mongoUri(),
                        stack.localMongo() != null ? "DevStack stand-in in this JVM, memory backend"
                                : "external, given by --mongo-uri");
                out.printf(Locale.ROOT, "document %d bytes BSON (a new Job as MongoJobStore stores it); raw collection %s%n",
                        bsonSize(template), rawIndexes ? "has the same indexes as jobs" : "has only _id");
                out.printf(Locale.ROOT, "load     %d concurrent callers per phase, closed loop, %d s per phase, %d rounds, "
                        + "after a warm-up of %d s phases until the JIT is done (at most %d s)%n%n", concurrency, seconds,
                        rounds, warmupSeconds, maxWarmupSeconds);

                Map<String, Phase> known = new java.util.LinkedHashMap<>();
                known.put("raw", new Phase("raw", (id, c) -> rawLoop(raw, (i, seq) -> {
                    Document doc = new Document(template);
                    doc.put("_id", new ObjectId());
                    doc.put("client_id", "bench-raw-" + i);
                    doc.put("request_id", seq);
                    return doc;
                }, id, c)));
                known.put("grpc", new Phase("grpc", (id, c) -> grpcLoop(stubs.get(id), id, c)));
                // Diagnostics: the raw loop plus building the Job and converting it per insert, as MongoJobStore does
                // (descriptor walk) or did before (JSON text); the difference is what the change saves in this setting.
                known.put("raw-walk", new Phase("raw-walk", (id, c) -> rawLoop(raw, (i, seq) -> storedJob(i, seq,
                        ProtoDocuments::toDocument), id, c)));
                known.put("raw-json", new Phase("raw-json", (id, c) -> rawLoop(raw, (i, seq) -> storedJob(i, seq,
                        CreateJobBenchmark::viaJson), id, c)));
                List<Phase> wanted = new ArrayList<>();
                for (String name : phases) {
                    Phase phase = known.get(name);
                    if (phase == null) {
                        throw new IllegalArgumentException("unknown phase " + name + "; known: " + known.keySet());
                    }
                    wanted.add(phase);
                }
                // The gRPC path runs a lot of code (Armeria, Netty HTTP/2, gRPC, protobuf, the driver): on 2 cores the JIT
                // needs minutes at full load to compile it, and until then it takes up to a core. Warm up until a
                // warm-up pass compiles for less than 10% of its time and its CPU per call has settled.
                out.println("warm-up (until JIT compilation falls below 10% of the time and CPU/op settles)");
                printHeader();
                long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxWarmupSeconds);
                Map<String, Double> lastCpu = new HashMap<>();
                for (int pass = 1; ; pass++) {
                    boolean settled = true;
                    for (Phase phase : wanted) {
                        Result w = measure(phase, "w" + pass, warmupSeconds);
                        printRow("w" + pass, w);
                        Double before = lastCpu.put(phase.name, w.cpuMicrosPerOp());
                        settled &= w.jitMillis < 100L * warmupSeconds && before != null
                                && Math.abs(w.cpuMicrosPerOp() - before) <= 0.1 * before;
                    }
                    if (settled || System.nanoTime() > warmupEnd) {
                        out.println(settled ? "  warm: JIT quiet and CPU/op settled" : "  NOT settled within --max-warmup-seconds");
                        break;
                    }
                }
                out.println();
                out.printf(Locale.ROOT, "measured rounds (order alternates: raw,grpc then grpc,raw; a round in which other "
                        + "processes took more than %d%% of a core is marked * and repeated, at most %d rounds in all)%n",
                        maxOtherPercent, maxRounds);
                printHeader();
                Map<String, List<Result>> byPhase = new java.util.LinkedHashMap<>();
                for (Phase phase : wanted) {
                    byPhase.put(phase.name, new ArrayList<>());
                }
                List<Result> all = new ArrayList<>();
                int valid = 0;
                for (int round = 1; valid < rounds && round <= maxRounds; round++) {
                    List<Phase> order = new ArrayList<>(wanted);
                    if (valid % 2 == 1) {
                        java.util.Collections.reverse(order);
                    }
                    List<Result> pair = new ArrayList<>();
                    for (Phase phase : order) {
                        pair.add(measure(phase, "r" + round, seconds));
                    }
                    boolean disturbed = pair.stream().anyMatch(r -> 100 * r.otherCpuSeconds / r.seconds > maxOtherPercent);
                    for (Result r : pair) {
                        printRow(round + (disturbed ? "*" : ""), r);
                        all.add(r);
                        if (!disturbed) {
                            byPhase.get(r.phase).add(r);
                        }
                    }
                    if (!disturbed) {
                        valid++;
                    }
                }
                if (valid < rounds) {
                    out.printf(Locale.ROOT, "  only %d undisturbed rounds of %d wanted; the machine was busy%n", valid, rounds);
                }
                long errors = all.stream().mapToLong(r -> r.errors).sum();
                printSummary(byPhase);
                for (Map.Entry<String, List<Result>> e : byPhase.entrySet()) {
                    printCpuBreakdown(e.getKey(), e.getValue());
                }
                if (micro) {
                    new StepCosts(out).run();
                }
                long answered = all.stream().mapToLong(r -> r.ops).sum();
                long stored = all.stream().mapToLong(r -> r.stored).sum();
                out.printf(Locale.ROOT, "%ncheck (measured phases): %d calls answered OK, %d documents stored; errors %d%n",
                        answered, stored, errors);
                return errors == 0 && stored == answered ? 0 : 1;
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

    private Runnable reset = () -> {};
    /** Documents in the phase's collection after the phase: must equal the calls answered OK. */
    private java.util.function.Function<String, Long> storedCount = phase -> -1L;

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

    /** The client settings of MongoStores.open. */
    private static MongoClientSettings storeSettings(String uri) {
        return MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(uri))
                .writeConcern(WriteConcern.MAJORITY.withWTimeout(10, TimeUnit.SECONDS))
                .applyToClusterSettings(b -> b.serverSelectionTimeout(10, TimeUnit.SECONDS))
                .applyToSocketSettings(b -> b.connectTimeout(5, TimeUnit.SECONDS))
                .applicationName("flywheel")
                .build();
    }

    /** Builds the document a raw writer inserts: {@code (writer, unique request id) -> document}. */
    private interface DocFactory {
        Document make(int writer, String requestId);
    }

    private void rawLoop(MongoCollection<Document> raw, DocFactory docs, int id, Caller c) {
        if (!c.more()) {
            return;
        }
        long t0 = System.nanoTime();
        Document doc = docs.make(id, c.tag + "-" + id + "-" + (c.seq++));
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
                rawLoop(raw, docs, id, c);
            }

            @Override
            public void onError(Throwable e) {
                c.failed(e);
                rawLoop(raw, docs, id, c);
            }

            @Override
            public void onComplete() {
                if (!done) {
                    c.failed(new IllegalStateException("insertOne completed without a result"));
                    rawLoop(raw, docs, id, c);
                }
            }
        });
    }

    private static final JobConfig SEEDED_DEFAULTS = JobConfigs.withSplitOverrides(JobConfigs.builtInDefaults(),
            JobConfigs.builtInDefaults().getDataSplitConfig().toBuilder().setRandomSeed(12345).build());

    /** MongoJobStore's conversion before the descriptor walk: proto3 JSON text (pretty), parsed into a Document. */
    private static Document viaJson(Job job) {
        try {
            return Document.parse(PRINTER.print(job));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new Job for this writer and request id, converted by {@code convert} and completed as MongoJobStore does. */
    private static Document storedJob(int writer, String requestId, java.util.function.Function<Job, Document> convert) {
        CreateJobRequest request = request(writer, requestId).toBuilder().setClientId("bench-raw-" + writer).build();
        Job job = Jobs.newJob(new ObjectId().toHexString(), request, SEEDED_DEFAULTS, "", 0, requestId, Instant.now());
        job = job.toBuilder().setTo(job.getCreatedAt()).build();
        Document doc = convert.apply(job.toBuilder().clearId().build());
        doc.put("_id", new ObjectId(job.getId()));
        doc.put("version", job.getVersion());
        doc.put("schema_version", 1);
        doc.put("request_fingerprint", Jobs.fingerprint(request));
        return doc;
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
        Document doc = ProtoDocuments.toDocument(job.toBuilder().clearId().build());
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
        double dbCpuSeconds; // CPU used by the --mongo-pid process (0 when the stand-in runs in this JVM)
        long gcMillis;
        long gcMaxPause;
        long jitMillis;
        long gcCount;
        long stored;
        double loadAvg;
        Map<String, Double> threadCpu;
        Map<String, Double> threadAlloc;

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
        reset.run();
        System.gc(); // start each phase from a similar heap, so one phase does not pay for the previous one's garbage
        Thread.sleep(500);
        Result r = new Result();
        r.phase = phase.name;
        r.loadAvg = loadAverage();
        CountDownLatch finished = new CountDownLatch(concurrency);
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        List<Caller> callers = new ArrayList<>();
        Map<Long, Long> threadCpu0 = threadCpuNanos();
        Map<Long, Long> threadAlloc0 = threadAllocatedBytes();
        Map<Long, String> threadNames = threadNames();
        long cpu0 = processCpuNanos();
        long[] gc0 = gc();
        maxGcPause.set(0);
        long jit0 = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        long[] sys0 = systemCpuTicks();
        long db0 = processTicks(mongoPid);
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
        long db1 = processTicks(mongoPid);
        Map<Long, Long> threadCpu1 = threadCpuNanos();
        Map<Long, Long> threadAlloc1 = threadAllocatedBytes();
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
        r.gcMaxPause = maxGcPause.get();
        r.jitMillis = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit0;
        r.gcCount = gc1[1] - gc0[1];
        if (sys0 != null && sys1 != null) {
            double busySeconds = (sys1[0] - sys0[0]) / 100.0; // USER_HZ = 100
            r.dbCpuSeconds = (db1 - db0) / 100.0;
            r.otherCpuSeconds = Math.max(0, busySeconds - r.processCpuSeconds - r.dbCpuSeconds);
        }
        r.threadCpu = new HashMap<>();
        for (Map.Entry<Long, Long> e : threadCpu1.entrySet()) {
            long before = threadCpu0.getOrDefault(e.getKey(), 0L);
            String group = threadGroup(threadNames.getOrDefault(e.getKey(), "?"));
            r.threadCpu.merge(group, (e.getValue() - before) / 1e9, Double::sum);
        }
        r.threadAlloc = new HashMap<>();
        for (Map.Entry<Long, Long> e : threadAlloc1.entrySet()) {
            long before = threadAlloc0.getOrDefault(e.getKey(), 0L);
            String group = threadGroup(threadNames.getOrDefault(e.getKey(), "?"));
            r.threadAlloc.merge(group, (double) (e.getValue() - before), Double::sum);
        }
        r.stored = storedCount.apply(phase.name);
        if (r.firstError != null) {
            out.println("  first error in " + phase.name + " " + tag + ": " + r.firstError);
        }
        return r;
    }

    /** Thread name without its number, e.g. "armeria-common-worker-nio-2-1" -> "armeria-common-worker-nio", labelled. */
    private static String threadGroup(String name) {
        String group = name.replaceAll("([-_#]?\\d+)+$", "").replaceAll("([-_]\\d+)+$", "");
        if (group.startsWith("AsyncGetter")) {
            group = "AsyncGetter";
        }
        return switch (group) {
            case "armeria-common-worker" -> group + " (server: HTTP/2, gRPC, JobService)";
            case "bench-client" -> group + " (load generator: gRPC clients)";
            case "Thread", "AsyncGetter" -> group + " (MongoDB driver I/O + callbacks)";
            case "mongo-server-worker" -> group + " (Mongo stand-in)";
            default -> group;
        };
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

    private static Map<Long, Long> threadAllocatedBytes() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Map<Long, Long> bytes = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            long b = threads.getThreadAllocatedBytes(id);
            if (b >= 0) {
                bytes.put(id, b);
            }
        }
        return bytes;
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

    /**
     * The collectors whose times are pauses. ZGC (and Shenandoah) also report their concurrent cycles as a collector
     * ("ZGC Cycles"), which run beside the application; they are left out so that "gc ms" and "gc max" are pauses
     * for every collector.
     */
    private static List<GarbageCollectorMXBean> pauseCollectors() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().filter(gc -> !gc.getName().endsWith("Cycles")).toList();
    }

    private static long[] gc() {
        long millis = 0;
        long count = 0;
        for (GarbageCollectorMXBean gc : pauseCollectors()) {
            millis += Math.max(0, gc.getCollectionTime());
            count += Math.max(0, gc.getCollectionCount());
        }
        return new long[] {millis, count};
    }

    /** User + system jiffies of process {@code pid} from /proc/PID/stat; 0 for pid 0 or when unreadable. */
    private static long processTicks(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name (which is in parentheses and may contain spaces): utime is the 14th
            // field of the line, stime the 15th, i.e. the 12th and 13th after ")".
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
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
        out.printf(Locale.ROOT, "%-5s %-8s %8s %9s %8s %8s %8s %8s %6s %7s %9s %6s %6s %6s %5s %7s %5s%n",
                "round", "phase", "ops", "ops/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors",
                "cpu %", "cpu us/op", "gc ms", "gc max", "jit ms", "db %", "other%", "load");
    }

    private void printRow(String round, Result r) {
        out.printf(Locale.ROOT, "%-5s %-8s %8d %9.0f %8.2f %8.2f %8.2f %8.2f %6d %7.0f %9.0f %6d %6d %6d %5.0f %7.0f %5.2f%n",
                round, r.phase, r.ops, r.opsPerSecond(), r.ms(50), r.ms(90), r.ms(99), r.histogram.getMaxValue() / 1000.0,
                r.errors, 100 * r.processCpuSeconds / r.seconds, r.cpuMicrosPerOp(), r.gcMillis, r.gcMaxPause,
                r.jitMillis, 100 * r.dbCpuSeconds / r.seconds, 100 * r.otherCpuSeconds / r.seconds, r.loadAvg);
        if (verbose) {
            StringBuilder line = new StringBuilder("    cpu us/op:");
            r.threadCpu.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .filter(e -> e.getValue() * 1e6 / Math.max(1, r.ops) >= 5)
                    .forEach(e -> line.append(String.format(Locale.ROOT, " %s=%.0f", e.getKey().replaceAll(" \\(.*", ""),
                            e.getValue() * 1e6 / Math.max(1, r.ops))));
            double threads = r.threadCpu.values().stream().mapToDouble(Double::doubleValue).sum();
            line.append(String.format(Locale.ROOT, " jvm-internal=%.0f; %.1f KB allocated/op",
                    (r.processCpuSeconds - threads) * 1e6 / Math.max(1, r.ops),
                    r.threadAlloc.values().stream().mapToDouble(Double::doubleValue).sum() / 1024 / Math.max(1, r.ops)));
            out.println(line);
        }
    }

    private void printSummary(Map<String, List<Result>> byPhase) {
        out.println();
        if (byPhase.values().stream().anyMatch(List::isEmpty)) {
            return;
        }
        out.println("medians over the measured rounds");
        out.printf(Locale.ROOT, "%-8s %9s %8s %8s %8s %8s %9s %6s%n",
                "phase", "ops/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "cpu us/op", "errors");
        for (List<Result> rs : byPhase.values()) {
            out.printf(Locale.ROOT, "%-8s %9.0f %8.2f %8.2f %8.2f %8.2f %9.0f %6d%n", rs.get(0).phase,
                    median(rs, Result::opsPerSecond), median(rs, r -> r.ms(50)), median(rs, r -> r.ms(90)),
                    median(rs, r -> r.ms(99)), median(rs, r -> r.histogram.getMaxValue() / 1000.0),
                    median(rs, Result::cpuMicrosPerOp), rs.stream().mapToLong(r -> r.errors).sum());
        }
        List<Result> raws = byPhase.get("raw");
        if (raws == null) {
            return;
        }
        double rawOps = median(raws, Result::opsPerSecond);
        for (Map.Entry<String, List<Result>> e : byPhase.entrySet()) {
            if (e.getKey().equals("raw")) {
                continue;
            }
            List<Result> rs = e.getValue();
            double ops = median(rs, Result::opsPerSecond);
            double[] perRound = new double[Math.min(raws.size(), rs.size())];
            for (int i = 0; i < perRound.length; i++) {
                perRound[i] = rs.get(i).opsPerSecond() / raws.get(i).opsPerSecond();
            }
            out.printf(Locale.ROOT, "%nratio %s/raw ops/s: %.2f (medians); per round %s%n", e.getKey(), ops / rawOps,
                    Arrays.stream(perRound).mapToObj(v -> String.format(Locale.ROOT, "%.2f", v)).toList());
        }
        List<Result> grpcs = byPhase.get("grpc");
        if (grpcs != null) {
            double p99 = median(grpcs, r -> r.ms(99));
            double ratio = median(grpcs, Result::opsPerSecond) / rawOps;
            out.printf(Locale.ROOT, "target >= 0.50x raw: %s (%.2f);  target grpc p99 < 25 ms: %s (%.2f ms)%n",
                    ratio >= 0.5 ? "MET" : "MISSED", ratio, p99 < 25 ? "MET" : "MISSED", p99);
        }
    }

    private void printCpuBreakdown(String phase, List<Result> rs) {
        if (rs.isEmpty()) {
            return;
        }
        Map<String, Double> cpu = new HashMap<>();
        Map<String, Double> alloc = new HashMap<>();
        double total = 0;
        long ops = 0;
        for (Result r : rs) {
            r.threadCpu.forEach((k, v) -> cpu.merge(k, v, Double::sum));
            r.threadAlloc.forEach((k, v) -> alloc.merge(k, v, Double::sum));
            total += r.processCpuSeconds;
            ops += r.ops;
        }
        double perOp = ops == 0 ? 0 : 1.0 / ops;
        double processTotal = total;
        out.printf(Locale.ROOT, "%nCPU and allocation by thread group, %s phases: process CPU %.1f s = %.0f us/op, "
                + "allocated %.1f KB/op%n", phase, total, total * 1e6 * perOp,
                alloc.values().stream().mapToDouble(Double::doubleValue).sum() * perOp / 1024);
        double threadsTotal = cpu.values().stream().mapToDouble(Double::doubleValue).sum();
        cpu.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .filter(e -> e.getValue() >= 0.005 * threadsTotal)
                .forEach(e -> out.printf(Locale.ROOT, "  %-58s %6.0f us/op %5.1f%% %7.1f KB/op%n", e.getKey(),
                        e.getValue() * 1e6 * perOp, 100 * e.getValue() / processTotal,
                        alloc.getOrDefault(e.getKey(), 0.0) * perOp / 1024));
        out.printf(Locale.ROOT, "  %-58s %6.0f us/op %5.1f%%%n", "JVM-internal (GC, JIT; = process - Java threads)",
                Math.max(0, total - threadsTotal) * 1e6 * perOp, 100 * Math.max(0, total - threadsTotal) / total);
    }

    private static double median(List<Result> rs, java.util.function.ToDoubleFunction<Result> f) {
        double[] v = rs.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    // ---------------------------------------------------------------- single-thread step costs

    /**
     * What each step of CreateJob costs on the server's event loop, one thread, warmed up: the same calls
     * JobService.create and MongoJobStore.create make, in the same order, on the same request. Also the JSON-text
     * conversion that ProtoDocuments replaced (both directions), checked to give an equal Document and Job.
     */
    static final class StepCosts {
        private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
        private static final org.bson.json.JsonWriterSettings RELAXED = org.bson.json.JsonWriterSettings.builder()
                .outputMode(org.bson.json.JsonMode.RELAXED).build();
        private final PrintStream out;
        private static volatile Object sink;

        StepCosts(PrintStream out) {
            this.out = out;
        }

        void run() throws Exception {
            CreateJobRequest request = request(7, "step-costs");
            JobConfig defaults = JobConfigs.builtInDefaults();
            java.security.SecureRandom seeds = new java.security.SecureRandom();
            JobConfig config = JobConfigs.withSplitOverrides(defaults,
                    defaults.getDataSplitConfig().toBuilder().setRandomSeed(42).build());
            Job job = Jobs.newJob(new ObjectId().toHexString(), request, config, "", 0, "step-costs", Instant.now());
            job = job.toBuilder().setTo(job.getCreatedAt()).build();
            Job stored = job.toBuilder().clearId().build();
            Document document = ProtoDocuments.toDocument(stored);
            boolean sameDocument = document.equals(viaJson(stored));
            boolean sameJob = ProtoDocuments.fromDocument(document, Job.newBuilder()).build().equals(stored);
            byte[] jobBytes = job.toByteArray();
            Job finalJob = job;

            out.printf(Locale.ROOT, "%nCreateJob steps, one thread, warmed (Job JSON %d chars pretty; Job protobuf %d bytes)%n",
                    PRINTER.print(stored).length(), jobBytes.length);
            out.printf(Locale.ROOT, "  %-78s %8s %8s %6s%n", "step", "ns/op", "bytes/op", "other%");
            step("CreateJobValidator.violations(request)", () -> dev.flywheel.core.job.CreateJobValidator.violations(request));
            step("SecureRandom.nextInt (the job's seed)", () -> seeds.nextInt(Integer.MAX_VALUE));
            step("resolve: withSplitOverrides(seed) + JobConfigs.validate", () -> {
                JobConfig c = JobConfigs.withSplitOverrides(defaults,
                        defaults.getDataSplitConfig().toBuilder().setRandomSeed(42).build());
                return JobConfigs.validate(c, "");
            });
            step("Jobs.newJob + setTo + ObjectId", () -> {
                Job j = Jobs.newJob(new ObjectId().toHexString(), request, config, "", 0, "r", Instant.now());
                return j.toBuilder().setTo(j.getCreatedAt()).build();
            });
            step("Jobs.fingerprint(request)", () -> Jobs.fingerprint(request));
            long walk = step("store: Job -> Document as MongoJobStore does (clearId + ProtoDocuments)"
                    + (sameDocument ? "" : " [NOT EQUAL]"), () -> ProtoDocuments.toDocument(finalJob.toBuilder().clearId().build()));
            long json = step("  before: clearId + JsonFormat.print (pretty) + Document.parse",
                    () -> viaJson(finalJob.toBuilder().clearId().build()));
            long read = step("read: Document -> Job as MongoJobStore does (ProtoDocuments)"
                    + (sameJob ? "" : " [NOT EQUAL]"), () -> ProtoDocuments.fromDocument(document, Job.newBuilder()).build());
            long readJson = step("  before: Document.toJson + JsonFormat.parser().merge", () -> {
                Job.Builder b = Job.newBuilder();
                PARSER.merge(document.toJson(RELAXED), b);
                return b.build();
            });
            step("driver: encode the Document to BSON (DocumentCodec)",
                    () -> new RawBsonDocument(document, new DocumentCodec()));
            step("gRPC: Job.toByteArray (response)", finalJob::toByteArray);
            step("gRPC: CreateJobRequest.parseFrom (request)", () -> CreateJobRequest.parseFrom(request.toByteArray()));
            out.printf(Locale.ROOT, "  ProtoDocuments gives the Document the JSON path gave: %s, and reads it back to the Job: %s;%n"
                    + "  store costs %.0f%% of the JSON path (%d vs %d ns), read %.0f%% (%d vs %d ns)%n", sameDocument, sameJob,
                    100.0 * walk / json, walk, json, 100.0 * read / readJson, read, readJson);
        }

        interface Step {
            Object call() throws Exception;
        }

        /** Runs {@code step} for 1 s to warm, then three 1 s windows; prints and returns the best ns per call. */
        private long step(String name, Step step) throws Exception {
            System.gc();
            for (long end = System.nanoTime() + 1_000_000_000L; System.nanoTime() < end; ) {
                for (int i = 0; i < 100; i++) {
                    sink = step.call();
                }
            }
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long bytes0 = threads.getCurrentThreadAllocatedBytes();
            long calls = 0;
            long ns = Long.MAX_VALUE;
            long[] sys0 = systemCpuTicks();
            long cpu0 = processCpuNanos();
            long w0 = System.nanoTime();
            for (int window = 0; window < 3; window++) {
                long n = 0;
                long t0 = System.nanoTime();
                long end = t0 + 1_000_000_000L;
                long t1;
                do {
                    for (int i = 0; i < 100; i++) {
                        sink = step.call();
                    }
                    n += 100;
                    t1 = System.nanoTime();
                } while (t1 < end);
                ns = Math.min(ns, (t1 - t0) / n);
                calls += n;
            }
            long bytesPerCall = (threads.getCurrentThreadAllocatedBytes() - bytes0) / calls;
            long[] sys1 = systemCpuTicks();
            double other = sys0 == null || sys1 == null ? 0 : Math.max(0, (sys1[0] - sys0[0]) / 100.0
                    - (processCpuNanos() - cpu0) / 1e9) / ((System.nanoTime() - w0) / 1e9);
            out.printf(Locale.ROOT, "  %-78s %8d %8d %6.0f%n", name, ns, bytesPerCall, 100 * other);
            return ns;
        }
    }
}
