package dev.flywheel.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.client.BlockingWebClient;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import dev.flywheel.emulator.http.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Test client for one emulator: plain Armeria {@link WebClient}s on the three hosts and the common steps of a
 * flywheel run (namespace, dataset upload through the HF API, deploy and wait, evaluate, customize).
 */
final class TestNemo implements AutoCloseable {
    /** One HTTP answer: status and body parsed as JSON when it is JSON. */
    record Res(int status, JsonNode json, AggregatedHttpResponse raw) {
        String detail() {
            return json == null ? null : json.path("detail").asText(null);
        }
    }

    final NemoEmulator emulator;
    final BlockingWebClient platform;
    final BlockingWebClient nim;
    final BlockingWebClient datastore;

    TestNemo(NemoEmulator emulator) {
        this.emulator = emulator;
        this.platform = WebClient.builder(emulator.platformUrl()).responseTimeoutMillis(10_000).build().blocking();
        this.nim = WebClient.builder(emulator.nimUrl()).responseTimeoutMillis(10_000).build().blocking();
        this.datastore = WebClient.builder(emulator.datastoreUrl()).responseTimeoutMillis(10_000).build().blocking();
    }

    static TestNemo start(long seed) {
        return new TestNemo(NemoEmulator.builder().seed(seed).timeScale(0.002).start());
    }

    @Override
    public void close() {
        emulator.close();
    }

    static Res call(BlockingWebClient c, HttpMethod method, String path, Object body) {
        HttpRequest req;
        if (body == null) {
            req = HttpRequest.of(method, path);
        } else if (body instanceof JsonNode j) {
            req = HttpRequest.of(method, path, MediaType.JSON_UTF_8, Json.write(j));
        } else {
            req = HttpRequest.of(method, path, MediaType.PLAIN_TEXT_UTF_8, body.toString());
        }
        AggregatedHttpResponse r = c.execute(req);
        JsonNode json = null;
        MediaType ct = r.contentType();
        if (ct != null && ct.is(MediaType.ANY_APPLICATION_TYPE) && ct.subtype().contains("json")) {
            json = Json.parse(r.contentUtf8());
        }
        return new Res(r.status().code(), json, r);
    }

    Res get(BlockingWebClient c, String path) {
        return call(c, HttpMethod.GET, path, null);
    }

    Res post(BlockingWebClient c, String path, JsonNode body) {
        return call(c, HttpMethod.POST, path, body);
    }

    Res patch(BlockingWebClient c, String path, JsonNode body) {
        return call(c, HttpMethod.PATCH, path, body);
    }

    Res delete(BlockingWebClient c, String path) {
        return call(c, HttpMethod.DELETE, path, null);
    }

    static ObjectNode obj(String json) {
        return (ObjectNode) Json.parse(json);
    }

    // ---- flywheel steps ----

    void namespace(String ns) {
        assertThat(post(platform, "/v1/namespaces", Json.obj().put("id", ns)).status()).isIn(200, 409);
        AggregatedHttpResponse r = datastore.execute(HttpRequest.of(HttpMethod.POST, "/v1/datastore/namespaces",
                MediaType.FORM_DATA, "namespace=" + ns));
        assertThat(r.status().code()).isIn(201, 409);
    }

    /** What huggingface_hub's create_repo + upload_file send, then the Entity Store registration. */
    void uploadDataset(String ns, String name, String path, String content) {
        Res created = post(datastore, "/v1/hf/api/repos/create", Json.obj().put("name", name)
                .put("organization", ns).put("type", "dataset"));
        assertThat(created.status()).isIn(200, 409);
        String repo = "/v1/hf/api/datasets/" + ns + "/" + name;
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        ObjectNode pre = Json.obj();
        pre.putArray("files").addObject().put("path", path).put("size", bytes.length)
                .put("sample", Base64.getEncoder().encodeToString(bytes.length > 512
                        ? java.util.Arrays.copyOf(bytes, 512) : bytes));
        Res preRes = post(datastore, repo + "/preupload/main", pre);
        assertThat(preRes.json().path("files").path(0).path("uploadMode").asText()).isEqualTo("regular");
        assertThat(get(datastore, repo + "/revision/main?expand=xetEnabled").json().path("id").asText())
                .isEqualTo(ns + "/" + name);
        String ndjson = Json.write(obj("{\"key\":\"header\",\"value\":{\"summary\":\"Upload\",\"description\":\"\"}}"))
                + "\n" + Json.write(Json.obj().put("key", "file").set("value", Json.obj().put("path", path)
                .put("encoding", "base64").put("content", Base64.getEncoder().encodeToString(bytes))));
        AggregatedHttpResponse commit = datastore.execute(HttpRequest.of(HttpMethod.POST, repo + "/commit/main",
                MediaType.parse("application/x-ndjson"), ndjson));
        assertThat(commit.status().code()).isEqualTo(200);
        assertThat(Json.parse(commit.contentUtf8()).path("commitOid").asText()).hasSize(40);
        ObjectNode reg = Json.obj().put("name", name).put("namespace", ns).put("description", "")
                .put("files_url", "hf://datasets/" + ns + "/" + name).put("project", "flywheel");
        if (get(platform, "/v1/datasets/" + ns + "/" + name).status() == 200) {
            assertThat(patch(platform, "/v1/datasets/" + ns + "/" + name, reg).status()).isEqualTo(200);
        } else {
            assertThat(post(platform, "/v1/datasets", reg).status()).isEqualTo(200);
        }
    }

