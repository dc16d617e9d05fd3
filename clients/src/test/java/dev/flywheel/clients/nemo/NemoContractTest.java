package dev.flywheel.clients.nemo;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.flywheel.clients.nemo.CommonTypes.DeleteResponse;
import dev.flywheel.clients.nemo.CommonTypes.Page;
import dev.flywheel.clients.nemo.CustomizationTypes.CustomizationConfig;
import dev.flywheel.clients.nemo.CustomizationTypes.CustomizationJob;
import dev.flywheel.clients.nemo.CustomizationTypes.CustomizationStatus;
import dev.flywheel.clients.nemo.DataStoreTypes.CommitInfo;
import dev.flywheel.clients.nemo.DataStoreTypes.DatastoreNamespace;
import dev.flywheel.clients.nemo.DataStoreTypes.LfsBatchResponse;
import dev.flywheel.clients.nemo.DataStoreTypes.PreuploadResponse;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoInfo;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoUrl;
import dev.flywheel.clients.nemo.DataStoreTypes.TreeEntry;
import dev.flywheel.clients.nemo.DeploymentTypes.DeploymentList;
import dev.flywheel.clients.nemo.DeploymentTypes.ModelDeployment;
import dev.flywheel.clients.nemo.EntityTypes.Dataset;
import dev.flywheel.clients.nemo.EntityTypes.Model;
import dev.flywheel.clients.nemo.EntityTypes.Namespace;
import dev.flywheel.clients.nemo.EvaluationTypes.EvaluationJob;
import dev.flywheel.clients.nemo.EvaluationTypes.EvaluationResult;
import dev.flywheel.clients.nemo.EvaluationTypes.EvaluationStatusDetails;
import dev.flywheel.clients.nemo.InferenceTypes.ChatCompletion;
import dev.flywheel.clients.nemo.InferenceTypes.EmbeddingResponse;
import dev.flywheel.clients.nemo.InferenceTypes.ModelList;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Contract tests: the clients' response types parse the real NeMo answers recorded in nemo-api.md
 * (fixtures under {@code src/test/resources/nemo/}), so the clients stay true to NeMo, not only to our emulator.
 */
class NemoContractTest {

