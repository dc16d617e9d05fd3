package dev.flywheel.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.linecorp.armeria.client.Clients;
import com.linecorp.armeria.client.UnprocessedRequestException;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import com.linecorp.armeria.common.SerializationFormat;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import com.linecorp.armeria.common.util.SafeCloseable;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import dev.flywheel.api.v1.CancelJobRequest;
import dev.flywheel.api.v1.ConfigServiceGrpc;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.DeleteConfigRequest;
import dev.flywheel.api.v1.DeleteJobRequest;
import dev.flywheel.api.v1.FlywheelServiceGrpc;
import dev.flywheel.api.v1.GetConfigRequest;
import dev.flywheel.api.v1.GetJobRequest;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.JobEvent;
import dev.flywheel.api.v1.ListConfigsRequest;
import dev.flywheel.api.v1.ListJobsRequest;
import dev.flywheel.api.v1.NamedConfig;
import dev.flywheel.api.v1.NimConfig;
import dev.flywheel.api.v1.PutConfigRequest;
import dev.flywheel.api.v1.WatchJobRequest;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.job.ConfigRef;
import dev.flywheel.core.job.CreateJobValidator;
import dev.flywheel.core.job.JobStatus;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.server.FlywheelApp;
import dev.flywheel.server.Main;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The hostile-input suite (issue #7): thousands of random and malformed requests over every surface of the public
 * port, on the production wiring ({@link Main#configureServices}) with the job engine off. For every request:
 * <ul>
 *   <li>no HTTP 5xx and no gRPC INTERNAL, UNKNOWN, DATA_LOSS or UNAVAILABLE: a bad request gets a clear 4xx or
 *       INVALID_ARGUMENT / NOT_FOUND / ...; a closed connection only where HTTP demands it for a broken message;</li>
 *   <li>no answer later than the time limit (a hang), except long-lived streams that have started (SSE, WatchJob);</li>
 *   <li>the {@code jobs} and {@code configs} collections change only on a successful answer, and each document one
 *       creates is a valid job (GetJob works, its ids and configuration pass validation, its numbers are finite) or a
 *       valid configuration.</li>
 * </ul>
 * At the end the server is healthy (/internal/health 200, gRPC health SERVING, CreateJob + GetJob work), no new
 * collection appeared, and the counts per category and answer are printed.
 * <p>Where the protocols allow something other than a clear answer, and only there:
 * <ul>
 *   <li>a closed connection without an answer for an incomplete HTTP/1.1 message or bytes that are not HTTP/1.1
 *       (RFC 9112 §8; RFC 9113 §3.4 and §5.4.1 for a broken HTTP/2 connection preface), see {@link RawAbuse};</li>
 *   <li>a reset for a request head over the server's limits (4 KiB request line, 8 KiB headers): the server answers
 *       414/431 and closes without reading the rest, and the TCP reset those unread bytes cause can overtake the
 *       answer (Netty does no lingering close);</li>
 *   <li>HTTP 504 with DEADLINE_EXCEEDED (the gRPC-HTTP mapping) only for a request that set its own grpc-timeout;</li>
 *   <li>silence from a WatchJob of an unfinished job the client is up to date with (gRPC sends headers with the first
 *       message);</li>
 *   <li>HTTP/2 headers over the server's advertised 8 KiB limit are refused by our own client (counted as "not sent");
 *       the JSON properties then send them over HTTP/1.1, where the server must answer 431.</li>
 * </ul>
 * <p>The seeds are fixed so CI is reproducible. Random runs found two more bugs, now fixed with a regression test
 * each (ListConfigs failed once a configuration holding a '$' string was stored: MongoConfigStoreTest; a refused
 * frame on the streaming reflection service answered INTERNAL: MalformedRequestsTest). Remove the seeds on purpose
 * to explore further; each run prints its seed.
 * <p>jqwik runs no JUnit Jupiter extension, so the suite starts its own {@link DevStack} (honouring the same
 * {@code FLYWHEEL_TEST_*} settings as {@link DevStackExtension}) and a database of its own.
 */
class HostileInputTest {

    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(15);
    /** How long a started stream must stay open to count as a live stream rather than a slow answer. */
    private static final Duration STREAM_OPEN = Duration.ofMillis(300);
    /**
     * How long a WatchJob of an unfinished job the client is already up to date with may stay silent: gRPC servers
     * delay response headers until the first message (gRPC retry design A6), so silence is the right answer there.
     */
    private static final Duration IDLE_WITHIN = Duration.ofSeconds(1);
    private static final Set<String> FORBIDDEN_GRPC = Set.of("INTERNAL", "UNKNOWN", "DATA_LOSS", "UNAVAILABLE");

    private static DevStack stack;
    private static FlywheelApp app;
    private static Server server;
    private static Wire wire;
    private static RawHttp1 raw;
    private static StoreProbe store;
    private static final Tally tally = new Tally();
    private static List<String> collectionsAtStart;

    private static FlywheelServiceGrpc.FlywheelServiceBlockingStub grpc;
    private static ConfigServiceGrpc.ConfigServiceBlockingStub configs;
    private static final Map<Format, Stubs> typed = new EnumMap<>(Format.class);

    /** What the store holds, as far as the suite knows: every change is checked against it. */
    private static final Set<String> jobs = new TreeSet<>();
    private static final Set<String> configDocs = new TreeSet<>();
    private static final List<String> deletedJobs = new ArrayList<>();

    enum Format {
        PROTO(GrpcSerializationFormats.PROTO), JSON(GrpcSerializationFormats.JSON), WEB(GrpcSerializationFormats.PROTO_WEB),
        WEB_TEXT(GrpcSerializationFormats.PROTO_WEB_TEXT), WEB_JSON(GrpcSerializationFormats.JSON_WEB);

        final SerializationFormat format;

        Format(SerializationFormat format) {
            this.format = format;
        }
    }

    record Stubs(FlywheelServiceGrpc.FlywheelServiceBlockingStub jobs, FlywheelServiceGrpc.FlywheelServiceStub async,
                 ConfigServiceGrpc.ConfigServiceBlockingStub configs, HealthGrpc.HealthBlockingStub health) {}

    @BeforeContainer
    static void start() {
        stack = DevStack.builder()
                .mongoUri(setting("flywheel.test.mongodb.uri", DevStackExtension.MONGODB_ENV))
                .redisUri(setting("flywheel.test.redis.uri", DevStackExtension.REDIS_ENV))
                .elasticsearch(false)
                .start();
        String database = "hostile_" + UUID.randomUUID().toString().substring(0, 8);
        app = FlywheelApp.open(stack.mongoUri(), database, JobConfigs.builtInDefaults());
        ServerBuilder sb = Server.builder().http(new java.net.InetSocketAddress("127.0.0.1", 0));
        Main.configureServices(sb, app);
        server = sb.build();
        server.start().join();
        int port = server.activeLocalPort();
        String base = "http://127.0.0.1:" + port;
        wire = new Wire(port);
        raw = new RawHttp1(port);
        store = new StoreProbe(stack.mongoUri(), database);
        grpc = GrpcClients.builder(base).responseTimeoutMillis(20_000).build(FlywheelServiceGrpc.FlywheelServiceBlockingStub.class);
        configs = GrpcClients.builder(base).responseTimeoutMillis(20_000).build(ConfigServiceGrpc.ConfigServiceBlockingStub.class);
        for (Format f : Format.values()) {
            typed.put(f, new Stubs(
                    GrpcClients.builder(base).serializationFormat(f.format).responseTimeoutMillis(20_000)
                            .maxResponseLength(0).build(FlywheelServiceGrpc.FlywheelServiceBlockingStub.class),
                    GrpcClients.builder(base).serializationFormat(f.format).responseTimeoutMillis(0)
                            .maxResponseLength(0).build(FlywheelServiceGrpc.FlywheelServiceStub.class),
                    GrpcClients.builder(base).serializationFormat(f.format).responseTimeoutMillis(20_000)
                            .maxResponseLength(0).build(ConfigServiceGrpc.ConfigServiceBlockingStub.class),
                    GrpcClients.builder(base).serializationFormat(f.format).responseTimeoutMillis(20_000)
                            .build(HealthGrpc.HealthBlockingStub.class)));
        }
        seed();
        collectionsAtStart = store.collections();
    }

    /** A few real documents, so hostile requests also reach existing jobs and configurations. */
    private static void seed() {
        for (int i = 0; i < 4; i++) {
            Job job = grpc.createJob(CreateJobRequest.newBuilder().setClientId("seed-" + i).setWorkloadId("w").build());
            jobs.add(job.getId());
            if (i == 0) {
                grpc.cancelJob(CancelJobRequest.newBuilder().setId(job.getId()).build()); // a terminal one too
            }
        }
        for (String name : List.of("prod", "small")) {
            NamedConfig c = configs.putConfig(PutConfigRequest.newBuilder().setName(name).setConfig(JobConfig.newBuilder()
                    .addNims(NimConfig.newBuilder().setModelName("meta/llama-3.2-1b-instruct"))).build());
            configDocs.add(c.getRef());
        }
        publishKnown();
    }

    @AfterContainer
    static void stop() {
        try {
            if (server != null) {
                finalChecks();
            }
        } finally {
            System.out.println(tally.render());
            if (wire != null) {
                wire.close();
            }
            if (store != null) {
                store.close();
            }
            if (server != null) {
                server.stop().join();
            }
            if (app != null) {
                app.close();
            }
            if (stack != null) {
                stack.close();
            }
        }
    }

    // =========================================================================================== properties

    /** JSON over HTTP/1.1 and HTTP/2 on every /v1 and /api route: wrong bodies, paths, queries, types, headers. */
    @Property(tries = 1200, seed = "20261207")
    void jsonRoutesNeverFail(@ForAll HttpCalls.Route route, @ForAll HttpCalls.BodyKind body, @ForAll HttpCalls.Twist twist,
                             @ForAll HttpCalls.Transport transport, @ForAll long seed) {
        HttpCalls.Request request = HttpCalls.build(route, body, twist, seed);
        String category = route.reference() ? "json /api" : route.name().startsWith("UNFRAMED") ? "json unframed" : "json /v1";
        Statistics.label("route").collect(route);
        fire(category, request.describe(), () -> sendHttp(request, transport), false);
    }

    /** Server-Sent Events: /v1/jobs/{id}/events with hostile ids, since_version and Last-Event-ID. */
    @Property(tries = 200, seed = "20261207")
    void eventStreamsNeverFail(@ForAll HttpCalls.Transport transport, @ForAll long seed) {
        Random r = new Random(seed);
        String id = r.nextInt(2) == 0 ? Hostile.knownJob(r) : Hostile.text(r);
        String path = "/v1/jobs/" + Hostile.segment(r, id) + "/events" + (r.nextBoolean() ? ""
                : Hostile.query(r, List.of("since_version")));
        List<String[]> headers = new ArrayList<>();
        headers.add(new String[] {"accept", "text/event-stream"});
        if (r.nextBoolean()) {
            headers.add(new String[] {"last-event-id", r.nextBoolean() ? Hostile.number(r).replace("\"", "") : Hostile.text(r)});
        }
        if (r.nextInt(4) == 0) {
            headers.addAll(Hostile.headerAbuse(r));
        }
        HttpCalls.Request request = new HttpCalls.Request("GET", path, headers, new byte[0]);
        fire("sse", request.describe(), () -> sendHttp(request, transport), true);
    }

    /** HTTP/1.1 written byte by byte: lying Content-Length, smuggling shapes, bytes no client library would send. */
    @Property(tries = 400, seed = "20261207")
    void malformedHttp1NeverFails(@ForAll HttpCalls.Route route, @ForAll RawAbuse abuse, @ForAll long seed) {
        HttpCalls.Request request = HttpCalls.build(route, HttpCalls.BodyKind.PLAUSIBLE, HttpCalls.Twist.NONE, seed);
        byte[] bytes = abuse.apply(request, new Random(seed));
        Statistics.label("abuse").collect(abuse);
        fire("raw http/1.1", abuse + ": " + Hostile.abbreviate(new String(bytes, StandardCharsets.ISO_8859_1), 400), () -> {
            Answer a = raw.exchange(bytes, abuse.halfClose, ANSWER_WITHIN);
            if (a.kind() == Answer.Kind.RESET && abuse.overHeadLimits) {
                tally.note("raw http/1.1 " + abuse + ": reset after a request head over the server's limits");
                return new Answer(Answer.Kind.RESET, 0, null, new byte[0], "allowed: " + a.detail());
            }
            if (a.kind() == Answer.Kind.RESET && !abuse.closeAllowed) {
                // a failure; the message says whether the same bytes fail again (a deterministic bug) or not (a race)
                List<String> again = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    again.add(raw.exchange(bytes, abuse.halfClose, ANSWER_WITHIN).label());
                }
                return new Answer(a.kind(), 0, null, new byte[0], a.detail() + "; the same bytes again: " + again);
            }
            if (a.kind() == Answer.Kind.RESET && abuse.closeAllowed) {
                tally.note("raw http/1.1 " + abuse + ": connection closed without a response (incomplete message)");
                return new Answer(Answer.Kind.RESET, 0, null, new byte[0], "allowed: " + a.detail());
            }
            return a;
        }, request.path().contains("/events"));
    }

    /** gRPC, gRPC-Web and unframed POSTs with right and wrong framing, payloads and headers. */
    @Property(tries = 1100, seed = "20261207")
    void grpcFramesNeverFail(@ForAll GrpcCalls.Method method, @ForAll GrpcCalls.ContentType type,
                             @ForAll GrpcCalls.Payload payload, @ForAll GrpcCalls.Framing framing,
                             @ForAll GrpcCalls.HeaderKind headers, @ForAll boolean http1, @ForAll long seed) {
        GrpcCalls.RawCall call = GrpcCalls.raw(method, type, payload, framing, headers, seed);
        Statistics.label("framing").collect(framing);
        fire("grpc frames", (http1 ? "h1 " : "h2 ") + call.describe(), () -> sendGrpc(call, http1), method.streaming);
    }

    /** Well-formed calls through gRPC clients (proto, JSON, gRPC-Web, gRPC-Web-text) with hostile values. */
    @Property(tries = 1000, seed = "20261207")
    void typedGrpcCallsNeverFail(@ForAll GrpcCalls.Method method, @ForAll Format format, @ForAll boolean abuseHeaders,
                                 @ForAll long seed) {
        if (method == GrpcCalls.Method.UNKNOWN_METHOD || method == GrpcCalls.Method.UNKNOWN_SERVICE
                || method == GrpcCalls.Method.REFLECTION) {
            method = GrpcCalls.Method.GET_JOB; // no typed stub for them; the raw frames property covers them
        }
        Random r = new Random(seed);
        Message message = GrpcCalls.message(method, r);
        List<String[]> headers = abuseHeaders ? Hostile.headerAbuse(r) : List.of();
        GrpcCalls.Method m = method;
        fire("grpc typed", format + " " + method + " " + Hostile.abbreviate(message.toString(), 400) + " headers="
                + headers.size(), () -> callTyped(typed.get(format), m, message, headers), method.streaming);
    }

    // =========================================================================================== examples

    /** 10,000 levels of JSON on every JSON entry point (also inside the random properties, but here for sure). */
    @Example
    void tenThousandLevelsOfJsonAreRefused() {
        String deepArray = Hostile.deep(10_000, false, "1");
        String deepObject = Hostile.deep(10_000, true, "1");
        for (String body : List.of(deepArray, deepObject, "{\"client_id\":" + deepArray + ",\"workload_id\":\"w\"}",
                "{\"client_id\":\"c\",\"workload_id\":\"w\",\"data_split_config\":" + deepObject + "}")) {
            for (String path : List.of("/v1/jobs", "/v1/configs", "/api/jobs", "/flywheel.v1.FlywheelService/CreateJob")) {
                HttpCalls.Request request = new HttpCalls.Request("POST", path,
                        List.<String[]>of(new String[] {"content-type", "application/json"}), Hostile.utf8(body));
                for (HttpCalls.Transport t : HttpCalls.Transport.values()) {
                    Answer a = fire("deep json", request.describe(), () -> sendHttp(request, t), false);
                    assertThat(a.httpStatus()).as("%s %s", path, a).isBetween(400, 499);
                }
            }
            GrpcCalls.RawCall call = new GrpcCalls.RawCall(GrpcCalls.Method.CREATE_JOB,
                    List.of(new String[] {"content-type", "application/grpc+json"}, new String[] {"te", "trailers"}),
                    GrpcCalls.frame(Hostile.utf8(body), GrpcCalls.Framing.CORRECT, new Random(0), new ArrayList<>()), null);
            Answer a = fire("deep json", call.describe(), () -> sendGrpc(call, false), false);
            assertThat(a.grpcStatus()).as("%s", a).isEqualTo("INVALID_ARGUMENT");
        }
    }

    /** A client that declares a body and then stalls gets a 4xx (or the connection closed), not a 5xx. */
    @Example
    void aStalledBodyIsNotAServerError() {
        byte[] request = ("POST /v1/jobs HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                + "content-length: 1000\r\n\r\n{\"client_id\":").getBytes(StandardCharsets.US_ASCII);
        fire("raw http/1.1", "stalled body", () -> {
            Answer a = raw.exchange(request, false, Duration.ofSeconds(30));
            if (a.kind() == Answer.Kind.RESET) {
                tally.note("stalled body: connection closed without a response");
                return new Answer(Answer.Kind.RESET, 0, null, new byte[0], "allowed: " + a.detail());
            }
            return a;
        }, false);
    }

    // =========================================================================================== the checks

    /**
     * Sends, counts, and checks the answer and the store. {@code streamOk}: the route may legitimately keep the
     * response open (SSE, WatchJob, reflection).
     */
    private static Answer fire(String category, String description, Supplier<Answer> send, boolean streamOk) {
        StoreProbe.Counts before = store.counts();
        Answer answer = send.get();
        tally.record(category, answer);
        String what = category + ": " + description + "\n  -> " + answer;
        switch (answer.kind()) {
            case HANG -> throw new AssertionError("no answer in " + ANSWER_WITHIN + ": " + what);
            case STREAMING -> assertThat(streamOk).as("a stream left open on a route that is not a stream: %s", what).isTrue();
            case RESET -> assertThat(answer.detail()).as("connection closed without an answer: %s", what).startsWith("allowed");
            default -> { }
        }
        if (!(answer.httpStatus() == 504 && description.contains("grpc-timeout") && answer.bodyText().contains("DEADLINE_EXCEEDED"))) {
            // The one 5xx allowed: DEADLINE_EXCEEDED (504 in the gRPC-HTTP mapping) for a deadline the client set itself.
            assertThat(answer.httpStatus()).as("HTTP 5xx: %s", what).isLessThan(500);
        }
        if (answer.grpcStatus() != null) {
            assertThat(answer.grpcStatus()).as("gRPC status: %s", what).isNotIn(FORBIDDEN_GRPC);
        }
        checkStore(before, answer, what);
        return answer;
    }

    private static void checkStore(StoreProbe.Counts before, Answer answer, String what) {
        StoreProbe.Counts after = store.counts();
        if (after.equals(before)) {
            return;
        }
        assertThat(answer.success()).as("the store changed (%s -> %s) on a request that was refused: %s", before, after, what)
                .isTrue();
        Set<String> nowJobs = store.jobIds();
        for (String id : nowJobs) {
            if (!jobs.contains(id)) {
                checkJob(id, what);
            }
        }
        for (String id : jobs) {
            if (!nowJobs.contains(id)) {
                deletedJobs.add(id);
            }
        }
        jobs.clear();
        jobs.addAll(nowJobs);
        Set<String> nowConfigs = store.configIds();
        for (String id : nowConfigs) {
            if (!configDocs.contains(id)) {
                checkConfig(id, what);
            }
        }
        configDocs.clear();
        configDocs.addAll(nowConfigs);
        publishKnown();
    }

    /** A stored job must be readable and valid: a request that passes validation, a valid configuration, finite numbers. */
    private static void checkJob(String id, String what) {
        Job job;
        try {
            job = grpc.getJob(GetJobRequest.newBuilder().setId(id).build());
        } catch (StatusRuntimeException e) {
            throw new AssertionError("job " + id + " is stored but GetJob fails with " + e.getStatus() + "; created by " + what, e);
        }
        assertThat(CreateJobValidator.violations(CreateJobRequest.newBuilder().setClientId(job.getClientId())
                .setWorkloadId(job.getWorkloadId()).setRequestId(job.getRequestId()).setJobType(job.getJobType()).build()))
                .as("job %s holds ids that do not pass validation; created by %s", id, what).isEmpty();
        assertThat(JobStatus.parse(job.getStatus())).as("job %s status", id).isPresent();
        assertThat(JobConfigs.validate(job.getConfig(), "")).as("job %s configuration; created by %s", id, what).isEmpty();
        assertThat(nonFinite(job, "")).as("job %s has numbers that are not finite; created by %s", id, what).isEmpty();
        assertThat(StoreProbe.suspiciousKeys(store.job(id), "")).as("job %s document keys; created by %s", id, what).isEmpty();
        Answer json = Wire.httpAnswer(wire.exchange(wire.h1, HttpRequest.of(HttpMethod.GET, "/v1/jobs/" + id), ANSWER_WITHIN,
                ANSWER_WITHIN));
        assertThat(json.httpStatus()).as("job %s over HTTP/JSON: %s; created by %s", id, json, what).isEqualTo(200);
    }

    private static void checkConfig(String id, String what) {
        NamedConfig named;
        try {
            named = configs.getConfig(GetConfigRequest.newBuilder().setName(id).build());
        } catch (StatusRuntimeException e) {
            throw new AssertionError("configuration " + id + " is stored but GetConfig fails with " + e.getStatus()
                    + "; created by " + what, e);
        }
        assertThat(ConfigRef.isValidName(named.getName())).as("configuration name %s", id).isTrue();
        assertThat(JobConfigs.validate(JobConfigs.merge(app.defaultJobConfig(), named.getConfig()), ""))
                .as("configuration %s does not validate; created by %s", id, what).isEmpty();
        assertThat(nonFinite(named, "")).as("configuration %s has numbers that are not finite; created by %s", id, what).isEmpty();
        assertThat(StoreProbe.suspiciousKeys(store.config(id), "")).as("configuration %s document keys", id).isEmpty();
    }

    /** Paths of double and float fields that are NaN or infinite. */
    static List<String> nonFinite(Message m, String path) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
            FieldDescriptor f = e.getKey();
            List<?> values = f.isRepeated() ? (List<?>) e.getValue() : List.of(e.getValue());
            for (Object v : values) {
                if (v instanceof Double d && !Double.isFinite(d) || v instanceof Float x && !Float.isFinite(x)) {
                    out.add(path + f.getName());
                } else if (v instanceof Message child) {
                    out.addAll(nonFinite(child, path + f.getName() + "."));
                }
            }
        }
        return out;
    }

    private static void publishKnown() {
        List<String> ids = new ArrayList<>(jobs);
        ids.addAll(deletedJobs.subList(Math.max(0, deletedJobs.size() - 5), deletedJobs.size()));
        Hostile.knownJobs = List.copyOf(ids);
        List<String> refs = new ArrayList<>(configDocs);
        for (String ref : configDocs) {
            refs.add(ref.substring(0, ref.indexOf('@')));
        }
        Hostile.knownConfigs = List.copyOf(refs);
    }

    /** The server is still healthy and still does its job; nothing was stored that should not be. */
    private static void finalChecks() {
        assertThat(wire.h1.get("/internal/health").aggregate().join().status().code()).as("/internal/health").isEqualTo(200);
        assertThat(typed.get(Format.PROTO).health().check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        Job created = grpc.createJob(CreateJobRequest.newBuilder().setClientId("after-the-storm").setWorkloadId("w").build());
        assertThat(grpc.getJob(GetJobRequest.newBuilder().setId(created.getId()).build()).getClientId()).isEqualTo("after-the-storm");
        assertThat(wire.h2.get("/v1/jobs/" + created.getId()).aggregate().join().status().code()).isEqualTo(200);
        jobs.add(created.getId());

        assertThat(store.jobIds()).as("job documents").isEqualTo(jobs);
        assertThat(store.configIds()).as("configuration documents").isEqualTo(configDocs);
        for (String id : jobs) {
            checkJob(id, "(final check)");
        }
        for (String id : configDocs) {
            checkConfig(id, "(final check)");
        }
        assertThat(store.collections()).as("collections").containsExactlyInAnyOrderElementsOf(collectionsAtStart);
        tally.note("job documents at the end: " + jobs.size() + ", configuration documents: " + configDocs.size());
    }

    // =========================================================================================== sending

    private static Answer sendHttp(HttpCalls.Request request, HttpCalls.Transport transport) {
        Answer a = sendHttp0(request, transport);
        if (a.kind() == Answer.Kind.RESET && request.overHeadLimits()) {
            tally.note("reset after a request head over the server's limits (the 414/431 can be lost to the TCP reset)");
            return new Answer(a.kind(), 0, null, new byte[0], "allowed: " + a.detail());
        }
        return a;
    }

    private static Answer sendHttp0(HttpCalls.Request request, HttpCalls.Transport transport) {
        boolean stream = request.path().contains("/events");
        // the socket client reads until its deadline: for an event stream that is how long it watches
        Duration rawDeadline = stream ? Duration.ofSeconds(2) : ANSWER_WITHIN;
        if (!request.clientSafe()) {
            return raw.exchange(request.http1(), false, rawDeadline);
        }
        WebClient client = transport == HttpCalls.Transport.HTTP1 ? wire.h1 : wire.h2;
        HttpRequest http;
        try {
            RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.valueOf(request.method()), request.path());
            for (String[] h : request.headers()) {
                headers.add(h[0], h[1]);
            }
            http = request.body().length == 0 ? HttpRequest.of(headers.build())
                    : HttpRequest.of(headers.build(), HttpData.wrap(request.body()));
        } catch (RuntimeException e) {
            return raw.exchange(request.http1(), false, rawDeadline); // our client would not build it; the socket does
        }
        Answer a = Wire.httpAnswer(wire.exchange(client, http, ANSWER_WITHIN, stream ? STREAM_OPEN : ANSWER_WITHIN));
        if (a.kind() == Answer.Kind.NOT_SENT) {
            // e.g. a header over the server's advertised HTTP/2 header list limit: the HTTP/1.1 socket still sends it
            tally.note("sent over the socket client instead: " + a.detail());
            return raw.exchange(request.http1(), false, rawDeadline);
        }
        return a;
    }

    private static Answer sendGrpc(GrpcCalls.RawCall call, boolean http1) {
        RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.POST, call.method().path);
        for (String[] h : call.headers()) {
            headers.add(h[0], h[1]);
        }
        HttpRequest request = HttpRequest.of(headers.build(), HttpData.wrap(call.body()));
        Duration open = call.method().streaming ? STREAM_OPEN : ANSWER_WITHIN;
        boolean mayIdle = call.message() instanceof WatchJobRequest w && watchMayIdle(w);
        Wire.Exchange x = wire.exchange(http1 ? wire.h1 : wire.h2, request, mayIdle ? IDLE_WITHIN : ANSWER_WITHIN, open);
        if (mayIdle && x.headers() == null && x.error() == null) {
            return Answer.idle();
        }
        return Wire.grpcAnswer(x);
    }

    private static Answer callTyped(Stubs stubs, GrpcCalls.Method method, Message message, List<String[]> extraHeaders) {
        try (SafeCloseable ignored = Clients.withHeaders(h -> extraHeaders.forEach(x -> h.add(x[0], x[1])))) {
            if (method == GrpcCalls.Method.WATCH_JOB) {
                WatchJobRequest request = (WatchJobRequest) message;
                return watch(stubs.async(), request, watchMayIdle(request));
            }
            switch (method) {
                case CREATE_JOB -> stubs.jobs().createJob((CreateJobRequest) message);
                case GET_JOB -> stubs.jobs().getJob((GetJobRequest) message);
                case LIST_JOBS -> stubs.jobs().listJobs((ListJobsRequest) message);
                case CANCEL_JOB -> stubs.jobs().cancelJob((CancelJobRequest) message);
                case DELETE_JOB -> stubs.jobs().deleteJob((DeleteJobRequest) message);
                case PUT_CONFIG -> stubs.configs().putConfig((PutConfigRequest) message);
                case GET_CONFIG -> stubs.configs().getConfig((GetConfigRequest) message);
                case LIST_CONFIGS -> stubs.configs().listConfigs((ListConfigsRequest) message);
                case DELETE_CONFIG -> stubs.configs().deleteConfig((DeleteConfigRequest) message);
                case HEALTH_CHECK -> stubs.health().check((HealthCheckRequest) message);
                default -> throw new IllegalArgumentException(method.name());
            }
            return Answer.grpc(200, "OK", new byte[0], "");
        } catch (StatusRuntimeException e) {
            return typedFailure(e);
        }
    }

    private static Answer typedFailure(Throwable t) {
        Status status = Status.fromThrowable(t);
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UnprocessedRequestException) {
                return Answer.of(Answer.Kind.NOT_SENT, String.valueOf(c.getCause()));
            }
        }
        if (status.getCode() == Status.Code.CANCELLED && status.getCause() instanceof IllegalArgumentException) {
            // our client's JSON marshaller refuses an invalid timestamp before anything is sent
            return Answer.of(Answer.Kind.NOT_SENT, "client could not serialize: " + status.getCause().getClass().getSimpleName());
        }
        return Answer.grpc(200, status.getCode().name(), new byte[0], String.valueOf(status.getDescription()));
    }

    /** WatchJob until the first event (then it is a live stream and we cancel) or its end. */
    private static Answer watch(FlywheelServiceGrpc.FlywheelServiceStub stub, WatchJobRequest request, boolean mayIdle) {
        CompletableFuture<Answer> end = new CompletableFuture<>();
        CompletableFuture<Void> first = new CompletableFuture<>();
        AtomicReference<ClientCallStreamObserver<WatchJobRequest>> call = new AtomicReference<>();
        AtomicInteger events = new AtomicInteger();
        stub.watchJob(request, new ClientResponseObserver<WatchJobRequest, JobEvent>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchJobRequest> requestStream) {
                call.set(requestStream);
            }

            @Override
            public void onNext(JobEvent value) {
                events.incrementAndGet();
                first.complete(null);
            }

            @Override
            public void onError(Throwable t) {
                end.complete(typedFailure(t));
            }

            @Override
            public void onCompleted() {
                end.complete(Answer.grpc(200, "OK", new byte[0], events.get() + " events"));
            }
        });
        try {
            CompletableFuture.anyOf(first, end).get((mayIdle ? IDLE_WITHIN : ANSWER_WITHIN).toMillis(), TimeUnit.MILLISECONDS);
            return end.get(STREAM_OPEN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            if (call.get() != null) {
                call.get().cancel("the suite read enough", null);
            }
            return events.get() > 0 ? Answer.streaming(200, new byte[0])
                    : mayIdle ? Answer.idle() : Answer.of(Answer.Kind.HANG, "no event, no status");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether a watch may rightly send nothing for now: the job exists, is not finished, and the client is up to date. */
    private static boolean watchMayIdle(WatchJobRequest request) {
        if (!jobs.contains(request.getId())) {
            return false;
        }
        Job job = grpc.getJob(GetJobRequest.newBuilder().setId(request.getId()).build());
        return JobStatus.parse(job.getStatus()).map(s -> !s.isTerminal()).orElse(false)
                && request.getSinceVersion() >= job.getVersion();
    }

    private static String setting(String property, String env) {
        String value = System.getProperty(property);
        return value != null && !value.isBlank() ? value : System.getenv(env);
    }
}
