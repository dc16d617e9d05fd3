package dev.flywheel.server;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.util.UUID;

/**
 * {@code ./flywheel demo}: starts the embedded stack and the server, then does what a user's first session
 * does over plain HTTP/JSON — creates a job with the reference's job request and reads it back. Until the
 * job engine exists the job stays {@code pending}; the demo says so and stops everything it started.
 */
final class Demo {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Demo() {}

    private static String pretty(String json) throws JsonProcessingException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(json));
    }

    static void run(String[] args) {
        ServerSettings settings = ServerSettings.from(ConfigFactory.parseString("flywheel.server.port = 0")
                .withFallback(ConfigFactory.defaultOverrides())
                .withFallback(ConfigFactory.defaultReference())
                .resolve());
        System.out.println("== Starting the embedded stack (MongoDB stand-in, Redis, Elasticsearch) and the server");
        try (Main.Running running = Main.start(settings)) {
            running.printEndpoints();
            WebClient http = WebClient.of(running.baseUrl());
            String request = """
                    {"client_id": "demo-app", "workload_id": "customer-support", "job_type": "llm_job",
                     "request_id": "%s",
                     "data_split_config": {"eval_size": 100, "val_ratio": 0.1, "min_total_records": 50, "limit": 1000}}"""
                    .formatted(UUID.randomUUID());
            System.out.println("\n== POST /v1/jobs");
            System.out.println(request);
            AggregatedHttpResponse created = http.prepare().post("/v1/jobs").content(MediaType.JSON, request)
                    .execute().aggregate().join();
            System.out.println("-> HTTP " + created.status().code());
            String id = JSON.readTree(created.contentUtf8()).path("id").asText();
            AggregatedHttpResponse job = http.get("/v1/jobs/" + id).aggregate().join();
            System.out.println("\n== GET /v1/jobs/" + id + " -> HTTP " + job.status().code());
            System.out.println(pretty(job.contentUtf8()));
            AggregatedHttpResponse compat = http.get("/api/jobs/" + id).aggregate().join();
            System.out.println("\n== GET /api/jobs/" + id + " (the reference blueprint's API) -> HTTP " + compat.status().code());
            System.out.println(pretty(compat.contentUtf8()));
            System.out.println("\nThe job is stored and pending: the job engine that runs it arrives with issue #5.");
            if (created.status().code() != 200 || job.status().code() != 200) {
                throw new IllegalStateException("demo failed");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