    /** DFW's deploy: POST (500 "already exists" tolerated), poll until ready, poll the NIM until the model shows. */
    void deploy(String ns, String model) {
        Res r = post(platform, "/v1/deployment/model-deployments", deployment(ns, model));
        assertThat(r.status() == 200 || (r.status() == 500 && r.detail().contains("model deployment already exists")))
                .as("deploy answered %s", r).isTrue();
        String name = model.replace('/', '-');
        await().atMost(Duration.ofSeconds(10)).until(() -> "ready".equals(get(platform,
                "/v1/deployment/model-deployments/" + ns + "/" + name).json().path("status_details")
                .path("status").asText()));
        awaitNimModel(model);
    }

    static ObjectNode deployment(String ns, String model) {
        ObjectNode d = Json.obj().put("name", model.replace('/', '-')).put("namespace", ns);
        ObjectNode c = d.putObject("config").put("model", model);
        c.putObject("nim_deployment").put("image_name", "nvcr.io/nim/" + model).put("image_tag", "1.8.3")
                .put("pvc_size", "25Gi").put("gpu", 1).putObject("additional_envs")
                .put("NIM_GUIDED_DECODING_BACKEND", "outlines");
        return d;
    }

    void awaitNimModel(String model) {
        await().atMost(Duration.ofSeconds(10)).until(() -> nimModels().contains(model));
    }

    List<String> nimModels() {
        return get(nim, "/v1/models").json().path("data").findValuesAsText("id");
    }

    /** DFW's tool-calling evaluation config, with a judge given as an external endpoint. */
    static ObjectNode toolEvalJob(String ns, String dataset, String model, int limit) {
        ObjectNode job = Json.obj();
        ObjectNode config = job.putObject("config").put("type", "custom");
        ObjectNode task = config.putObject("tasks").putObject("custom-tool-calling").put("type", "chat-completion");
        task.putObject("dataset").put("files_url", "hf://datasets/" + ns + "/" + dataset + "/eval_data.jsonl")
                .put("limit", limit);
        ObjectNode template = task.putObject("params").putObject("template");
        template.put("messages", "{{ item.request.messages | tojson }}");
        template.put("tools", "{{ item.request.tools | tojson }}");
        template.put("tool_choice", "required");
        ObjectNode metrics = task.putObject("metrics");
        metrics.putObject("tool-calling-accuracy").put("type", "tool-calling").putObject("params")
                .put("tool_calls_ground_truth", "{{ item.response.choices[0].message.tool_calls | tojson }}");
        ObjectNode judge = metrics.putObject("correctness").put("type", "llm-judge").putObject("params");
        judge.putObject("model").putObject("api_endpoint").put("url", "http://judge/v1/chat/completions")
                .put("model_id", "meta/llama-3.3-70b-instruct").put("api_key", "secret");
        judge.putObject("template").putArray("messages").addObject().put("role", "user")
                .put("content", "{{ item.response.choices[0].message.tool_calls }} vs "
                        + "{{ sample.response.choices[0].message.tool_calls }}");
        judge.putObject("scores").putObject("rating").put("type", "int").putObject("parser")
                .put("type", "regex").put("pattern", "RATING:\\s*(\\d+)");
        job.putObject("target").put("type", "model").put("model", model);
        return job;
    }

    /** DFW's generic LLM-as-judge config (similarity 1–10); the parser pattern is a parameter. */
    static ObjectNode judgeEvalJob(String ns, String dataset, String model, String pattern) {
        ObjectNode job = Json.obj();
        ObjectNode config = job.putObject("config").put("type", "custom");
        ObjectNode task = config.putObject("tasks").putObject("llm-as-judge").put("type", "chat-completion");
        task.putObject("dataset").put("files_url", "hf://datasets/" + ns + "/" + dataset + "/eval_data.jsonl");
        task.putObject("params").putObject("template").put("messages", "{{ item.request.messages | tojson }}");
        ObjectNode judge = task.putObject("metrics").putObject("llm-judge").put("type", "llm-judge")
                .putObject("params");
        judge.put("model", "meta/llama-3.3-70b-instruct");
        judge.putObject("scores").putObject("similarity").put("type", "int").putObject("parser")
                .put("type", "regex").put("pattern", pattern);
        job.putObject("target").put("type", "model").put("model", model);
        return job;
    }

    /** Creates an evaluation job, waits for completion (created/running only on the way) and returns the results. */
    JsonNode evaluate(ObjectNode job) {
        Res created = post(platform, "/v1/evaluation/jobs", job);
        assertThat(created.status()).as("%s", created.json()).isEqualTo(200);
        String id = created.json().path("id").asText();
        assertThat(id).startsWith("eval-");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            String s = get(platform, "/v1/evaluation/jobs/" + id).json().path("status").asText();
            assertThat(s).as("eval status").isIn("created", "running", "completed");
            return s.equals("completed");
        });
        return get(platform, "/v1/evaluation/jobs/" + id + "/results").json();
    }

    static double score(JsonNode results, String task, String metric, String score) {
        return results.path("tasks").path(task).path("metrics").path(metric).path("scores").path(score)
                .path("value").asDouble(Double.NaN);
    }

    ArrayNode ledger(String kind) {
        return (ArrayNode) get(platform, "/emulator/ledger" + (kind == null ? "" : "?kind=" + kind)).json()
                .path("resources");
    }
}