    static String fixture(String path) {
        try (InputStream in = NemoContractTest.class.getResourceAsStream("/nemo/" + path)) {
            assertThat(in).as("fixture %s", path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T parse(String path, Class<T> type) throws IOException {
        return NemoJson.mapper().readValue(fixture(path), type);
    }

    static <T> T parse(String path, TypeReference<T> type) throws IOException {
        return NemoJson.mapper().readValue(fixture(path), type);
    }

    @Nested
    class EntityStore {
        @Test
        void namespace() throws IOException { // §2.1, TC2a
            Namespace ns = parse("entity/namespace.json", Namespace.class);
            assertThat(ns.id()).isEqualTo("xlam-tutorial-ns");
            assertThat(ns.createdAt()).isEqualTo("2025-04-08T07:05:07.362008");
            assertThat(ns.customFields()).isEmpty();
        }

        @Test
        void dataset() throws IOException { // §2.3, TC2a
            Dataset d = parse("entity/dataset.json", Dataset.class);
            assertThat(d.id()).isEqualTo("dataset-3ozLsXkX7TqvQm9fCuCUGT");
            assertThat(d.name()).isEqualTo("xlam-ft-dataset");
            assertThat(d.namespace()).isEqualTo("xlam-tutorial-ns");
            assertThat(d.filesUrl()).isEqualTo("hf://datasets/xlam-tutorial-ns/xlam-ft-dataset");
            assertThat(d.project()).isEqualTo("tool_calling");
            assertThat(d.limit()).isNull();
        }

        @Test
        void modelListWithPagination() throws IOException { // §1.4 envelope + §2.4 model, TC2a
            Page<Model> page = parse("entity/models-page.json", new TypeReference<Page<Model>>() { });
            assertThat(page.pagination().pageSize()).isEqualTo(1000);
            assertThat(page.pagination().totalResults()).isEqualTo(2);
            assertThat(page.sort()).isEqualTo("-created_at");
            assertThat(page.filter()).containsEntry("namespace", "xlam-tutorial-ns");
            assertThat(page.hasMore()).isFalse();
            Model lora = page.data().get(0);
            assertThat(lora.ref()).isEqualTo("xlam-tutorial-ns/llama-3.2-1b-xlam-run1@cust-BTkGbfifLfEAjV2THu3tas");
            assertThat(lora.baseModel()).isEqualTo("meta/llama-3.2-1b-instruct");
            assertThat(lora.peft().finetuningType()).isEqualTo("lora");
            assertThat(lora.spec().numParameters()).isEqualTo(1_000_000_000L);
            assertThat(lora.spec().isChat()).isTrue();
            assertThat(lora.artifact().status()).isEqualTo("upload_completed");
            assertThat(lora.artifact().filesUrl()).startsWith("hf://xlam-tutorial-ns/");
            assertThat(page.data().get(1).spec()).isNull();
        }

        @Test
        void deleteResponse() throws IOException {
            DeleteResponse r = parse("entity/delete.json", DeleteResponse.class);
            assertThat(r.id()).isEqualTo("xlam-tutorial-ns");
            assertThat(r.deletedAt()).isNotBlank();
        }
    }

    @Nested
    class DataStore {
        @Test
        void namespaceWithZuluTimestamps() throws IOException { // §3.1, TC2a
            DatastoreNamespace ns = parse("datastore/namespace.json", DatastoreNamespace.class);
            assertThat(ns.namespace()).isEqualTo("xlam-tutorial-ns");
            assertThat(ns.createdAt()).isEqualTo("2025-04-07T23:37:44Z");
        }

        @Test
        void createRepoRelativeUrl() throws IOException { // §3.3, TC2a
            assertThat(parse("datastore/create-repo.json", RepoUrl.class).url())
                    .isEqualTo("datasets/xlam-tutorial-ns/xlam-ft-dataset");
        }

        @Test
        void preupload() throws IOException { // §3.3, HFH
            PreuploadResponse r = parse("datastore/preupload.json", PreuploadResponse.class);
            assertThat(r.files()).hasSize(2);
            assertThat(r.files().get(0).isLfs()).isFalse();
            assertThat(r.files().get(0).shouldIgnore()).isFalse();
            assertThat(r.files().get(1).isLfs()).isTrue();
        }

        @Test
        void preuploadRejectsUnknownUploadMode() {
            assertThatThrownBy(() -> NemoJson.mapper().readValue(
                    "{\"files\":[{\"path\":\"a\",\"uploadMode\":\"xet\"}]}", PreuploadResponse.class))
                    .isInstanceOf(ValueInstantiationException.class).hasMessageContaining("uploadMode");
        }

        @Test
        void repoInfoAndCommit() throws IOException { // §3.3, TC2a commit: commitUrl "" and 40-hex oid
            assertThat(parse("datastore/repo-info.json", RepoInfo.class).id()).isEqualTo("xlam-tutorial-ns/xlam-ft-dataset");
            CommitInfo c = parse("datastore/commit.json", CommitInfo.class);
            assertThat(c.commitUrl()).isEmpty();
            assertThat(c.commitOid()).hasSize(40);
        }

        @Test
        void treeAndLfsBatch() throws IOException { // §3.3
            var tree = parse("datastore/tree.json", new TypeReference<java.util.List<TreeEntry>>() { });
            assertThat(tree).hasSize(3);
            assertThat(tree.get(0).isFile()).isFalse();
            assertThat(tree.get(1).size()).isEqualTo(12345L);
            assertThat(tree.get(2).lfs().get("pointerSize").asInt()).isEqualTo(132);
            LfsBatchResponse batch = parse("datastore/lfs-batch.json", LfsBatchResponse.class);
            assertThat(batch.objects().get(0).actions().get("upload").href()).endsWith("/9f86d081");
            assertThat(batch.objects().get(0).actions().get("verify")).isNotNull();
            assertThat(batch.objects().get(1).actions()).isNull(); // already stored
        }
    }

    @Nested
    class Deployments {
        @Test
        void deployment() throws IOException { // §4.3
            ModelDeployment d = parse("dms/deployment.json", ModelDeployment.class);
            assertThat(d.name()).isEqualTo("meta-llama-3.2-1b-instruct");
            assertThat(d.status()).isEqualTo(NemoStatus.PENDING);
            assertThat(d.phase()).isEqualTo(NemoStatus.Phase.WAITING);
            assertThat(d.configModel()).isEqualTo("meta/llama-3.2-1b-instruct");
            assertThat(d.deployed()).isFalse();
            assertThat(d.models()).containsExactly("meta/llama-3.2-1b-instruct");
        }

        @Test
        void configMayBeAString() throws IOException { // §4.3: config string or object
            ModelDeployment d = parse("dms/deployment-config-string.json", ModelDeployment.class);
            assertThat(d.config().isTextual()).isTrue();
            assertThat(d.configModel()).isNull();
            assertThat(d.phase()).isEqualTo(NemoStatus.Phase.SUCCEEDED);
        }

        @Test
        void list() throws IOException { // §4.1 {"data": [...]}
            assertThat(parse("dms/list.json", DeploymentList.class).data()).singleElement()
                    .satisfies(d -> assertThat(d.status()).isEqualTo(NemoStatus.READY));
        }

        @Test
        void statusIsRequired() {
            assertThatThrownBy(() -> NemoJson.mapper().readValue("{\"name\":\"a\",\"namespace\":\"b\"}",
                    ModelDeployment.class)).hasMessageContaining("status_details");
        }
    }

    @Nested
    class Inference {
        @Test
        void models() throws IOException { // §5.1
            ModelList l = parse("nim/models.json", ModelList.class);
            assertThat(l.contains("meta/llama-3.2-1b-instruct")).isTrue();
            assertThat(l.contains("xlam-tutorial-ns/llama-3.2-1b-xlam-run1@cust-BTkGbfifLfEAjV2THu3tas")).isTrue();
            assertThat(l.data().get(1).parent()).isEqualTo("meta/llama-3.2-1b-instruct");
            assertThat(l.data().get(0).ownedBy()).isEqualTo("system");
        }

        @Test
        void chatWithToolCall() throws IOException { // §5.2, TC2a: arguments is a JSON string
            ChatCompletion c = parse("nim/chat-tool-call.json", ChatCompletion.class);
            assertThat(c.choices().get(0).finishReason()).isEqualTo("tool_calls");
            var msg = c.firstMessage();
            assertThat(msg.content()).isNull();
            assertThat(msg.toolCalls()).singleElement().satisfies(tc -> {
                assertThat(tc.id()).isEqualTo("chatcmpl-tool-538bbb6949e642a5be7c6240c69f7caf");
                assertThat(tc.function().name()).isEqualTo("zipcode_by_city");
                assertThat(tc.function().arguments().isTextual()).isTrue();
                assertThat(tc.function().arguments().asText()).isEqualTo("{\"city\": \"New York City\"}");
            });
            assertThat(c.usage().totalTokens()).isEqualTo(143);
        }

        @Test
        void chatText() throws IOException { // §5.2, E2E
            assertThat(parse("nim/chat-text.json", ChatCompletion.class).firstMessage().content())
                    .isEqualTo("Paris is the capital of France.");
        }

        @Test
        void embeddings() throws IOException { // §5.4
            EmbeddingResponse r = parse("nim/embeddings.json", EmbeddingResponse.class);
            assertThat(r.data()).hasSize(2);
            assertThat(r.data().get(0).embedding()).hasSize(3);
            assertThat(r.data().get(0).embedding()[1]).isCloseTo(-0.0456f, within(1e-6f));
        }
    }

    @Nested
    class Evaluator {
        @Test
        void createdJob() throws IOException { // §6.2, TC3a
            EvaluationJob j = parse("evaluator/job-created.json", EvaluationJob.class);
            assertThat(j.id()).isEqualTo("eval-RMbUCrxKuzuE5cJdhwh3Uo");
            assertThat(j.statusValue()).isEqualTo(NemoStatus.CREATED);
            assertThat(j.phase()).isEqualTo(NemoStatus.Phase.WAITING);
            assertThat(j.progress()).isNull();
            assertThat(j.target().path("model").asText()).endsWith("@cust-4rZxaBqeqGtVUkZ3MdoMXT");
            assertThat(j.config().path("tasks").has("custom-tool-calling")).isTrue();
            assertThat(j.result()).isNull();
        }

        @Test
        void completedJob() throws IOException { // §6.3, JUDGE
            EvaluationJob j = parse("evaluator/job-completed.json", EvaluationJob.class);
            assertThat(j.phase()).isEqualTo(NemoStatus.Phase.SUCCEEDED);
            assertThat(j.result()).isEqualTo("evaluation_result-QWzZVGtKY1Z7hdty63hLfP");
            assertThat(j.outputFilesUrl()).startsWith("hf://datasets/evaluation-results/");
            assertThat(j.progress()).isEqualTo(100.0);
            assertThat(j.statusDetails().taskStatus()).containsEntry("consult_summary_eval", "completed");
            assertThat(j.customFields()).containsKey(EvaluatorClient.KEY_FIELD);
            assertThat(j.target().path("model").path("api_endpoint").path("api_key").asText()).isEqualTo("******");
        }

        @Test
        void statusEndpointHasNoStatusField() throws IOException { // §6.1, E2E
            EvaluationStatusDetails s = parse("evaluator/job-status.json", EvaluationStatusDetails.class);
            assertThat(s.progress()).isEqualTo(12.0);
            assertThat(s.taskStatus()).containsEntry("custom-tool-calling", "running");
        }

        @Test
        void toolCallingResults() throws IOException { // §6.6, TC3a
            EvaluationResult r = parse("evaluator/results-tool-calling.json", EvaluationResult.class);
            assertThat(r.job()).isEqualTo("eval-RMbUCrxKuzuE5cJdhwh3Uo");
            assertThat(EvaluationScores.scores(r))
                    .containsEntry(EvaluationScores.FUNCTION_NAME_ACCURACY, 0.92)
                    .containsEntry(EvaluationScores.FUNCTION_NAME_AND_ARGS_ACCURACY, 0.72)
                    .doesNotContainKey(EvaluationScores.SIMILARITY);
            var stats = r.tasks().get("custom-tool-calling").metrics().get("tool-calling-accuracy").scores()
                    .get("function_name_accuracy").stats();
            assertThat(stats.count()).isEqualTo(50L);
            assertThat(stats.sum()).isEqualTo(46.0);
        }

        @Test
        void newerResultsWithNullStatsAndValueNotMean() throws IOException { // §6.6, TC3b
            EvaluationResult r = parse("evaluator/results-newer.json", EvaluationResult.class);
            var score = r.tasks().get("custom-tool-calling").metrics().get("tool-calling-accuracy").scores()
                    .get("function_name_accuracy");
            assertThat(score.value()).isEqualTo(0.12); // value is what counts, not stats.mean
            assertThat(score.stats().mean()).isEqualTo(0.16);
            assertThat(score.stats().min()).isNull();
            assertThat(EvaluationScores.scores(r)).containsEntry(EvaluationScores.FUNCTION_NAME_ACCURACY, 0.12);
        }

        @Test
        void judgeResults() throws IOException { // §6.6, JUDGE
            EvaluationResult r = parse("evaluator/results-judge.json", EvaluationResult.class);
            assertThat(EvaluationScores.flatten(r))
                    .containsEntry("consult_summary_eval/completeness/completeness", 4.92)
                    .containsEntry("consult_summary_eval/correctness/correctness", 4.6);
            assertThat(EvaluationScores.scores(r)).isEmpty(); // not one of the reference's configs
        }

        @Test
        void benchmarkResults() throws IOException { // §6.6, E2E
            EvaluationResult r = parse("evaluator/results-benchmark.json", EvaluationResult.class);
            assertThat(EvaluationScores.value(r, "exact_match", "exact_match", "gsm8k-metric_ranking-1")).contains(0.55);
        }
    }

    @Nested
    class Customizer {
        @Test
        void createdJob() throws IOException { // §7.6, TC2a: config object, output_model with @<id>
            CustomizationJob j = parse("customizer/job-created.json", CustomizationJob.class);
            assertThat(j.id()).isEqualTo("cust-BTkGbfifLfEAjV2THu3tas");
            assertThat(j.outputModel()).isEqualTo("xlam-tutorial-ns/llama-3.2-1b-xlam-run1@cust-BTkGbfifLfEAjV2THu3tas");
            assertThat(j.config().isObject()).isTrue();
            assertThat(j.phase()).isEqualTo(NemoStatus.Phase.WAITING);
            assertThat(j.statusDetails().percentageDone()).isEqualTo(0.0);
            assertThat(j.statusDetails().statusLogs()).singleElement()
                    .satisfies(l -> assertThat(l.message()).isEqualTo("created"));
            assertThat(j.hyperparameters().path("lora").path("alpha").asInt()).isEqualTo(16);
        }

        @Test
        void newerJobWithStringConfig() throws IOException { // §7.6, TC2b
            CustomizationJob j = parse("customizer/job-newer.json", CustomizationJob.class);
            assertThat(j.config().asText()).isEqualTo("meta/llama-3.2-1b-instruct@v1.0.0+80GB");
            assertThat(j.phase()).isEqualTo(NemoStatus.Phase.RUNNING);
            assertThat(j.statusDetails().elapsedTime()).isEqualTo(600.5);
            assertThat(j.name()).isEqualTo("fw-3f9c2a1b-cust-meta-llama-3-2-1b-instruct-a1");
        }

        @Test
        void completedStatus() throws IOException { // §7.7, TC2a
            CustomizationStatus s = parse("customizer/job-status-completed.json", CustomizationStatus.class);
            assertThat(s.statusValue()).isEqualTo(NemoStatus.COMPLETED);
            assertThat(s.stepsCompleted()).isEqualTo(438);
            assertThat(s.epochsCompleted()).isEqualTo(2);
            assertThat(s.percentageDone()).isEqualTo(100.0);
            assertThat(s.stepsPerEpoch()).isEqualTo(219);
            assertThat(s.bestEpoch()).isEqualTo(1);
            assertThat(s.trainLoss()).isEqualTo(0.0528);
            assertThat(s.metrics().path("metrics").path("train_loss").get(0).path("step").asInt()).isEqualTo(9);
            assertThat(s.statusLogs()).hasSize(12);
            assertThat(s.lacksResources()).isFalse();
        }

        @Test
        void failedStatusMessage() throws IOException { // §7.7: last non-empty detail
            CustomizationStatus s = parse("customizer/job-status-failed.json", CustomizationStatus.class);
            assertThat(s.statusValue().forJob()).isEqualTo(NemoStatus.Phase.FAILED);
            assertThat(s.failureMessage()).isEqualTo("CUDA out of memory while saving checkpoint");
        }

        @Test
        void config() throws IOException { // §7.3 (DFW create body, echoed)
            CustomizationConfig c = parse("customizer/config.json", CustomizationConfig.class);
            assertThat(c.name()).isEqualTo("llama-3.2-1b-instruct@v1.0.0+dfw");
            assertThat(c.trainingOptions()).singleElement()
                    .satisfies(o -> assertThat(o.finetuningType()).isEqualTo("lora"));
            assertThat(c.maxSeqLength()).isEqualTo(8192);
        }
    }

    @Nested
    class Errors {
        @Test
        void detailString() { // §1.5
            NemoException e = NemoException.fromResponse(NemoService.ENTITY_STORE, "getNamespace", 404,
                    fixture("errors/not-found.json"));
            assertThat(e.isNotFound()).isTrue();
            assertThat(e.detail()).isEqualTo("Namespace not found");
            assertThat(e.getMessage()).isEqualTo("NeMo entity-store getNamespace failed: HTTP 404: Namespace not found");
            assertThat(e.isRetryable()).isFalse();
        }

        @Test
        void validationList() { // §1.5: 422 list of {loc, msg, type}
            NemoException e = NemoException.fromResponse(NemoService.EVALUATOR, "createJob", 422,
                    fixture("errors/validation.json"));
            assertThat(e.isValidation()).isTrue();
            assertThat(e.detail()).isEqualTo("body.config: field required; body.target.model: str type expected");
        }

        @Test
        void dmsDuplicateIs500() { // §4.5
            NemoException e = NemoException.fromResponse(NemoService.DEPLOYMENT, "createDeployment", 500,
                    fixture("errors/duplicate-deployment.json"));
            assertThat(e.isAlreadyExists()).isTrue();
            assertThat(e.isRetryable()).isFalse();
            assertThat(NemoHttp.outcome(e)).isEqualTo("conflict");
        }
    }
}
