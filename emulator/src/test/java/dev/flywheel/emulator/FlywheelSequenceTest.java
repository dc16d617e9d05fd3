package dev.flywheel.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.http.Json;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The whole DFW call sequence of nemo-api.md §8 for one model, over HTTP. */
class FlywheelSequenceTest {
    private static final String NS = "dfwbp";
    private static final String MODEL = "meta/llama-3.2-1b-instruct";

    @Test
    void fullFlywheelRunForOneModel() {
        try (TestNemo t = TestNemo.start(7)) {
            // 2. datasets: eval, icl, train
            t.namespace(NS);
            t.namespace(NS);
            t.uploadDataset(NS, "flywheel-eval-wl-1", "eval_data.jsonl",
                    TestData.toolEval(0, 40, "You are a helpful assistant."));
            t.uploadDataset(NS, "flywheel-icl-wl-1", "eval_data.jsonl",
                    TestData.toolEval(0, 40, TestData.iclSystem(6)));
            t.uploadDataset(NS, "flywheel-train-wl-1", "training/train_data.jsonl", TestData.training(100, 200));
            t.uploadDataset(NS, "flywheel-train-wl-1", "validation/val_data.jsonl", TestData.training(300, 20));

            // 3. deploy the NIM (twice: the duplicate answers 500 "model deployment already exists")
            t.deploy(NS, MODEL);
            TestNemo.Res dup = t.post(t.platform, "/v1/deployment/model-deployments", TestNemo.deployment(NS, MODEL));
            assertThat(dup.status()).isEqualTo(500);
            assertThat(dup.detail()).contains("model deployment already exists");

            // chat completion through the proxy
            ObjectNode chat = Json.obj().put("model", MODEL);
            chat.putArray("messages").addObject().put("role", "user").put("content", "hi");
            TestNemo.Res answer = t.post(t.nim, "/v1/chat/completions", chat);
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.json().path("choices").path(0).path("message").path("role").asText())
                    .isEqualTo("assistant");

            // 4. base and ICL evaluations
            JsonNode base = t.evaluate(TestNemo.toolEvalJob(NS, "flywheel-eval-wl-1", MODEL, 40));
            JsonNode icl = t.evaluate(TestNemo.toolEvalJob(NS, "flywheel-icl-wl-1", MODEL, 40));
            double baseAcc = TestNemo.score(base, "custom-tool-calling", "tool-calling-accuracy",
                    "function_name_and_args_accuracy");
            double iclAcc = TestNemo.score(icl, "custom-tool-calling", "tool-calling-accuracy",
                    "function_name_and_args_accuracy");
            assertThat(baseAcc).isBetween(0.0, 1.0);
            assertThat(TestNemo.score(base, "custom-tool-calling", "correctness", "rating")).isBetween(0.0, 1.0);
            assertThat(iclAcc).isGreaterThan(baseAcc);

            // 5. customization
            ObjectNode config = TestNemo.obj("""
                    {"name": "llama-3.2-1b-instruct@v1.0.0+dfw", "namespace": "dfwbp",
                     "target": "meta/llama-3.2-1b-instruct@2.0",
                     "training_options": [{"training_type": "sft", "finetuning_type": "lora", "num_gpus": 1,
                       "num_nodes": 1, "tensor_parallel_size": 1, "data_parallel_size": 1,
                       "use_sequence_parallel": false, "micro_batch_size": 1}],
                     "training_precision": "bf16-mixed", "max_seq_length": 8192}""");
            assertThat(t.post(t.platform, "/v1/customization/configs", config).status()).isEqualTo(200);
            assertThat(t.post(t.platform, "/v1/customization/configs", config).status()).isEqualTo(409);
            ObjectNode job = TestNemo.obj("""
                    {"name": "customization-wl-meta/llama-3.2-1b-instruct",
                     "output_model": "dfwbp/customized-meta-llama-3.2-1b-instruct",
                     "config": "dfwbp/llama-3.2-1b-instruct@v1.0.0+dfw",
                     "dataset": {"name": "flywheel-train-wl-1", "namespace": "dfwbp"},
                     "hyperparameters": {"training_type": "sft", "finetuning_type": "lora", "epochs": 2,
                       "batch_size": 16, "learning_rate": 0.0001, "lora": {"adapter_dim": 32, "adapter_dropout": 0.1}}}""");
            TestNemo.Res created = t.post(t.platform, "/v1/customization/jobs", job);
            assertThat(created.status()).isEqualTo(200);
            String jobId = created.json().path("id").asText();
            String output = created.json().path("output_model").asText();
            assertThat(jobId).startsWith("cust-");
            assertThat(output).isEqualTo("dfwbp/customized-meta-llama-3.2-1b-instruct@" + jobId);
            assertThat(created.json().path("status").asText()).isEqualTo("created");
            assertThat(created.json().path("hyperparameters").path("lora").path("alpha").asInt()).isEqualTo(16);

            await().atMost(Duration.ofSeconds(20)).until(() -> {
                String s = t.get(t.platform, "/v1/customization/jobs/" + jobId + "/status").json()
                        .path("status").asText();
                assertThat(s).isIn("created", "pending", "running", "completed");
                return s.equals("completed");
            });
            JsonNode status = t.get(t.platform, "/v1/customization/jobs/" + jobId + "/status").json();
            assertThat(status.path("percentage_done").asDouble()).isEqualTo(100.0);
            assertThat(status.path("epochs_completed").asInt()).isEqualTo(2);
            assertThat(status.path("steps_per_epoch").asInt()).isEqualTo(13); // ceil(200 / 16)
            assertThat(status.path("steps_completed").asInt()).isEqualTo(26);
            JsonNode train = status.path("metrics").path("metrics").path("train_loss");
            assertThat(train.get(0).path("step").asInt()).isEqualTo(9);
            assertThat(train.get(train.size() - 1).path("value").asDouble())
                    .isLessThan(train.get(0).path("value").asDouble());
            assertThat(status.path("metrics").path("metrics").path("val_loss")).hasSize(2);
            assertThat(status.path("status_logs").findValuesAsText("message"))
                    .contains("created", "TrainingJobRunning", "TrainingJobCompleted", "EntityHandler_1_Completed");

            // the adapter model: in the Entity Store (with @ in the path) and, after a lag, in the NIM proxy
            TestNemo.Res model = t.get(t.platform, "/v1/models/" + output);
            assertThat(model.status()).isEqualTo(200);
            assertThat(model.json().path("artifact").path("status").asText()).isEqualTo("upload_completed");
            assertThat(model.json().path("base_model").asText()).isEqualTo(MODEL);
            t.awaitNimModel(output);

            JsonNode custom = t.evaluate(TestNemo.toolEvalJob(NS, "flywheel-eval-wl-1", output, 40));
            double customAcc = TestNemo.score(custom, "custom-tool-calling", "tool-calling-accuracy",
                    "function_name_and_args_accuracy");
            assertThat(customAcc).isGreaterThan(baseAcc);

            // 6. shutdown: the deployment goes, and with it the base model and the adapter
            String deployment = "/v1/deployment/model-deployments/" + NS + "/meta-llama-3.2-1b-instruct";
            assertThat(t.delete(t.platform, deployment).status()).isEqualTo(200);
            assertThat(t.get(t.platform, deployment).status()).isEqualTo(404);
            assertThat(t.nimModels()).doesNotContain(MODEL, output);
            assertThat(t.post(t.nim, "/v1/chat/completions", chat).status()).isEqualTo(404);

            // cleanup as DFW's cleanup manager does it, then the ledger shows nothing of ours left but namespaces
            assertThat(t.delete(t.platform, "/v1/models/" + output).status()).isEqualTo(200);
            assertThat(t.delete(t.platform, "/v1/customization/configs/dfwbp/llama-3.2-1b-instruct@v1.0.0+dfw")
                    .status()).isEqualTo(200);
            for (String ds : new String[] {"flywheel-eval-wl-1", "flywheel-icl-wl-1", "flywheel-train-wl-1"}) {
                assertThat(t.delete(t.platform, "/v1/datasets/" + NS + "/" + ds).status()).isEqualTo(200);
                assertThat(TestNemo.call(t.datastore, com.linecorp.armeria.common.HttpMethod.DELETE,
                        "/v1/hf/api/repos/delete", Json.obj().put("name", ds).put("organization", NS)
                                .put("type", "dataset")).status()).isEqualTo(200);
            }
            var live = t.emulator.ledger().live().stream().map(e -> e.kind()).distinct().toList();
            assertThat(live).containsOnly("namespace", "datastore_namespace", "evaluation_job", "customization_job");
        }
    }
}
