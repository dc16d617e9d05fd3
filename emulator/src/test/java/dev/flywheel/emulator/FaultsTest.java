package dev.flywheel.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import dev.flywheel.emulator.faults.FaultRule;
import dev.flywheel.emulator.http.Json;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every fault kind, set programmatically or through the admin endpoint. */
class FaultsTest {
    private static TestNemo t;

    @BeforeAll
    static void start() {
        t = TestNemo.start(5);
        t.namespace("f");
        t.uploadDataset("f", "train", "training/train_data.jsonl", TestData.training(0, 64));
        t.uploadDataset("f", "eval", "eval_data.jsonl", TestData.toolEval(0, 20, "sys"));
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    @AfterEach
    void clear() {
        t.emulator.faults().clear();
    }

    private static ObjectNode customizationJob() {
        return TestNemo.obj("""
                {"config": "meta/llama-3.2-1b-instruct@v1.0.0+80GB", "output_model": "f/out",
                 "dataset": {"name": "train", "namespace": "f"},
                 "hyperparameters": {"finetuning_type": "lora", "epochs": 2, "batch_size": 4}}""");
    }

    @Test
    void latencyDelaysTheAnswer() {
        t.emulator.faults().add(FaultRule.latency("GET", "/v1/namespaces/*", 300));
        long start = System.nanoTime();
        assertThat(t.get(t.platform, "/v1/namespaces/f").status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void errorsByCountAndByRate() {
        t.emulator.faults().add(FaultRule.error("POST", "/v1/namespaces", 503).times(1));
        TestNemo.Res first = t.post(t.platform, "/v1/namespaces", Json.obj().put("id", "err1"));
        assertThat(first.status()).isEqualTo(503);
        assertThat(first.detail()).startsWith("Injected fault");
        assertThat(t.post(t.platform, "/v1/namespaces", Json.obj().put("id", "err1")).status()).isEqualTo(200);

        t.emulator.faults().add(FaultRule.error(null, "/v1/chat/*", 500).withRate(0.5).onHost("nim"));
        int errors = 0;
        for (int i = 0; i < 40; i++) {
            errors += t.post(t.nim, "/v1/chat/completions", Json.obj()).status() == 500 ? 1 : 0;
        }
        assertThat(errors).isBetween(8, 32);
    }

    @Test
    void lostAnswerStillCommitsTheChange() {
        t.emulator.faults().add(FaultRule.loseAnswer("POST", "/v1/namespaces").times(1));
        assertThatThrownBy(() -> t.post(t.platform, "/v1/namespaces", Json.obj().put("id", "lost")))
                .isInstanceOf(RuntimeException.class);
        assertThat(t.get(t.platform, "/v1/namespaces/lost").status()).isEqualTo(200);
        // the retry a careful client makes sees the conflict, and the ledger shows a single creation
        assertThat(t.post(t.platform, "/v1/namespaces", Json.obj().put("id", "lost")).status()).isEqualTo(409);
        assertThat(t.emulator.ledger().entries().stream().filter(e -> e.key().equals("lost")).count()).isEqualTo(1);
    }

    @Test
    void hangUntilTheClientGivesUp() {
        t.emulator.faults().add(FaultRule.hang("GET", "/v1/namespaces/f").times(1));
        var impatient = WebClient.builder(t.emulator.platformUrl()).responseTimeoutMillis(300).build().blocking();
        assertThatThrownBy(() -> impatient.get("/v1/namespaces/f"))
                .isInstanceOf(com.linecorp.armeria.client.ResponseTimeoutException.class);
        assertThat(t.get(t.platform, "/v1/namespaces/f").status()).isEqualTo(200);
    }

    @Test
    void customizationFailsAtPercentage() {
        t.emulator.faults().set(t.emulator.faults().plan().withCustomizationFailAt(50));
        String id = t.post(t.platform, "/v1/customization/jobs", customizationJob()).json().path("id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> t.get(t.platform, "/v1/customization/jobs/" + id
                + "/status").json().path("status").asText().equals("failed"));
        JsonNode s = t.get(t.platform, "/v1/customization/jobs/" + id + "/status").json();
        assertThat(s.path("steps_completed").asInt()).isEqualTo(s.path("steps_per_epoch").asInt()); // half of 2 epochs
        JsonNode logs = s.path("status_logs");
        assertThat(logs.get(logs.size() - 1).path("detail").asText()).contains("injected fault");
    }

    @Test
    void evaluationFailsAtPercentage() {
        t.deploy("f", "meta/llama-3.2-1b-instruct");
        t.emulator.faults().set(t.emulator.faults().plan().withEvaluationFailAt(30));
        String id = t.post(t.platform, "/v1/evaluation/jobs", TestNemo.toolEvalJob("f", "eval",
                "meta/llama-3.2-1b-instruct", 20)).json().path("id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> t.get(t.platform, "/v1/evaluation/jobs/" + id).json()
                .path("status").asText().equals("failed"));
        JsonNode details = t.get(t.platform, "/v1/evaluation/jobs/" + id + "/status").json();
        assertThat(details.path("progress").asDouble()).isBetween(30.0, 99.0);
        assertThat(details.path("message").asText()).contains("injected fault");
    }

    @Test
    void deploymentAndCustomizationStuckPendingWithNotEnoughResources() throws Exception {
        t.emulator.faults().set(t.emulator.faults().plan().withDeploymentStuckPending(true)
                .withCustomizationStuckPending(true));
        t.post(t.platform, "/v1/deployment/model-deployments", TestNemo.deployment("f", "meta/llama-3.1-8b-instruct"));
        String path = "/v1/deployment/model-deployments/f/meta-llama-3.1-8b-instruct";
        await().atMost(Duration.ofSeconds(10)).until(() -> t.get(t.platform, path).json()
                .at("/status_details/description").asText().startsWith("NotEnoughResources"));
        String job = t.post(t.platform, "/v1/customization/jobs", customizationJob()).json().path("id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            JsonNode logs = t.get(t.platform, "/v1/customization/jobs/" + job + "/status").json().path("status_logs");
            return logs.get(logs.size() - 1).path("message").asText().equals("NotEnoughResources");
        });
        TimeUnit.MILLISECONDS.sleep(300);
        assertThat(t.get(t.platform, path).json().at("/status_details/status").asText()).isEqualTo("pending");
        assertThat(t.get(t.platform, "/v1/customization/jobs/" + job).json().path("status").asText())
                .isEqualTo("pending");

        t.emulator.faults().clear(); // resources free up: both proceed
        await().atMost(Duration.ofSeconds(10)).until(() -> t.get(t.platform, path).json()
                .at("/status_details/status").asText().equals("ready"));
        await().atMost(Duration.ofSeconds(10)).until(() -> t.get(t.platform, "/v1/customization/jobs/" + job).json()
                .path("status").asText().equals("completed"));
    }

    @Test
    void restartKeepsStateDropsInFlightAndJobsContinue() {
        String job = t.post(t.platform, "/v1/customization/jobs", customizationJob()).json().path("id").asText();
        t.emulator.faults().add(FaultRule.hang("GET", "/v1/namespaces/f").times(1));
        CompletableFuture<AggregatedHttpResponse> inFlight = WebClient.builder(t.emulator.platformUrl())
                .responseTimeoutMillis(20_000).build().get("/v1/namespaces/f").aggregate();

        TestNemo.Res r = TestNemo.call(t.platform, HttpMethod.POST, "/emulator/restart",
                Json.obj().put("downtime_ms", 300));
        assertThat(r.status()).isEqualTo(202);
        // the hanging request is dropped by the restart, not answered
        assertThatThrownBy(() -> inFlight.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(Exception.class);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> t.get(t.platform, "/v1/namespaces/f").status() == 200);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> t.get(t.platform,
                "/v1/customization/jobs/" + job).json().path("status").asText().equals("completed"));
        assertThat(t.get(t.datastore, "/v1/datastore/namespaces/f").status()).isEqualTo(201);
    }

