package dev.flywheel.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import dev.flywheel.api.v1.ConfigServiceGrpc;
import dev.flywheel.api.v1.FlywheelServiceGrpc;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of the API tests: a real server on a random port, wired by {@link Main#configureServices} exactly as in
 * production, over the shared test stack (DevStackExtension) with a database of its own per test class.
 */
@ExtendWith(DevStackExtension.class)
abstract class TestServer {

    static final ObjectMapper JSON = new ObjectMapper();

    static FlywheelApp app;
    static Server server;
    static WebClient http;
    static FlywheelServiceGrpc.FlywheelServiceBlockingStub grpc;
    static FlywheelServiceGrpc.FlywheelServiceFutureStub grpcAsync;
    static ConfigServiceGrpc.ConfigServiceBlockingStub configs;

    @BeforeAll
    static void startServer(DevStack stack) {
        app = FlywheelApp.open(stack.mongoUri(), "test_" + UUID.randomUUID().toString().substring(0, 8),
                JobConfigs.builtInDefaults());
        ServerBuilder sb = Server.builder().http(0);
        Main.configureServices(sb, app);
        server = sb.build();
        server.start().join();
        String base = "http://127.0.0.1:" + server.activeLocalPort();
        http = WebClient.of(base);
        grpc = GrpcClients.newClient(base, FlywheelServiceGrpc.FlywheelServiceBlockingStub.class);
        grpcAsync = GrpcClients.newClient(base, FlywheelServiceGrpc.FlywheelServiceFutureStub.class);
        configs = GrpcClients.newClient(base, ConfigServiceGrpc.ConfigServiceBlockingStub.class);
    }

    @AfterAll
    static void stopServer() {
        server.stop().join();
        app.close();
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static AggregatedHttpResponse postJson(String path, String body) {
        return http.prepare().post(path).content(MediaType.JSON, body).execute().aggregate().join();
    }

    static JsonNode json(AggregatedHttpResponse response) {
        try {
            return JSON.readTree(response.contentUtf8());
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + response.contentUtf8(), e);
        }
    }

    /** How many jobs the store holds for a client, read through the API. */
    static int jobCount(String clientId) {
        return grpc.listJobs(dev.flywheel.api.v1.ListJobsRequest.newBuilder().setClientId(clientId).setPageSize(1000)
                .build()).getJobsCount();
    }
}
