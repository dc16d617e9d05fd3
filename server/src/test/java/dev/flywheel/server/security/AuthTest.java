package dev.flywheel.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Timestamp;
import com.google.rpc.BadRequest;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.flywheel.api.v1.AdminServiceGrpc;
import dev.flywheel.api.v1.CancelJobRequest;
import dev.flywheel.api.v1.ConfigServiceGrpc;
import dev.flywheel.api.v1.CreateApiKeyRequest;
import dev.flywheel.api.v1.CreateApiKeyResponse;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.DeleteJobRequest;
import dev.flywheel.api.v1.FlywheelServiceGrpc;
import dev.flywheel.api.v1.GetJobRequest;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobEvent;
import dev.flywheel.api.v1.ListApiKeysRequest;
import dev.flywheel.api.v1.ListConfigsRequest;
import dev.flywheel.api.v1.ListJobsRequest;
import dev.flywheel.api.v1.RevokeApiKeyRequest;
import dev.flywheel.api.v1.WatchJobRequest;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.server.FlywheelApp;
import dev.flywheel.server.Main;
import dev.flywheel.server.auth.AuthOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;

/**
 * API keys over every route of the port (gRPC, gRPC-Web, JSON, SSE, the reference's /api, docs, metrics, health):
 * no key, a bad, revoked or expired key is UNAUTHENTICATED; a client key reaches only its own clients' jobs —
 * another tenant's job is NOT_FOUND, like a missing one — and no configurations or keys; keys are stored hashed.
 */
@ExtendWith(DevStackExtension.class)
class AuthTest {

    static String database;
    static FlywheelApp app;
    static Server server;
    static String base;
    static String adminToken;
    static String clientToken; // client_ids {"tenant-a"}
    static String clientKeyId;

    @BeforeAll
    static void start(DevStack stack) {
        database = "auth_" + UUID.randomUUID().toString().substring(0, 8);
        app = FlywheelApp.open(stack.mongoUri(), database, JobConfigs.builtInDefaults(), null, AuthOptions.required());
        ServerBuilder sb = Server.builder().http(0);
        Main.configureServices(sb, app);
        server = sb.build();
        server.start().join();
        base = "http://127.0.0.1:" + server.activeLocalPort();
        // The first admin key comes from the server process itself (AdminKeyFile does this at start).
        adminToken = app.apiKeys().create("test admin", dev.flywheel.core.auth.Role.ADMIN, java.util.Set.of(),
                Instant.now().plusSeconds(3600)).join().getSecret();
        CreateApiKeyResponse client = admin(AdminServiceGrpc.AdminServiceBlockingStub.class).createApiKey(CreateApiKeyRequest.newBuilder()
                .setName("tenant a ci").setRole("client").addClientIds("tenant-a").build());
        clientToken = client.getSecret();
        clientKeyId = client.getKey().getId();
    }

    @AfterAll
    static void stop() {
        server.stop().join();
        app.close();
    }

    static <T> T grpc(Class<T> stub, String token) {
        var builder = GrpcClients.builder(base);
        if (token != null) {
            builder.addHeader("authorization", "Bearer " + token);
        }
        return builder.build(stub);
    }

    static <T> T admin(Class<T> stub) {
        return grpc(stub, adminToken);
    }

    static WebClient http(String token) {
        var builder = WebClient.builder(base);
        if (token != null) {
            builder.addHeader("authorization", "Bearer " + token);
        }
        return builder.build();
    }

    static Status.Code code(Runnable call) {
        StatusRuntimeException e = catchThrowableOfType(call::run, StatusRuntimeException.class);
        assertThat(e).as("the call should fail").isNotNull();
        return e.getStatus().getCode();
    }

    static Job createAs(String token, String clientId) {
        return grpc(FlywheelServiceGrpc.FlywheelServiceBlockingStub.class, token)
                .createJob(CreateJobRequest.newBuilder().setClientId(clientId).setWorkloadId("w").build());
    }

