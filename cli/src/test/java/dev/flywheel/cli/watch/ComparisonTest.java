package dev.flywheel.cli.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.api.v1.Job;
import org.junit.jupiter.api.Test;

class ComparisonTest {

    @Test
    void scoresSideBySideWithTheBestOfEachMetricMarked() {
        Job job = Jobs.running().toBuilder().setStatus("completed").build();
        String table = Comparison.render(job, 0.75);
        assertThat(table).containsPattern("(?m)^candidate +status +metric +base +icl +customized$")
                // the main metric first; 0.800 is the best function_name_and_args_accuracy
                .containsPattern("(?m)^meta/llama-3.2-1b-instruct +running-evals +function_name_and_args_accuracy +0\\.350 +- +-$")
                .containsPattern("(?m)^meta/llama-3.2-3b-instruct +completed +function_name_and_args_accuracy +0\\.500 +0\\.600 +0\\.800\\*$")
                .containsPattern("(?m)^meta/llama-3.2-3b-instruct +completed +function_name_accuracy +0\\.600 +0\\.700 +0\\.900\\*$");
        assertThat(table.indexOf("function_name_and_args_accuracy")).isLessThan(table.indexOf(" function_name_accuracy"));
        assertThat(table).contains("can replace the production model: meta/llama-3.2-3b-instruct (customized, function_name_and_args_accuracy 0.800 >= 0.75)");
    }

    @Test
    void theFirstCandidateInConfigurationOrderThatReachesTheBarIsNamed() {
        Job job = Jobs.running();
        assertThat(Comparison.verdict(job, 0.3)).startsWith("can replace the production model: meta/llama-3.2-1b-instruct (base,");
        assertThat(Comparison.verdict(job, 0.9)).isEqualTo(
                "no candidate reaches function_name_and_args_accuracy 0.90 yet; closest: meta/llama-3.2-3b-instruct (customized, 0.800)");
    }

    @Test
    void judgeSimilarityIsOnATenPointScale() {
        Job job = Job.newBuilder().setWorkloadType("generic").addCandidates(dev.flywheel.api.v1.CandidateModel.newBuilder()
                .setModelName("m").setStatus("completed").addEvaluations(dev.flywheel.api.v1.Evaluation.newBuilder()
                        .setEvalType("base-eval").putScores("similarity", 8.0))).build();
        assertThat(Comparison.verdict(job, 0.75)).isEqualTo("can replace the production model: m (base, similarity 8.000 >= 7.50)");
        assertThat(Comparison.verdict(job, 0.9)).startsWith("no candidate reaches similarity 9 yet");
    }

    @Test
    void aJobWithoutScoresSaysSo() {
        assertThat(Comparison.render(Job.newBuilder().setId("j").setStatus("failed").build(), 0.75)).contains("no scores");
    }
}
