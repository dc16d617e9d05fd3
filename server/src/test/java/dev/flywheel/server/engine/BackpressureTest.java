package dev.flywheel.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.RetryInfo;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.MediaType;
import com.typesafe.config.ConfigFactory;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.FlywheelServiceGrpc;
import dev.flywheel.clients.admission.RedisAdmission;
import dev.flywheel.core.engine.Admission;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.server.Main;
import dev.flywheel.server.ServerSettings;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Backpressure (promise P7): while {@code max-queued} candidates wait for GPUs, CreateJob answers
 * RESOURCE_EXHAUSTED with RetryInfo (HTTP 429 with Retry-After), and accepts again once the queue drains.
 */
@ExtendWith(DevStackExtension.class)
class BackpressureTest {

    @Test
    void aFullQueueRefusesNewJobsWithRetryInfoUntilItDrains(DevStack stack) throws Exception {
        ServerSettings settings = ServerSettings.from(ConfigFactory.parseString("""
                flywheel.server.port = 0
                flywheel.server.bind-address = "127.0.0.1"
                flywheel.data-dir = ""
                flywheel.auth.enabled = false  # not what this test is about (security/AuthTest is)
                flywheel.engine.gpus = 1
                flywheel.engine.max-queued = 1
                """).withFallback(ConfigFactory.parseMap(Map.of(
                "flywheel.mongodb.uri", stack.mongoUri(), "flywheel.mongodb.database", "bp_" + UUID.randomUUID().toString().substring(0, 8),
                "flywheel.redis.uri", stack.redisUri(), "flywheel.elasticsearch.url", stack.elasticsearchUrl())))
                .withFallback(ConfigFactory.defaultReference()).resolve());
        try (Main.Running running = Main.start(settings);
             RedisAdmission queue = RedisAdmission.open(stack.redisUri(), "fw:adm:", 1,
                     () -> CompletableFuture.completedFuture(new Admission.Snapshot(List.of(), List.of())))) {
            var grpc = GrpcClients.newClient(running.baseUrl(), FlywheelServiceGrpc.FlywheelServiceBlockingStub.class);
            CreateJobRequest request = CreateJobRequest.newBuilder().setClientId("acme").setWorkloadId("w").build();

            // Someone holds the only GPU and someone waits: the queue is full.
            assertThat(queue.request("other-job/c0", 1, 1).join().admitted()).isTrue();
            assertThat(queue.request("other-job/c1", 1, 2).join().position()).isEqualTo(1);

            StatusRuntimeException refused = catchThrowableOfType(() -> grpc.createJob(request), StatusRuntimeException.class);
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            var details = StatusProto.fromThrowable(refused).getDetailsList();
            assertThat(details).anySatisfy(any -> assertThat(any.is(RetryInfo.class)).isTrue());
            RetryInfo retry = details.stream().filter(a -> a.is(RetryInfo.class)).findFirst().orElseThrow().unpack(RetryInfo.class);
            assertThat(retry.getRetryDelay().getSeconds()).isPositive();

            var http = WebClient.of(running.baseUrl()).prepare().post("/v1/jobs")
                    .content(MediaType.JSON, "{\"client_id\":\"acme\",\"workload_id\":\"w\"}").execute().aggregate().join();
            assertThat(http.status().code()).isEqualTo(429);
            assertThat(http.headers().get("retry-after")).isNotBlank();
            assertThat(http.contentUtf8()).contains("RESOURCE_EXHAUSTED").contains("queue is full");

            // The queue is visible to Prometheus.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(WebClient.of(running.baseUrl()).get("/internal/metrics").aggregate().join().contentUtf8())
                            .contains("flywheel_engine_gpus_capacity 1.0").contains("flywheel_engine_queue_waiting 1.0")
                            .contains("flywheel_engine_gpus_used 1.0"));

            // The waiting candidate leaves: there is room again.
            queue.release("other-job/c1").join();
            assertThat(grpc.createJob(request).getStatus()).isIn("pending", "running");
            queue.release("other-job/c0").join();

            // embedding_job cannot run yet: a clear no instead of a job that never runs.
            StatusRuntimeException embedding = catchThrowableOfType(() -> grpc.createJob(request.toBuilder()
                    .setJobType("embedding_job").setRequestId("emb").build()), StatusRuntimeException.class);
            assertThat(embedding.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(embedding.getStatus().getDescription()).contains("not supported yet");
        }
    }
}