    @Test
    void withoutAValidKeyOnlyHealthAndDocsAnswer() {
        for (String token : new String[] {null, "nonsense", "fw_000000000000_" + "A".repeat(43), adminToken + "x",
                adminToken.substring(0, 20) + "B".repeat(39)}) {
            var jobs = grpc(FlywheelServiceGrpc.FlywheelServiceBlockingStub.class, token);
            assertThat(code(() -> jobs.createJob(CreateJobRequest.newBuilder().setClientId("tenant-a").setWorkloadId("w").build())))
                    .isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(code(() -> jobs.listJobs(ListJobsRequest.getDefaultInstance()))).isEqualTo(Status.Code.UNAUTHENTICATED);
            Iterator<JobEvent> watch = jobs.watchJob(WatchJobRequest.newBuilder().setId("0".repeat(24)).build());
            assertThat(code(watch::hasNext)).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(code(() -> grpc(ConfigServiceGrpc.ConfigServiceBlockingStub.class, token).listConfigs(ListConfigsRequest.getDefaultInstance())))
                    .isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(code(() -> grpc(AdminServiceGrpc.AdminServiceBlockingStub.class, token).listApiKeys(ListApiKeysRequest.getDefaultInstance())))
                    .isEqualTo(Status.Code.UNAUTHENTICATED);

            WebClient web = http(token);
            AggregatedHttpResponse create = web.prepare().post("/v1/jobs").content(MediaType.JSON, "{\"client_id\":\"tenant-a\",\"workload_id\":\"w\"}")
                    .execute().aggregate().join();
            assertThat(create.status().code()).isEqualTo(401);
            assertThat(create.headers().get("www-authenticate")).isEqualTo("Bearer");
            assertThat(create.contentUtf8()).contains("\"grpc-code\":\"UNAUTHENTICATED\"");
            for (String path : List.of("/v1/jobs", "/v1/jobs/" + "0".repeat(24), "/v1/jobs/" + "0".repeat(24) + "/events", "/v1/configs",
                    "/v1/admin/keys", "/internal/metrics")) {
                assertThat(web.get(path).aggregate().join().status().code()).as(path).isEqualTo(401);
            }
            AggregatedHttpResponse reference = web.get("/api/jobs").aggregate().join();
            assertThat(reference.status().code()).isEqualTo(401);
            assertThat(reference.contentUtf8()).startsWith("{\"detail\":");
            // gRPC-Web: the refusal in the protocol's own headers
            AggregatedHttpResponse grpcWeb = web.execute(RequestHeaders.builder(HttpMethod.POST, "/flywheel.v1.FlywheelService/ListJobs")
                    .contentType(MediaType.parse("application/grpc-web+proto")).build(), new byte[] {0, 0, 0, 0, 0}).aggregate().join();
            assertThat(grpcWeb.headers().get("grpc-status")).isEqualTo("16");
            // open: health (HTTP and gRPC) and the API schema page
            assertThat(web.get("/internal/health").aggregate().join().status().code()).isEqualTo(200);
            assertThat(grpc(HealthGrpc.HealthBlockingStub.class, token).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                    .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            assertThat(web.get("/docs/").aggregate().join().status().code()).isEqualTo(200);
        }
        // with a key, metrics answer
        assertThat(http(adminToken).get("/internal/metrics").aggregate().join().status().code()).isEqualTo(200);
    }

    @Test
    void aClientKeyReachesOnlyItsOwnClientsJobs() {
        Job own = createAs(clientToken, "tenant-a");
        Job other = createAs(adminToken, "tenant-b");
        var jobs = grpc(FlywheelServiceGrpc.FlywheelServiceBlockingStub.class, clientToken);

        // creating for another client: refused, naming the field
        StatusRuntimeException denied = catchThrowableOfType(() -> jobs.createJob(CreateJobRequest.newBuilder()
                .setClientId("tenant-b").setWorkloadId("w").build()), StatusRuntimeException.class);
        assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(StatusProto.fromThrowable(denied).getDetailsList()).anyMatch(d -> d.is(BadRequest.class));

        // another tenant's job does not exist for this key: the same NOT_FOUND as an id nobody has
        String missing = "0123456789abcdef01234567";
        for (String id : List.of(other.getId(), missing)) {
            assertThat(code(() -> jobs.getJob(GetJobRequest.newBuilder().setId(id).build()))).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(code(() -> jobs.cancelJob(CancelJobRequest.newBuilder().setId(id).build()))).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(code(() -> jobs.deleteJob(DeleteJobRequest.newBuilder().setId(id).build()))).isEqualTo(Status.Code.NOT_FOUND);
            Iterator<JobEvent> watch = jobs.watchJob(WatchJobRequest.newBuilder().setId(id).build());
            assertThat(code(watch::hasNext)).isEqualTo(Status.Code.NOT_FOUND);
            WebClient web = http(clientToken);
            for (String path : List.of("/v1/jobs/" + id, "/v1/jobs/" + id + "/events", "/api/jobs/" + id)) {
                assertThat(web.get(path).aggregate().join().status().code()).as(path).isEqualTo(404);
            }
            assertThat(web.prepare().post("/v1/jobs/" + id + "/cancel").content(MediaType.JSON, "{}").execute().aggregate().join()
                    .status().code()).isEqualTo(404);
            assertThat(web.delete("/v1/jobs/" + id).aggregate().join().status().code()).isEqualTo(404);
        }
        // the other tenant's job is untouched
        Job after = admin(FlywheelServiceGrpc.FlywheelServiceBlockingStub.class).getJob(GetJobRequest.newBuilder().setId(other.getId()).build());
        assertThat(after.getStatus()).isEqualTo("pending");
        assertThat(after.getCancelRequested()).isFalse();

        // its own job: everything works
        assertThat(jobs.getJob(GetJobRequest.newBuilder().setId(own.getId()).build()).getClientId()).isEqualTo("tenant-a");
        assertThat(jobs.watchJob(WatchJobRequest.newBuilder().setId(own.getId()).build()).next().getJob().getId()).isEqualTo(own.getId());

        // lists hold only its own jobs, whatever the filter says
        Function<ListJobsRequest, List<String>> clientsListed = r -> jobs.listJobs(r).getJobsList().stream().map(Job::getClientId).distinct().toList();
        assertThat(clientsListed.apply(ListJobsRequest.getDefaultInstance())).containsExactly("tenant-a");
        assertThat(clientsListed.apply(ListJobsRequest.newBuilder().setClientId("tenant-b").build())).isEmpty();
        assertThat(http(clientToken).get("/api/jobs").aggregate().join().contentUtf8()).contains(own.getId()).doesNotContain(other.getId());
        assertThat(admin(FlywheelServiceGrpc.FlywheelServiceBlockingStub.class).listJobs(ListJobsRequest.getDefaultInstance()).getJobsList())
                .extracting(Job::getClientId).contains("tenant-a", "tenant-b");

        // configurations and keys are admin only
        assertThat(code(() -> grpc(ConfigServiceGrpc.ConfigServiceBlockingStub.class, clientToken).listConfigs(ListConfigsRequest.getDefaultInstance())))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(() -> grpc(AdminServiceGrpc.AdminServiceBlockingStub.class, clientToken).listApiKeys(ListApiKeysRequest.getDefaultInstance())))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(http(clientToken).get("/v1/configs").aggregate().join().status().code()).isEqualTo(403);
    }

