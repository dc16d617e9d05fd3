package dev.flywheel.clients.nemo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.clients.nemo.EvaluationConfigs.LocalJudge;
import dev.flywheel.clients.nemo.EvaluationConfigs.RemoteJudge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Paths, secrets, redaction, endpoints, error excerpts, inline evaluation configs. Pure. */
class NemoBasicsTest {

    @Test
    void pathsKeepAtAndPlusRaw() {
        assertThat(NemoPaths.join("/v1/customization/configs", "dfwbp", "llama-3.2-1b-instruct@v1.0.0+dfw"))
                .isEqualTo("/v1/customization/configs/dfwbp/llama-3.2-1b-instruct@v1.0.0+dfw");
        assertThat(NemoPaths.ref("/v1/models", "dfwbp/customized-x@cust-BTkGbfifLfEAjV2THu3tas"))
                .isEqualTo("/v1/models/dfwbp/customized-x@cust-BTkGbfifLfEAjV2THu3tas");
    }

    @Test
    void pathsEncodeWhatCouldChangeTheRoute() {
        assertThat(NemoPaths.segment("a/b?c#d e%")).isEqualTo("a%2Fb%3Fc%23d%20e%25");
        assertThat(NemoPaths.segment("é")).isEqualTo("%C3%A9");
        assertThatThrownBy(() -> NemoPaths.segment("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NemoPaths.ref("/v1/models", "no-namespace")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void secretMasksAndOnlyNemoMapperWritesIt(@TempDir Path dir) throws Exception {
        Secret s = Secret.of("nvapi-SECRET123");
        assertThat(s.toString()).isEqualTo("******");
        assertThat(String.valueOf(Map.of("api_key", s))).doesNotContain("SECRET");
        assertThat(NemoJson.mapper().writeValueAsString(Map.of("api_key", s))).contains("nvapi-SECRET123");
        // A general-purpose mapper (job snapshots, Mongo documents) refuses to write it: fail closed.
        assertThatThrownBy(() -> new ObjectMapper().writeValueAsString(Map.of("k", s)))
                .hasMessageContaining("No serializer found").hasMessageNotContaining("SECRET");

        Path f = dir.resolve("key");
        Files.writeString(f, "from-file\n");
        assertThat(Secret.fromEnvironment("JUDGE_API_KEY", Map.of("JUDGE_API_KEY_FILE", f.toString())))
                .hasValueSatisfying(v -> assertThat(v.reveal()).isEqualTo("from-file"));
        assertThat(Secret.fromEnvironment("JUDGE_API_KEY", Map.of("JUDGE_API_KEY", "env"))).contains(Secret.of("env"));
        assertThat(Secret.fromEnvironment("JUDGE_API_KEY", Map.of())).isEmpty();
    }

    @Test
    void redaction() {
        assertThat(NemoJson.redact("{\"api_key\": \"nvapi-abc\", \"model_id\": \"m\"}"))
                .isEqualTo("{\"api_key\": \"******\", \"model_id\": \"m\"}");
        assertThat(NemoJson.redact("Authorization: Bearer nvapi-xyz.123 rest")).isEqualTo("Authorization: Bearer ****** rest");
        assertThat(NemoJson.redact("{\"hf_token\":\"hf_x\"}")).isEqualTo("{\"hf_token\":\"******\"}");
    }

    @Test
    void scrubMasksNestedKeys() throws Exception {
        JsonNode n = NemoJson.mapper().readTree(
                "{\"model\": {\"api_endpoint\": {\"url\": \"u\", \"api_key\": \"nvapi-X\"}}, \"list\": [{\"token\": \"t\"}]}");
        JsonNode s = NemoJson.scrub(n);
        assertThat(s.toString()).doesNotContain("nvapi-X").doesNotContain("\"t\"").contains("\"url\":\"u\"");
        assertThat(n.toString()).contains("nvapi-X"); // the input is untouched
    }

    @Test
    void exceptionExcerptIsCappedAndRedacted() {
        String body = "{\"detail\": \"bad\", \"api_key\": \"nvapi-LEAK\", \"pad\": \"" + "x".repeat(2000) + "\"}";
        NemoException e = NemoException.fromResponse(NemoService.EVALUATOR, "createJob", 400, body);
        assertThat(e.bodyExcerpt()).hasSizeLessThanOrEqualTo(NemoException.MAX_EXCERPT + 1).doesNotContain("LEAK");
        assertThat(e.getMessage()).doesNotContain("LEAK");
        assertThat(e.service()).isEqualTo(NemoService.EVALUATOR);
        assertThat(e.operation()).isEqualTo("createJob");
        assertThat(e.status()).isEqualTo(400);
        NemoException plain = NemoException.fromResponse(NemoService.DATA_STORE, "createRepo", 502, "<html>Bad Gateway</html>");
        assertThat(plain.detail()).isNull();
        assertThat(plain.getMessage()).contains("HTTP 502").contains("Bad Gateway");
        assertThat(plain.isRetryable()).isTrue();
    }

    @Test
    void endpointsValidate() {
        NemoEndpoints e = new NemoEndpoints("http://nemo.test/", "http://nim.test", "http://data-store.test", "dfwbp");
        assertThat(e.nemoBaseUrl()).isEqualTo("http://nemo.test");
        assertThatThrownBy(() -> new NemoEndpoints("nemo.test", "http://nim.test", "http://ds", "dfwbp"))
                .hasMessageContaining("nemo_base_url");
        assertThatThrownBy(() -> new NemoEndpoints("http://u:p@nemo.test", "http://nim.test", "http://ds", "dfwbp"))
                .hasMessageContaining("credentials");
        assertThatThrownBy(() -> new NemoEndpoints("http://nemo.test", "http://nim.test", "http://ds", "a/b"))
                .hasMessageContaining("nmp_namespace");
    }

    @Test
    void nextLinkParsing() {
        assertThat(DataStoreClient.nextLink("<https://ds/v1/hf/api/datasets/a/b/tree/main?cursor=x>; rel=\"next\""))
                .isEqualTo("https://ds/v1/hf/api/datasets/a/b/tree/main?cursor=x");
        assertThat(DataStoreClient.nextLink(null)).isNull();
        assertThat(DataStoreClient.nextLink("<x>; rel=\"prev\"")).isNull();
    }

    @Test
    void similarityConfigMatchesTheReferenceShape() throws Exception {
        var cfg = EvaluationConfigs.llmJudgeSimilarity("hf://datasets/dfwbp/fw-x-eval-a1/eval_data.jsonl", 100,
                new LocalJudge("meta/llama-3.3-70b-instruct"), false);
        JsonNode json = NemoJson.mapper().valueToTree(cfg);
        assertThat(json.path("type").asText()).isEqualTo("custom");
        JsonNode task = json.path("tasks").path("llm-as-judge");
        assertThat(task.path("type").asText()).isEqualTo("chat-completion");
        assertThat(task.path("dataset").path("limit").asInt()).isEqualTo(100);
        assertThat(task.path("params").path("template").path("messages").asText())
                .isEqualTo("{{ item.request.messages | tojson }}");
        JsonNode metric = task.path("metrics").path("llm-judge");
        assertThat(metric.path("type").asText()).isEqualTo("llm-judge");
        assertThat(metric.path("params").path("model").asText()).isEqualTo("meta/llama-3.3-70b-instruct");
        String pattern = metric.path("params").path("scores").path("similarity").path("parser").path("pattern").asText();
        // Fixes the reference's "(\d)", which read a judge's "10" as 1.
        var m = Pattern.compile(pattern).matcher("10");
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).isEqualTo("10");
        var m7 = Pattern.compile(pattern).matcher("Score: 7");
        assertThat(m7.find() && m7.group(1).equals("7")).isTrue();
    }

    @Test
    void toolCallingConfigWithRemoteJudgeKey() throws Exception {
        var judge = new RemoteJudge("https://integrate.api.nvidia.com/v1/chat/completions", "meta/llama-3.3-70b-instruct",
                Secret.of("nvapi-JUDGE"));
        var cfg = EvaluationConfigs.toolCalling("hf://datasets/dfwbp/ds/eval_data.jsonl", null, judge);
        assertThat(cfg.toString()).doesNotContain("nvapi-JUDGE");
        JsonNode json = NemoJson.mapper().readTree(NemoJson.mapper().writeValueAsString(cfg));
        JsonNode task = json.path("tasks").path("custom-tool-calling");
        assertThat(task.path("params").path("template").path("tool_choice").asText()).isEqualTo("required");
        assertThat(task.path("dataset").has("limit")).isFalse();
        assertThat(task.path("metrics").path("tool-calling-accuracy").path("params").path("tool_calls_ground_truth").asText())
                .isEqualTo("{{ item.response.choices[0].message.tool_calls | tojson }}");
        JsonNode endpoint = task.path("metrics").path("correctness").path("params").path("model").path("api_endpoint");
        assertThat(endpoint.path("api_key").asText()).isEqualTo("nvapi-JUDGE");
        assertThat(endpoint.path("model_id").asText()).isEqualTo("meta/llama-3.3-70b-instruct");
        assertThat(task.path("metrics").path("correctness").path("params").path("scores").path("rating")
                .path("parser").path("pattern").asText()).isEqualTo("RATING:\\s*(\\d+)");
        JsonNode judgeOnly = NemoJson.mapper().valueToTree(EvaluationConfigs.toolCallingJudgeOnly("hf://x", 5,
                new LocalJudge("j")));
        assertThat(judgeOnly.path("tasks").path("llm-as-judge").path("metrics").has("correctness")).isTrue();
        assertThat(NemoJson.mapper().valueToTree(EvaluationConfigs.modelTarget("m")).toString())
                .isEqualTo("{\"type\":\"model\",\"model\":\"m\"}");
    }

    @Test
    void scoresFromReferenceConfigs() throws Exception {
        String json = """
                {"tasks": {"custom-tool-calling": {"metrics": {
                   "tool-calling-accuracy": {"scores": {"function_name_accuracy": {"value": 0.9},
                                                        "function_name_and_args_accuracy": {"value": 0.8}}},
                   "correctness": {"scores": {"rating": {"value": 0.75}}}}},
                 "llm-as-judge": {"metrics": {"llm-judge": {"scores": {"similarity": {"value": 7.5}}}}}}}""";
        var r = NemoJson.mapper().readValue(json, EvaluationTypes.EvaluationResult.class);
        assertThat(EvaluationScores.scores(r)).containsExactlyEntriesOf(new java.util.LinkedHashMap<>(Map.of()) {{
            put("similarity", 7.5);
            put("function_name_accuracy", 0.9);
            put("function_name_and_args_accuracy", 0.8);
            put("tool_calling_correctness", 0.75);
        }});
        var judgeOnly = NemoJson.mapper().readValue(
                "{\"tasks\":{\"llm-as-judge\":{\"metrics\":{\"correctness\":{\"scores\":{\"rating\":{\"value\":1.0}}}}}}}",
                EvaluationTypes.EvaluationResult.class);
        assertThat(EvaluationScores.scores(judgeOnly)).containsExactly(Map.entry("tool_calling_correctness", 1.0));
        assertThatThrownBy(() -> NemoJson.mapper().readValue("{\"id\":\"x\"}", EvaluationTypes.EvaluationResult.class))
                .hasMessageContaining("tasks");
    }
}
