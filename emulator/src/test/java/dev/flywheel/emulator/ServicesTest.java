package dev.flywheel.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import dev.flywheel.emulator.http.Json;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each service's happy path, documented errors and quirks, over HTTP against one shared emulator. */
class ServicesTest {
    private static TestNemo t;

    @BeforeAll
    static void start() {
        t = TestNemo.start(11);
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    @Test
    void entityStoreNamespacesDatasetsModelsAndListEnvelope() {
        assertThat(t.post(t.platform, "/v1/namespaces", Json.obj().put("id", "es")).status()).isEqualTo(200);
        TestNemo.Res again = t.post(t.platform, "/v1/namespaces", Json.obj().put("id", "es"));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.detail()).contains("already exists");
        JsonNode ns = t.get(t.platform, "/v1/namespaces/es").json();
        assertThat(ns.path("id").asText()).isEqualTo("es");
        assertThat(ns.path("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}");
        assertThat(t.get(t.platform, "/v1/namespaces/nope").status()).isEqualTo(404);

        assertThat(t.get(t.platform, "/v1/datasets/es/d1").status()).isEqualTo(404);
        TestNemo.Res missing = t.post(t.platform, "/v1/datasets", Json.obj().put("name", "d1").put("namespace", "es"));
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.json().path("detail").path(0).path("loc").toString()).isEqualTo("[\"body\",\"files_url\"]");
        ObjectNode ds = Json.obj().put("name", "d1").put("namespace", "es").put("files_url", "hf://datasets/es/d1");
        JsonNode created = t.post(t.platform, "/v1/datasets", ds).json();
        assertThat(created.path("id").asText()).matches("dataset-[1-9A-HJ-NP-Za-km-z]{22}");
        assertThat(created.has("hf_endpoint")).isTrue();
        assertThat(t.post(t.platform, "/v1/datasets", ds).status()).isEqualTo(409);
        assertThat(t.patch(t.platform, "/v1/datasets/es/d1", Json.obj().put("description", "x")).json()
                .path("description").asText()).isEqualTo("x");
        assertThat(t.post(t.platform, "/v1/datasets", Json.obj().put("name", "d").put("namespace", "ghost")
                .put("files_url", "hf://x")).status()).isEqualTo(404);

        // names with '@' and '+' travel raw in paths
        String name = "llama@v1.0.0+dfw";
        assertThat(t.post(t.platform, "/v1/models", Json.obj().put("name", name).put("namespace", "es")).status())
                .isEqualTo(200);
        assertThat(t.get(t.platform, "/v1/models/es/" + name).json().path("name").asText()).isEqualTo(name);
        for (int i = 0; i < 3; i++) {
            t.post(t.platform, "/v1/models", Json.obj().put("name", "m" + i).put("namespace", "es"));
        }
        JsonNode page = t.get(t.platform, "/v1/models?filter[namespace]=es&sort=-name&page=2&page_size=2").json();
        assertThat(page.path("object").asText()).isEqualTo("list");
        assertThat(page.path("pagination").path("total_results").asInt()).isEqualTo(4);
        assertThat(page.path("pagination").path("total_pages").asInt()).isEqualTo(2);
        assertThat(page.path("data").findValuesAsText("name")).containsExactly("m0", name);
        assertThat(page.path("filter").path("namespace").asText()).isEqualTo("es");
        assertThat(t.delete(t.platform, "/v1/models/es/" + name).status()).isEqualTo(200);
        assertThat(t.get(t.platform, "/v1/models/es/" + name).status()).isEqualTo(404);

        TestNemo.Res bad = TestNemo.call(t.platform, HttpMethod.POST, "/v1/namespaces", "{not json");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().path("detail").isArray()).isTrue();
        // DFW's wrong cancel path gets FastAPI's plain 404
        TestNemo.Res wrong = t.post(t.platform, "/v1/customizations/cust-x/cancel", Json.obj());
        assertThat(wrong.status()).isEqualTo(404);
        assertThat(wrong.detail()).isEqualTo("Not Found");
    }

    @Test
    void dataStoreNamespacesAndHfApi() {
        AggregatedHttpResponse created = t.datastore.execute(HttpRequest.of(HttpMethod.POST,
                "/v1/datastore/namespaces", MediaType.FORM_DATA, "namespace=dsns"));
        assertThat(created.status().code()).isEqualTo(201);
        assertThat(t.datastore.execute(HttpRequest.of(HttpMethod.POST, "/v1/datastore/namespaces",
                MediaType.FORM_DATA, "namespace=dsns")).status().code()).isEqualTo(409);
        TestNemo.Res got = t.get(t.datastore, "/v1/datastore/namespaces/dsns");
        assertThat(got.status()).isEqualTo(201); // sic
        assertThat(got.json().path("created_at").asText()).endsWith("Z");

        ObjectNode repo = Json.obj().put("name", "r1").put("organization", "dsns").put("type", "dataset");
        TestNemo.Res r = t.post(t.datastore, "/v1/hf/api/repos/create", repo);
        assertThat(r.json().path("url").asText()).isEqualTo("datasets/dsns/r1");
        assertThat(t.post(t.datastore, "/v1/hf/api/repos/create", repo).status()).isEqualTo(409);
        assertThat(t.post(t.datastore, "/v1/hf/api/repos/create", Json.obj().put("name", "r")
                .put("organization", "ghost").put("type", "dataset")).status()).isEqualTo(404);

        t.post(t.platform, "/v1/namespaces", Json.obj().put("id", "dsns"));
        t.uploadDataset("dsns", "r1", "training/a.jsonl", "{\"x\": 1}");
        AggregatedHttpResponse file = t.datastore.get("/v1/hf/datasets/dsns/r1/resolve/main/training/a.jsonl");
        assertThat(file.contentUtf8()).isEqualTo("{\"x\": 1}");
        assertThat(file.headers().get("x-repo-commit")).hasSize(40);
        assertThat(file.headers().get("etag")).isNotBlank();
        AggregatedHttpResponse head = t.datastore.execute(HttpRequest.of(HttpMethod.HEAD,
                "/v1/hf/datasets/dsns/r1/resolve/main/training/a.jsonl"));
        assertThat(head.headers().contentLength()).isEqualTo(8);
        JsonNode tree = t.get(t.datastore, "/v1/hf/api/datasets/dsns/r1/tree/main?recursive=true").json();
        assertThat(tree.findValuesAsText("path")).contains("training", "training/a.jsonl");
        assertThat(t.get(t.datastore, "/v1/hf/datasets/dsns/r1/resolve/main/nope.jsonl").status()).isEqualTo(404);
        JsonNode info = t.get(t.datastore, "/v1/hf/api/datasets/dsns/r1").json();
        assertThat(info.path("siblings").findValuesAsText("rfilename")).containsExactly("training/a.jsonl");
        assertThat(TestNemo.call(t.datastore, HttpMethod.DELETE, "/v1/hf/api/repos/delete", repo).status())
                .isEqualTo(200);
        assertThat(t.get(t.datastore, "/v1/hf/api/datasets/dsns/r1").status()).isEqualTo(404);
    }

    @Test
    void deploymentsAndNimProxy() {
        t.namespace("dep");
        TestNemo.Res bad = t.post(t.platform, "/v1/deployment/model-deployments",
                TestNemo.obj("{\"name\": \"x\", \"namespace\": \"dep\", \"config\": {\"model\": \"m\", "
                        + "\"nim_deployment\": {\"image_name\": \"i\", \"image_tag\": \"t\"}}}"));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().path("detail").path(0).path("loc").toString())
                .isEqualTo("[\"body\",\"config\",\"nim_deployment\",\"gpu\"]");

        String model = "meta/llama-3.1-8b-instruct";
        JsonNode created = t.post(t.platform, "/v1/deployment/model-deployments",
                TestNemo.deployment("dep", model)).json();
        assertThat(created.path("status_details").path("status").asText()).isIn("created", "pending");
        assertThat(created.path("deployed").asBoolean()).isFalse();
        assertThat(t.nimModels()).doesNotContain(model);
        t.deploy("dep", model); // duplicate create tolerated, then waits for ready and the proxy sync
        JsonNode list = t.get(t.platform, "/v1/deployment/model-deployments").json();
        assertThat(list.path("data").findValuesAsText("name")).contains("meta-llama-3.1-8b-instruct");
        assertThat(t.get(t.platform, "/v1/deployment/model-deployments/dep/meta-llama-3.1-8b-instruct").json()
                .path("deployed").asBoolean()).isTrue();

        JsonNode models = t.get(t.nim, "/v1/models").json();
        assertThat(models.has("pagination")).isFalse();
        assertThat(models.path("data").path(0).path("object").asText()).isEqualTo("model");

        ObjectNode rec = TestData.toolRecord(5, "sys");
        t.uploadDataset("dep", "tools", "eval_data.jsonl", Json.write(rec)); // teaches the oracle this item
        ObjectNode chat = Json.obj().put("model", model).put("tool_choice", "required");
        chat.set("messages", rec.path("request").path("messages"));
        chat.set("tools", TestData.tools());
        JsonNode resp = t.post(t.nim, "/v1/chat/completions", chat).json();
        JsonNode call = resp.path("choices").path(0).path("message").path("tool_calls").path(0);
        assertThat(call.path("id").asText()).matches("chatcmpl-tool-[0-9a-f]{32}");
        assertThat(call.path("function").path("arguments").isTextual()).isTrue();
        assertThat(resp.path("choices").path(0).path("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(resp.path("usage").path("total_tokens").asInt()).isPositive();

        ObjectNode unknown = chat.deepCopy().put("model", "nobody/none-1b");
        assertThat(t.post(t.nim, "/v1/chat/completions", unknown).status()).isEqualTo(404);
        assertThat(t.post(t.nim, "/v1/chat/completions", Json.obj().put("model", model)).status()).isEqualTo(422);

        ObjectNode emb = Json.obj().put("model", model).put("input_type", "query");
        emb.putArray("input").add("hello world").add("hello there");
        JsonNode e = t.post(t.nim, "/v1/embeddings", emb).json();
        assertThat(e.path("data")).hasSize(2);
        assertThat(e.path("data").path(0).path("embedding")).hasSize(2048);

        assertThat(t.delete(t.platform, "/v1/deployment/model-deployments/dep/meta-llama-3.1-8b-instruct").status())
                .isEqualTo(200);
        assertThat(t.delete(t.platform, "/v1/deployment/model-deployments/dep/meta-llama-3.1-8b-instruct").status())
                .isEqualTo(404);
        assertThat(t.nimModels()).doesNotContain(model);
    }

    @Test
    void customizerErrorsCancelAndDatasetValidation() {
        t.namespace("cu");
        ObjectNode noHp = TestNemo.obj("{\"config\": \"meta/llama-3.2-1b-instruct@v1.0.0+80GB\", "
                + "\"dataset\": {\"name\": \"x\", \"namespace\": \"cu\"}}");
        assertThat(t.post(t.platform, "/v1/customization/jobs", noHp).status()).isEqualTo(422);
        ObjectNode job = noHp.deepCopy();
        job.putObject("hyperparameters").put("finetuning_type", "lora").put("epochs", 1).put("batch_size", 4);
        assertThat(t.post(t.platform, "/v1/customization/jobs", job).status()).isEqualTo(404); // no such dataset
        ObjectNode unknownConfig = job.deepCopy().put("config", "cu/nope@v1");
        assertThat(t.post(t.platform, "/v1/customization/jobs", unknownConfig).status()).isEqualTo(404);
        assertThat(t.get(t.platform, "/v1/customization/jobs/cust-nothing").status()).isEqualTo(404);
        assertThat(t.post(t.platform, "/v1/customization/configs", Json.obj().put("name", "c")).status())
                .isEqualTo(422);

        // a dataset whose assistant content is null fails validation once the job starts
        t.uploadDataset("cu", "bad", "training/train_data.jsonl",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": null}]}");
        job.set("dataset", Json.obj().put("name", "bad").put("namespace", "cu"));
        String failedId = t.post(t.platform, "/v1/customization/jobs", job).json().path("id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> t.get(t.platform, "/v1/customization/jobs/" + failedId
                + "/status").json().path("status").asText().equals("failed"));
        JsonNode logs = t.get(t.platform, "/v1/customization/jobs/" + failedId + "/status").json().path("status_logs");
        assertThat(logs.get(logs.size() - 1).path("detail").asText())
                .contains("training/train_data.jsonl line 1").contains("content must be a string");
        assertThat(t.post(t.platform, "/v1/customization/jobs/" + failedId + "/cancel", Json.obj()).status())
                .isEqualTo(409);

        t.uploadDataset("cu", "good", "training/train_data.jsonl", TestData.training(0, 30));
        job.set("dataset", Json.obj().put("name", "good").put("namespace", "cu"));
        String id = t.post(t.platform, "/v1/customization/jobs", job).json().path("id").asText();
        JsonNode cancelled = t.post(t.platform, "/v1/customization/jobs/" + id + "/cancel", Json.obj()).json();
        assertThat(cancelled.path("status").asText()).isEqualTo("cancelling");
        await().atMost(Duration.ofSeconds(10)).until(() -> t.get(t.platform, "/v1/customization/jobs/" + id)
                .json().path("status").asText().equals("cancelled"));
        JsonNode list = t.get(t.platform, "/v1/customization/jobs?sort=-created_at").json();
        assertThat(list.path("data").path(0).path("id").asText()).isEqualTo(id);
    }

    @Test
    void evaluatorComputesMetricsAndExposesResults() throws Exception {
        t.namespace("ev");
        t.uploadDataset("ev", "eval", "eval_data.jsonl", TestData.toolEval(0, 20, "You are a helpful assistant."));
        String model = "meta/llama-3.2-3b-instruct";
        t.deploy("ev", model);

        ObjectNode noTarget = TestNemo.toolEvalJob("ev", "eval", model, 20);
        noTarget.remove("target");
        assertThat(t.post(t.platform, "/v1/evaluation/jobs", noTarget).status()).isEqualTo(422);
        ObjectNode badMetric = TestNemo.toolEvalJob("ev", "eval", model, 20);
        ((ObjectNode) badMetric.at("/config/tasks/custom-tool-calling/metrics/correctness")).put("type", "bogus");
        assertThat(t.post(t.platform, "/v1/evaluation/jobs", badMetric).status()).isEqualTo(422);
        assertThat(t.post(t.platform, "/v1/evaluation/jobs", TestNemo.obj(
                "{\"config\": \"ev/none\", \"target\": {\"type\": \"model\", \"model\": \"m\"}}")).status())
                .isEqualTo(404);

        TestNemo.Res created = t.post(t.platform, "/v1/evaluation/jobs", TestNemo.toolEvalJob("ev", "eval", model, 20));
        JsonNode job = created.json();
        assertThat(job.path("status").asText()).isEqualTo("created");
        assertThat(job.path("namespace").asText()).isEqualTo("default");
        assertThat(job.path("config").path("id").asText()).startsWith("eval-config-");
        assertThat(job.path("target").path("id").asText()).startsWith("eval-target-");
        assertThat(job.at("/config/tasks/custom-tool-calling/dataset/id").asText()).startsWith("dataset-");
        assertThat(job.at("/config/tasks/custom-tool-calling/metrics/correctness/params/model/api_endpoint/api_key")
                .asText()).isEqualTo("******"); // NeMo masks every echoed secret (nemo-api.md §1.2)
        String id = job.path("id").asText();
        assertThat(t.get(t.platform, "/v1/evaluation/jobs/" + id + "/results").status()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(10)).until(() -> t.get(t.platform, "/v1/evaluation/jobs/" + id).json()
                .path("status").asText().equals("completed"));
        JsonNode status = t.get(t.platform, "/v1/evaluation/jobs/" + id + "/status").json();
        assertThat(status.has("status")).isFalse();
        assertThat(status.path("progress").asDouble()).isEqualTo(100.0);
        assertThat(status.path("task_status").path("custom-tool-calling").asText()).isEqualTo("completed");
        JsonNode done = t.get(t.platform, "/v1/evaluation/jobs/" + id).json();
        assertThat(done.path("result").asText()).startsWith("evaluation_result-");
        assertThat(done.path("output_files_url").asText()).isEqualTo("hf://datasets/evaluation-results/" + id);

        JsonNode results = t.get(t.platform, "/v1/evaluation/jobs/" + id + "/results").json();
        JsonNode nameAcc = results.at("/tasks/custom-tool-calling/metrics/tool-calling-accuracy/scores/"
                + "function_name_accuracy");
        JsonNode argsAcc = results.at("/tasks/custom-tool-calling/metrics/tool-calling-accuracy/scores/"
                + "function_name_and_args_accuracy");
        assertThat(nameAcc.path("stats").path("count").asInt()).isEqualTo(20);
        assertThat(nameAcc.path("value").asDouble()).isGreaterThanOrEqualTo(argsAcc.path("value").asDouble());
        assertThat(nameAcc.path("value").asDouble()).isEqualTo(nameAcc.path("stats").path("sum").asDouble() / 20);

        // per-sample rows agree with the aggregate
        byte[] zip = t.platform.get("/v1/evaluation/jobs/" + id + "/download-results").content().array();
        List<String> names = new ArrayList<>();
        String outputs = null;
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                names.add(e.getName());
                if (e.getName().equals("outputs.jsonl")) {
                    outputs = new String(z.readAllBytes());
                }
            }
        }
        assertThat(names).contains("results.json", "outputs.jsonl");
        double sum = 0;
        for (String line : outputs.split("\n")) {
            sum += Json.parse(line).at("/metrics/tool-calling-accuracy/function_name_and_args_accuracy").asDouble();
        }
        assertThat(sum / 20).isEqualTo(argsAcc.path("value").asDouble());
        assertThat(t.delete(t.platform, "/v1/evaluation/jobs/" + id).status()).isEqualTo(204);
        assertThat(t.get(t.platform, "/v1/evaluation/jobs/" + id).status()).isEqualTo(404);

        // a judge named by model id must be served: this one is not, so the job fails with a message
        t.uploadDataset("ev", "text", "eval_data.jsonl", TestData.jsonl(List.of(TestData.textRecord(1))));
        String judged = t.post(t.platform, "/v1/evaluation/jobs", TestNemo.judgeEvalJob("ev", "text", model, "(\\d)"))
                .json().path("id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> t.get(t.platform, "/v1/evaluation/jobs/" + judged).json()
                .path("status").asText().equals("failed"));
        assertThat(t.get(t.platform, "/v1/evaluation/jobs/" + judged).json().at("/status_details/message").asText())
                .contains("meta/llama-3.3-70b-instruct");
    }

    @Test
    void ledgerListsCreationsDeletionsAndDuplicates() {
        t.post(t.platform, "/v1/namespaces", Json.obj().put("id", "led"));
        t.post(t.platform, "/v1/models", Json.obj().put("name", "a").put("namespace", "led"));
        t.delete(t.platform, "/v1/models/led/a");
        t.post(t.platform, "/v1/models", Json.obj().put("name", "a").put("namespace", "led"));
        JsonNode ledger = t.get(t.platform, "/emulator/ledger?kind=model").json();
        List<JsonNode> mine = new ArrayList<>();
        ledger.path("resources").forEach(r -> {
            if (r.path("key").asText().equals("led/a")) {
                mine.add(r);
            }
        });
        assertThat(mine).hasSize(2);
        assertThat(mine.get(0).path("live").asBoolean()).isFalse();
        assertThat(mine.get(1).path("live").asBoolean()).isTrue();
        assertThat(ledger.path("duplicates").findValuesAsText("key")).contains("led/a");
        JsonNode live = t.get(t.platform, "/emulator/ledger?kind=namespace&live=true").json();
        assertThat(live.path("resources").findValuesAsText("key")).contains("led");
        assertThat(t.emulator.ledger().live()).anyMatch(e -> e.key().equals("led/a"));
    }
}