    @Test
    void revokedAndExpiredKeysStopWorkingAndSecretsAreStoredOnlyAsHashes() throws Exception {
        var keys = admin(AdminServiceGrpc.AdminServiceBlockingStub.class);
        CreateApiKeyResponse temp = keys.createApiKey(CreateApiKeyRequest.newBuilder().setName("temp").setRole("client").addClientIds("t").build());
        var jobs = grpc(FlywheelServiceGrpc.FlywheelServiceBlockingStub.class, temp.getSecret());
        assertThat(jobs.listJobs(ListJobsRequest.getDefaultInstance()).getJobsCount()).isZero();
        assertThat(keys.revokeApiKey(RevokeApiKeyRequest.newBuilder().setId(temp.getKey().getId()).build()).getState()).isEqualTo("revoked");
        assertThat(code(() -> jobs.listJobs(ListJobsRequest.getDefaultInstance()))).isEqualTo(Status.Code.UNAUTHENTICATED);

        Instant soon = Instant.now().plusSeconds(2);
        CreateApiKeyResponse shortLived = keys.createApiKey(CreateApiKeyRequest.newBuilder().setName("short").setRole("admin")
                .setExpiresAt(Timestamp.newBuilder().setSeconds(soon.getEpochSecond()).setNanos(soon.getNano())).build());
        var shortJobs = grpc(FlywheelServiceGrpc.FlywheelServiceBlockingStub.class, shortLived.getSecret());
        shortJobs.listJobs(ListJobsRequest.getDefaultInstance());
        Thread.sleep(2_500);
        assertThat(code(() -> shortJobs.listJobs(ListJobsRequest.getDefaultInstance()))).isEqualTo(Status.Code.UNAUTHENTICATED);

        // bad requests name the field
        StatusRuntimeException bad = catchThrowableOfType(() -> keys.createApiKey(CreateApiKeyRequest.newBuilder().setName("x").setRole("root").build()),
                StatusRuntimeException.class);
        assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(bad.getStatus().getDescription()).contains("role");
        assertThat(code(() -> keys.createApiKey(CreateApiKeyRequest.newBuilder().setName("x").setRole("client").build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);

        // the list shows keys, never secrets; the database holds only salted hashes
        String listed = keys.listApiKeys(ListApiKeysRequest.getDefaultInstance()).toString();
        assertThat(listed).contains(clientKeyId).contains("revoked");
        List<String> secrets = List.of(adminToken, clientToken, temp.getSecret(), shortLived.getSecret());
        try (var mongo = MongoClients.create(DevStackExtension.stack().mongoUri())) {
            List<Document> stored = Flux.from(mongo.getDatabase(database).getCollection("api_keys").find()).collectList().block();
            assertThat(stored).hasSizeGreaterThanOrEqualTo(4);
            for (String secret : secrets) {
                String secretPart = secret.substring("fw_".length() + 12 + 1); // the secret itself may contain '_'
                assertThat(listed).doesNotContain(secretPart);
                assertThat(stored).noneMatch(d -> d.toJson().contains(secretPart));
            }
        }
    }

    @Test
    void jobCreationIsRateLimitedPerKeyAndWatchesAreCappedPerKey() throws Exception {
        CreateApiKeyResponse key = admin(AdminServiceGrpc.AdminServiceBlockingStub.class).createApiKey(CreateApiKeyRequest.newBuilder()
                .setName("busy").setRole("client").addClientIds("tenant-r").build());
        try (var limiter = dev.flywheel.clients.admission.RedisRateLimiter.open(DevStackExtension.stack().redisUri(),
                "fw:rate:" + database + ":", 0.2, 3)) {
            app.jobs().setCreateLimiter(limiter);
            app.jobs().setMaxWatchesPerKey(2);
            for (int i = 0; i < 3; i++) {
                createAs(key.getSecret(), "tenant-r"); // the burst
            }
            StatusRuntimeException limited = catchThrowableOfType(() -> createAs(key.getSecret(), "tenant-r"), StatusRuntimeException.class);
            assertThat(limited.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(StatusProto.fromThrowable(limited).getDetailsList()).anyMatch(d -> d.is(com.google.rpc.RetryInfo.class));
            AggregatedHttpResponse http429 = http(key.getSecret()).prepare().post("/v1/jobs")
                    .content(MediaType.JSON, "{\"client_id\":\"tenant-r\",\"workload_id\":\"w\"}").execute().aggregate().join();
            assertThat(http429.status().code()).isEqualTo(429);
            assertThat(http429.headers().get("retry-after")).isNotNull();
            createAs(adminToken, "tenant-r"); // another key has its own bucket

            // two streams per key: the third is refused until one closes
            Job job = grpc(FlywheelServiceGrpc.FlywheelServiceBlockingStub.class, adminToken)
                    .listJobs(ListJobsRequest.newBuilder().setClientId("tenant-r").build()).getJobs(0);
            var async = grpc(FlywheelServiceGrpc.FlywheelServiceStub.class, key.getSecret());
            java.util.List<io.grpc.stub.ClientCallStreamObserver<WatchJobRequest>> open = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.CountDownLatch snapshots = new java.util.concurrent.CountDownLatch(2);
            for (int i = 0; i < 2; i++) {
                async.watchJob(WatchJobRequest.newBuilder().setId(job.getId()).build(), new io.grpc.stub.ClientResponseObserver<WatchJobRequest, JobEvent>() {
                    public void beforeStart(io.grpc.stub.ClientCallStreamObserver<WatchJobRequest> call) { open.add(call); }
                    public void onNext(JobEvent e) { snapshots.countDown(); }
                    public void onError(Throwable t) { }
                    public void onCompleted() { }
                });
            }
            assertThat(snapshots.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            var blocking = grpc(FlywheelServiceGrpc.FlywheelServiceBlockingStub.class, key.getSecret());
            Iterator<JobEvent> third = blocking.watchJob(WatchJobRequest.newBuilder().setId(job.getId()).build());
            assertThat(code(third::hasNext)).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(http(key.getSecret()).get("/v1/jobs/" + job.getId() + "/events").aggregate().join().status().code()).isEqualTo(429);
            open.get(0).cancel("done watching", null);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                    blocking.watchJob(WatchJobRequest.newBuilder().setId(job.getId()).build()).next().getJob().getId().equals(job.getId()));
            open.forEach(c -> c.cancel("done watching", null));
        } finally {
            app.jobs().setCreateLimiter(dev.flywheel.core.auth.RateLimiter.UNLIMITED);
            app.jobs().setMaxWatchesPerKey(100);
        }
    }
}