    @Test
    void adminEndpointSetsAndClearsFaults() {
        ObjectNode plan = TestNemo.obj("""
                {"rules": [{"kind": "error", "method": "GET", "path": "/v1/namespaces/f", "status": 429, "count": 2}],
                 "customization_fail_at_percent": 10}""");
        TestNemo.Res put = TestNemo.call(t.platform, HttpMethod.PUT, "/emulator/faults", plan);
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.json().path("remaining").path(0).asInt()).isEqualTo(2);
        assertThat(t.get(t.platform, "/v1/namespaces/f").status()).isEqualTo(429);
        assertThat(t.get(t.platform, "/emulator/faults").json().path("remaining").path(0).asInt()).isEqualTo(1);
        assertThat(t.emulator.faults().plan().customizationFailAtPercent()).isEqualTo(10);
        assertThat(t.delete(t.platform, "/emulator/faults").status()).isEqualTo(200);
        assertThat(t.get(t.platform, "/v1/namespaces/f").status()).isEqualTo(200);
        TestNemo.Res bad = TestNemo.call(t.platform, HttpMethod.PUT, "/emulator/faults",
                TestNemo.obj("{\"rules\": [{\"kind\": \"explode\"}]}"));
        assertThat(bad.status()).isEqualTo(422);
    }
}
