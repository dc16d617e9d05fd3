package dev.flywheel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.FlywheelServiceGrpc;
import dev.flywheel.api.v1.Job;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import org.junit.jupiter.api.Test;

class PlatformEndpointsTest extends TestServer {

    @Test
    void healthIsServingWhileMongoAnswers() {
        assertThat(http.get("/internal/health").aggregate().join().status().code()).isEqualTo(200);
        HealthGrpc.HealthBlockingStub health = GrpcClients.newClient("http://127.0.0.1:" + server.activeLocalPort(),
                HealthGrpc.HealthBlockingStub.class);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void metricsDocsAndReflection() {
        grpc.createJob(CreateJobRequest.newBuilder().setClientId(unique("c")).setWorkloadId("w").build());
        String metrics = http.get("/internal/metrics").aggregate().join().contentUtf8();
        assertThat(metrics).contains("flywheel_jobs_submitted_total{job_type=\"llm_job\"}").contains("grpc_service");
        assertThat(http.get("/docs/").aggregate().join().status().code()).isEqualTo(200);
        String spec = http.get("/docs/specification.json").aggregate().join().contentUtf8();
        assertThat(spec).contains("flywheel.v1.FlywheelService").contains("flywheel.v1.ConfigService");
    }

    @Test
    void grpcWebClientsWork() {
        FlywheelServiceGrpc.FlywheelServiceBlockingStub web = GrpcClients.builder("http://127.0.0.1:" + server.activeLocalPort())
                .serializationFormat(GrpcSerializationFormats.PROTO_WEB)
                .build(FlywheelServiceGrpc.FlywheelServiceBlockingStub.class);
        Job job = web.createJob(CreateJobRequest.newBuilder().setClientId(unique("web")).setWorkloadId("w").build());
        assertThat(job.getStatus()).isEqualTo("pending");
        grpc.cancelJob(dev.flywheel.api.v1.CancelJobRequest.newBuilder().setId(job.getId()).build());
        // Server streaming over gRPC-Web: the snapshot of the now finished job, then the end of the stream.
        java.util.List<dev.flywheel.api.v1.JobEvent> events = new java.util.ArrayList<>();
        web.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
                .watchJob(dev.flywheel.api.v1.WatchJobRequest.newBuilder().setId(job.getId()).build())
                .forEachRemaining(events::add);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.getKind()).isEqualTo("snapshot");
            assertThat(e.getJob().getStatus()).isEqualTo("cancelled");
        });
    }
}
