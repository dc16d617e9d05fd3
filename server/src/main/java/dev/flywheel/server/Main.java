package dev.flywheel.server;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.grpc.GrpcJsonMarshaller;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import com.linecorp.armeria.server.Route;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.docs.DocService;
import com.linecorp.armeria.server.docs.DocServiceFilter;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.grpc.HttpJsonTranscodingOptions;
import com.linecorp.armeria.server.grpc.HttpJsonTranscodingQueryParamMatchRule;
import com.linecorp.armeria.server.healthcheck.HealthCheckService;
import com.linecorp.armeria.server.metric.MetricCollectingService;
import com.linecorp.armeria.common.grpc.GrpcMeterIdPrefixFunction;
import com.linecorp.armeria.server.grpc.GrpcHealthCheckService;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.DataSplitConfig;
import dev.flywheel.api.v1.FlywheelServiceGrpc;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.clients.logs.TrustFiles;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.server.api.ConfigGrpcService;
import dev.flywheel.server.auth.AdminGrpcService;
import dev.flywheel.server.auth.AdminKeyFile;
import dev.flywheel.server.auth.AuthDecorator;
import dev.flywheel.server.api.FlywheelGrpcService;
import dev.flywheel.server.api.GrpcRequestGuard;
import dev.flywheel.server.api.HttpErrors;
import dev.flywheel.server.api.JobEventsService;
import dev.flywheel.server.api.RequestGuards;
import dev.flywheel.server.compat.ReferenceApiService;
import dev.flywheel.server.job.JobService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import dev.flywheel.clients.nemo.Secret;
import java.util.Map;
import java.util.Optional;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Flywheel: the local stack for whatever is not configured externally, the stores, and one Armeria
 * port serving gRPC, gRPC-Web, HTTP/JSON, the reference's /api, SSE, docs, health and metrics.
 * {@link #configureServices} is what tests reuse, so they exercise exactly the production wiring.
 */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "server" : args[0];
        switch (command) {
            case "server" -> runServer();
            default -> { // the demo and everything else are the CLI's (module cli/)
                System.err.println("usage: Main [server]");
                System.exit(2);
            }
        }
    }

    private static void runServer() {
        ServerSettings settings;
        try {
            settings = ServerSettings.load();
        } catch (FlywheelException e) {
            System.err.println("flywheel: " + e.getMessage());
            System.exit(2);
            return;
        }
        Running running = start(settings);
        running.printEndpoints();
        System.out.println("ready");
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "flywheel-shutdown"));
    }

    /** The started pieces, closed in reverse order. */
    public record Running(Server server, FlywheelApp app, DevStack stack, ServerSettings settings) implements AutoCloseable {
        public int port() {
            return server.activeLocalPort();
        }

        public String baseUrl() {
            return (settings.tls() != null ? "https" : "http") + "://127.0.0.1:" + port();
        }

        public void printEndpoints() {
            System.out.println("api      " + baseUrl() + "  (gRPC, gRPC-Web, HTTP/JSON /v1, reference /api)");
            System.out.println("docs     " + baseUrl() + "/docs/");
            System.out.println("metrics  " + baseUrl() + "/internal/metrics");
            System.out.println("health   " + baseUrl() + "/internal/health");
            // URIs may carry a user and password: never printed.
            System.out.println("mongodb  " + TrustFiles.redactUserInfo(stack.mongoUri()) + (stack.localMongo() != null ? "  (local stand-in)" : ""));
            System.out.println("redis    " + TrustFiles.redactUserInfo(stack.redisUri()) + (stack.localRedis() != null ? "  (local)" : ""));
            System.out.println("elastic  " + (stack.isElasticsearchStarted() ? TrustFiles.redactUserInfo(stack.elasticsearchUrl()) : "(not started)"));
            var nmp = app.defaultJobConfig().getNmpConfig();
            String where = stack.nemoEmulator() != null ? "  (NeMo emulator)" : "";
            System.out.println("nemo     " + nmp.getNemoBaseUrl() + where);
            System.out.println("nim      " + nmp.getNimBaseUrl() + where);
            System.out.println("datastore " + nmp.getDatastoreBaseUrl() + where);
        }

        @Override
        public void close() {
            server.stop().join();
            app.close();
            stack.close();
        }
    }

    /** Starts the local stack, the stores and the server; blocks until all are up. */
    public static Running start(ServerSettings settings) {
        DevStack.Builder local = DevStack.builder()
                .mongoUri(blankToNull(settings.mongoUri()))
                .redisUri(blankToNull(settings.redisUri()))
                .elasticsearchUrl(blankToNull(settings.elasticsearchUrl()))
                .elasticsearch(settings.startLocalElasticsearch())
                .dataDir(settings.dataDir());
        if (!settings.nemoConfigured()) {
            local.nemoEmulator(settings.nemoEmulatorTimeScale(), settings.nemoEmulatorSeed());
        }
        DevStack stack = local.start();
        if (stack.nemoEmulator() != null) {
            settings = settings.withNemoEndpoints(stack.nemoEmulator().platformUrl(), stack.nemoEmulator().nimUrl(),
                    stack.nemoEmulator().datastoreUrl());
        }
        if (settings.startLocalElasticsearch()) {
            stack.warmUpElasticsearch();
        }
        FlywheelApp app = openApp(settings, stack);
        app.limitJobCreation(stack.redisUri());
        ServerBuilder sb = Server.builder();
        java.net.InetSocketAddress address = settings.bindAddress().equals("0.0.0.0")
                ? new java.net.InetSocketAddress(settings.port()) : new java.net.InetSocketAddress(settings.bindAddress(), settings.port());
        if (settings.tls() != null) {
            settings.tls().configure(sb, address);
        } else {
            sb.http(address);
        }
        sb.gracefulShutdownTimeout(settings.shutdownQuietPeriod(), settings.shutdownTimeout());
        configureServices(sb, app);
        Server server = sb.build();
        server.start().join();
        if (settings.auth().enabled() && settings.auth().adminKeyFile() != null) {
            AdminKeyFile.ensure(app.apiKeys(), settings.auth().adminKeyFile());
        }
        if (settings.startLocalElasticsearch()) {
            stack.elasticsearchUrl(); // wait, so the ready line means everything is up
        }
        log.info("flywheel listening on port {} with settings {}", server.activeLocalPort(), settings.secrets());
        return new Running(server, app, stack, settings);
    }

    /** The stores and API services, and the job engine unless it is switched off. */
    static FlywheelApp openApp(ServerSettings settings, DevStack stack) {
        if (!settings.auth().enabled()) {
            log.warn("authentication is OFF (flywheel.auth.enabled = false): every caller is an admin; never run like this "
                    + "where others can reach the port");
        }
        EngineOptions engine = settings.engine();
        if (!engine.enabled()) {
            log.warn("the job engine is off (flywheel.engine.enabled = false): jobs are stored but not run");
            return FlywheelApp.open(stack.mongoUri(), settings.mongoDatabase(), settings.defaultJobConfig(), null, settings.auth());
        }
        if (stack.nemoEmulator() != null) {
            // The emulator runs NeMo's waits faster; poll it as much faster, so the demo is not slowed by polls.
            double scale = Math.max(0.01, settings.nemoEmulatorTimeScale());
            engine = engine.withPolling(engine.polling().withPolls(java.time.Duration.ofMillis(Math.max(50, (long) (5000 * scale)))));
        }
        EngineOptions options = engine;
        Optional<Secret> judgeKey = settings.secrets().llmJudgeApiKey().isEmpty() ? Optional.empty()
                : Optional.of(Secret.of(settings.secrets().llmJudgeApiKey()));
        Map<String, String> env = new java.util.HashMap<>();
        if (!settings.secrets().embeddingApiKey().isEmpty()) {
            env.put("EMB_API_KEY", settings.secrets().embeddingApiKey());
        }
        return FlywheelApp.open(stack.mongoUri(), settings.mongoDatabase(), settings.defaultJobConfig(),
                (jobs, metrics) -> EngineRuntime.start(jobs, stack.redisUri(), stack::elasticsearchUrl, options, settings.dataDir(),
                        judgeKey, env, metrics, outbound(settings)), settings.auth());
    }

    /** Keys and CA files for NeMo and Elasticsearch, from the settings (that is, the environment). */
    static EngineRuntime.Outbound outbound(ServerSettings settings) {
        ServerSettings.Secrets s = settings.secrets();
        return new EngineRuntime.Outbound(s.nemoApiKey().isEmpty() ? null : Secret.of(s.nemoApiKey()),
                s.nemoCaCertFile().isEmpty() ? null : java.nio.file.Path.of(s.nemoCaCertFile()),
                new dev.flywheel.clients.logs.EsHttp.Access(s.elasticsearchApiKey().isEmpty() ? null : s.elasticsearchApiKey(),
                        s.elasticsearchCaCertFile().isEmpty() ? null : java.nio.file.Path.of(s.elasticsearchCaCertFile())));
    }

    /** Every route of the public port. */
    public static void configureServices(ServerBuilder sb, FlywheelApp app) {
        sb.maxRequestLength(RequestGuards.MAX_BODY_BYTES)
                .meterRegistry(app.metrics())
                .errorHandler(HttpErrors.serverErrors());

        GrpcService grpc = grpcService(app, app.jobs());
        sb.service(grpc, delegate -> delegate.decorate(new GrpcRequestGuard()),
                MetricCollectingService.newDecorator(GrpcMeterIdPrefixFunction.of("grpc.service")));

        sb.annotatedService()
                .exceptionHandlers(new HttpErrors())
                .build(new JobEventsService(app.jobs()));
        sb.annotatedService()
                .pathPrefix("/api")
                .exceptionHandlers(new HttpErrors())
                .build(new ReferenceApiService(app.jobs()));

        RequestGuards guards = new RequestGuards();
        sb.decorator(Route.builder().pathPrefix("/v1/").build(), guards);
        sb.decorator(Route.builder().exact("/v1/jobs").build(), guards);
        sb.decorator(Route.builder().exact("/v1/configs").build(), guards);
        sb.decorator(Route.builder().pathPrefix("/api/").build(), guards);
        // Added last, so it wraps every other decorator: a caller is authenticated before anything else looks at the
        // request; every route needs an API key unless AuthDecorator says it is open.
        sb.decorator(new AuthDecorator(app.auth(), app.apiKeys().authenticator()));

        sb.service("/internal/health", HealthCheckService.builder().checkers(app.health()).build());
        sb.service("/internal/metrics", (ctx, req) -> HttpResponse.of(
                MediaType.parse("text/plain; version=0.0.4; charset=utf-8"), app.metrics().scrape()));
        sb.serviceUnder("/docs", DocService.builder()
                .exampleRequests(FlywheelServiceGrpc.SERVICE_NAME, "CreateJob", List.of(CreateJobRequest.newBuilder()
                        .setClientId("my-app").setWorkloadId("customer-support").setJobType("llm_job")
                        .setDataSplitConfig(DataSplitConfig.newBuilder().setEvalSize(100).setValRatio(0.1)
                                .setMinTotalRecords(50).setLimit(1000))
                        .build()))
                .exclude(DocServiceFilter.ofServiceName(ProtoReflectionServiceV1.class.getName())
                        .or(DocServiceFilter.ofServiceName("grpc.reflection.v1.ServerReflection")))
                .build());
    }

    /** The gRPC service with HTTP/JSON transcoding, gRPC-Web, reflection and health, serving {@code jobs}. */
    public static GrpcService grpcService(FlywheelApp app, JobService jobs) {
        return GrpcService.builder()
                .addService(new FlywheelGrpcService(jobs))
                .addService(new ConfigGrpcService(app.stores().configs(), app.defaultJobConfig()))
                .addService(new AdminGrpcService(app.apiKeys()))
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(GrpcHealthCheckService.builder().checkers(app.health()).build())
                .supportedSerializationFormats(GrpcSerializationFormats.values())
                .jsonMarshallerFactory(service -> GrpcJsonMarshaller.builder()
                        .jsonMarshallerCustomizer(m -> m.preservingProtoFieldNames(true).ignoringUnknownFields(false))
                        .build(service))
                .enableHttpJsonTranscoding(HttpJsonTranscodingOptions.builder()
                        .queryParamMatchRules(HttpJsonTranscodingQueryParamMatchRule.ORIGINAL_FIELD)
                        .errorHandler(HttpErrors.unframedHandler())
                        .build())
                .enableUnframedRequests(true)
                .unframedGrpcErrorHandler(HttpErrors.unframedHandler())
                .maxRequestMessageLength(RequestGuards.MAX_BODY_BYTES)
                .exceptionHandler(new dev.flywheel.server.api.GrpcErrors())
                .intercept(new dev.flywheel.server.api.GrpcStatusGuard())
                .build();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
