package dev.flywheel.clients.nemo;

import dev.flywheel.clients.nemo.DataStoreTypes.RepoFile;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoRef;
import dev.flywheel.clients.nemo.EvaluationConfigs.LocalJudge;
import dev.flywheel.clients.nemo.EvaluationConfigs.RemoteJudge;
import dev.flywheel.clients.nemo.EvaluationTypes.CreateEvaluationJob;
import dev.flywheel.emulator.NemoEmulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.flywheel.clients.nemo.EmulatorSupport.BASE_MODEL;
import static dev.flywheel.clients.nemo.EmulatorSupport.NS;
import static dev.flywheel.clients.nemo.EmulatorSupport.failure;
import static dev.flywheel.clients.nemo.EmulatorSupport.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link EvaluatorClient} over HTTP against the emulator, with the reference's inline configs. */
class EvaluatorClientTest {

    static final String JOB = "665f1c2e9b1e8a3d4c5b6a80";
    static NemoEmulator emu;
    static NemoClients c;
    static RepoRef repo;

    @BeforeAll
    static void start() {
        emu = EmulatorSupport.start();
        c = EmulatorSupport.clients(emu, EmulatorSupport.registry());
        repo = EmulatorSupport.datasetRepo(c, NemoNames.dataset(JOB, "eval", 1),
                List.of(new RepoFile("eval_data.jsonl", EmulatorSupport.toolCallingRows(8)),
                        new RepoFile("generic/eval_data.jsonl", EmulatorSupport.genericRows(6))));
        EmulatorSupport.deployAndWait(c, NemoNames.deployment(JOB, "nim", BASE_MODEL, 1), BASE_MODEL, true);
    }

    @AfterAll
    static void stop() {
        EmulatorSupport.stop(emu);
    }

    static String evalFile() {
        return repo.filesUrl() + "/eval_data.jsonl";
    }

    static EvaluationTypes.EvaluationJob awaitTerminal(String id) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> join(c.evaluator().getJob(id)).phase().isTerminal());
        return join(c.evaluator().getJob(id));
    }

    static long evaluationJobs() {
        return emu.ledger().entries().stream().filter(e -> e.kind().equals("evaluation_job")).count();
    }

    @Test
    void toolCallingEvaluationEndToEnd() {
        String key = NemoNames.resource(JOB, "base", BASE_MODEL, 1);
        var judge = new RemoteJudge("https://judge.example/v1/chat/completions", "meta/llama-3.3-70b-instruct",
                Secret.of("nvapi-JUDGEKEY"));
        var request = new CreateEvaluationJob(NS, EvaluationConfigs.toolCalling(evalFile(), 8, judge),
                EvaluationConfigs.modelTarget(BASE_MODEL), null, null);
        long jobsBefore = evaluationJobs();
        var created = join(c.evaluator().createOrAdoptJob(key, request));
        assertThat(created.adopted()).isFalse();
        assertThat(created.value().id()).startsWith("eval-");
        assertThat(created.value().customFields()).containsEntry(EvaluatorClient.KEY_FIELD, key);

        // Same key: the existing job is adopted, nothing new is created.
        var again = join(c.evaluator().createOrAdoptJob(key, request));
        assertThat(again.adopted()).isTrue();
        assertThat(again.value().id()).isEqualTo(created.value().id());
        assertThat(evaluationJobs()).isEqualTo(jobsBefore + 1);

        var done = awaitTerminal(created.value().id());
        assertThat(done.phase()).as("job %s: %s", done.id(), done.statusDetails()).isEqualTo(NemoStatus.Phase.SUCCEEDED);
        assertThat(done.progress()).isEqualTo(100.0);
        assertThat(done.result()).isNotBlank();
        assertThat(join(c.evaluator().getJobStatus(done.id())).progress()).isEqualTo(100.0);

        var results = join(c.evaluator().getResults(done.id()));
        Map<String, Double> scores = EvaluationScores.scores(results);
        assertThat(scores).containsKeys(EvaluationScores.FUNCTION_NAME_ACCURACY,
                EvaluationScores.FUNCTION_NAME_AND_ARGS_ACCURACY, EvaluationScores.TOOL_CALLING_CORRECTNESS);
        assertThat(scores.get(EvaluationScores.FUNCTION_NAME_ACCURACY)).isBetween(0.0, 1.0);
        byte[] zip = join(c.evaluator().downloadResults(done.id()));
        assertThat(new String(zip, 0, 2)).isEqualTo("PK");

        // The judge key went to NeMo; the job as our client returns it never carries it (masked even if echoed).
        assertThat(done.config().toString()).doesNotContain("nvapi-JUDGEKEY");
        assertThat(created.value().config().toString()).doesNotContain("nvapi-JUDGEKEY");

        assertThat(join(c.evaluator().deleteJob(done.id()))).isTrue();
        NemoException gone = failure(c.evaluator().getJob(done.id()));
        assertThat(gone.isNotFound()).isTrue();
        assertThat(gone.service()).isEqualTo(NemoService.EVALUATOR);
        assertThat(join(c.evaluator().deleteJob(done.id()))).isFalse();
    }

    @Test
    void similarityEvaluationWithLocalJudge() {
        var request = new CreateEvaluationJob(NS, EvaluationConfigs.llmJudgeSimilarity(repo.filesUrl() + "/generic/eval_data.jsonl", 4,
                new LocalJudge(BASE_MODEL), false), EvaluationConfigs.modelTarget(BASE_MODEL), null, null);
        var job = join(c.evaluator().createJob(request));
        var done = awaitTerminal(job.id());
        assertThat(done.phase()).as("%s", done.statusDetails()).isEqualTo(NemoStatus.Phase.SUCCEEDED);
        Double similarity = EvaluationScores.scores(join(c.evaluator().getResults(job.id()))).get(EvaluationScores.SIMILARITY);
        assertThat(similarity).isBetween(1.0, 10.0);
    }

    @Test
    void invalidConfigIsATyped422() {
        var request = new CreateEvaluationJob(NS, Map.of("type", "custom", "tasks", Map.of()),
                EvaluationConfigs.modelTarget(BASE_MODEL), null, null);
        NemoException e = failure(c.evaluator().createJob(request));
        assertThat(e.isValidation()).isTrue();
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.detail()).contains("tasks");
        assertThat(e.operation()).isEqualTo("createJob");
    }

    @Test
    void cancelAndResultsOfUnknownJob() {
        var job = join(c.evaluator().createJob(new CreateEvaluationJob(NS, EvaluationConfigs.toolCalling(evalFile(),
                null, new LocalJudge(BASE_MODEL)), EvaluationConfigs.modelTarget(BASE_MODEL), null, null)));
        join(c.evaluator().cancelJob(job.id()));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                join(c.evaluator().getJob(job.id())).phase() == NemoStatus.Phase.CANCELLED);
        NemoException again = failure(c.evaluator().cancelJob(job.id()));
        assertThat(again.isConflict()).isTrue();
        assertThat(failure(c.evaluator().getResults("eval-doesnotexist")).isNotFound()).isTrue();
    }
}
