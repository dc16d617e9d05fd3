package dev.flywheel.clients.nemo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.clients.nemo.InferenceTypes.ChatCompletionRequest;
import dev.flywheel.clients.nemo.InferenceTypes.ChatMessage;
import dev.flywheel.clients.nemo.InferenceTypes.EmbeddingRequest;
import dev.flywheel.emulator.NemoEmulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.flywheel.clients.nemo.EmulatorSupport.BASE_MODEL;
import static dev.flywheel.clients.nemo.EmulatorSupport.NS;
import static dev.flywheel.clients.nemo.EmulatorSupport.failure;
import static dev.flywheel.clients.nemo.EmulatorSupport.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link DeploymentClient} and {@link NimProxyClient} over HTTP against the emulator. */
class DeploymentAndNimClientTest {

    static NemoEmulator emu;
    static SimpleMeterRegistry registry = EmulatorSupport.registry();
    static NemoClients c;
    static final String JOB = "665f1c2e9b1e8a3d4c5b6a79";

    @BeforeAll
    static void start() {
        emu = EmulatorSupport.start();
        c = EmulatorSupport.clients(emu, registry);
    }

    @AfterAll
    static void stop() {
        EmulatorSupport.stop(emu);
    }

    @Test
    void deploymentLifecycleWithAdoptOnDuplicate500() {
        String name = NemoNames.deployment(JOB, "nim", BASE_MODEL, 1);
        double attemptsBefore = EmulatorSupport.attempts(registry, "deployment", "createDeployment");
        var created = join(c.deployments().createDeployment(EmulatorSupport.deployment(name, BASE_MODEL, true)));
        assertThat(created.adopted()).isFalse();
        assertThat(created.value().phase()).isEqualTo(NemoStatus.Phase.WAITING);

        // DMS answers a duplicate with HTTP 500 "model deployment already exists": adopted, not retried.
        var again = join(c.deployments().createDeployment(EmulatorSupport.deployment(name, BASE_MODEL, true)));
        assertThat(again.adopted()).isTrue();
        assertThat(again.value().name()).isEqualTo(name);
        assertThat(EmulatorSupport.attempts(registry, "deployment", "createDeployment") - attemptsBefore).isEqualTo(2.0);
        assertThat(emu.ledger().duplicates()).isEmpty();

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() ->
                join(c.deployments().getDeployment(NS, name)).phase() == NemoStatus.Phase.SUCCEEDED);
        assertThat(join(c.deployments().listDeployments())).extracting(DeploymentTypes.ModelDeployment::name).contains(name);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> join(c.nimProxy().hasModel(BASE_MODEL)));

        // Inference with tools through the proxy: tool call arguments arrive as a JSON string.
        JsonNode tool = NemoJson.mapper().valueToTree(java.util.Map.of("type", "function", "function", java.util.Map.of(
                "name", "get_weather", "parameters", java.util.Map.of("type", "object", "properties",
                        java.util.Map.of("city", java.util.Map.of("type", "string"))))));
        var chat = join(c.nimProxy().chatCompletion(new ChatCompletionRequest(BASE_MODEL,
                List.of(ChatMessage.of("user", "What is the weather in Paris?")), List.of(tool),
                NemoJson.mapper().getNodeFactory().textNode("required"), 0.0, null, 256, null, null)));
        assertThat(chat.choices()).isNotEmpty();
        var message = chat.firstMessage();
        assertThat(message.role()).isEqualTo("assistant");
        if (message.toolCalls() != null && !message.toolCalls().isEmpty()) {
            assertThat(message.toolCalls().get(0).function().name()).isNotBlank();
        }

        var text = join(c.nimProxy().chatCompletion(ChatCompletionRequest.of(BASE_MODEL,
                List.of(ChatMessage.of("user", "Say hi")))));
        assertThat(text.firstMessage().content()).isNotNull();

        assertThat(join(c.deployments().deleteDeployment(NS, name))).isTrue();
        NemoException gone = failure(c.deployments().getDeployment(NS, name));
        assertThat(gone.isNotFound()).isTrue();
        assertThat(gone.service()).isEqualTo(NemoService.DEPLOYMENT);
        assertThat(join(c.deployments().findDeployment(NS, name))).isEmpty();
        assertThat(join(c.deployments().deleteDeployment(NS, name))).isFalse();
    }

    @Test
    void embeddingsThroughTheProxy() {
        String model = "nvidia/llama-3.2-nv-embedqa-1b-v2";
        EmulatorSupport.deployAndWait(c, NemoNames.deployment(JOB, "emb", model, 1), model, false);
        var r = join(c.nimProxy().embeddings(new EmbeddingRequest(model, List.of("first text", "second"), "query", null)));
        assertThat(r.data()).hasSize(2);
        assertThat(r.data().get(0).embedding()).isNotEmpty();
        // Without input_type the retriever NIM refuses: a typed 400.
        NemoException e = failure(c.nimProxy().embeddings(new EmbeddingRequest(model, List.of("x"), null, null)));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.service()).isEqualTo(NemoService.NIM_PROXY);
    }

    @Test
    void unknownModelIsATyped404() {
        NemoException e = failure(c.nimProxy().chatCompletion(ChatCompletionRequest.of("nobody/nothing",
                List.of(ChatMessage.of("user", "hi")))));
        assertThat(e.isNotFound()).isTrue();
        assertThat(e.operation()).isEqualTo("chatCompletion");
        assertThat(join(c.nimProxy().hasModel("nobody/nothing"))).isFalse();
    }

    @Test
    void remoteEndpointSendsBearerAndWorks() {
        EmulatorSupport.deployAndWait(c, NemoNames.deployment(JOB, "judge", BASE_MODEL, 1), BASE_MODEL, true);
        NimProxyClient remote = c.remoteEndpoint(emu.nimUrl() + "/v1/chat/completions", Secret.of("nvapi-remote"));
        var r = join(remote.chatCompletion(ChatCompletionRequest.of(BASE_MODEL, List.of(ChatMessage.of("user", "hi")))));
        assertThat(r.choices()).isNotEmpty();
        assertThat(registry.find("nemo.client.requests").tag("service", "remote-inference").timer().count()).isEqualTo(1);
    }
}
