package dev.flywheel.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.api.v1.DataSplitConfig;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.NimConfig;
import dev.flywheel.api.v1.NmpConfig;
import dev.flywheel.core.error.FieldViolation;
import org.junit.jupiter.api.Test;

class JobConfigsTest {

    private final JobConfig defaults = JobConfigs.builtInDefaults();

    @Test
    void overlayReplacesOnlyTheFieldsItSets() {
        JobConfig overlay = JobConfig.newBuilder()
                .setNmpConfig(NmpConfig.newBuilder().setNmpNamespace("team-a"))
                .build();
        JobConfig merged = JobConfigs.merge(defaults, overlay);
        assertThat(merged.getNmpConfig().getNmpNamespace()).isEqualTo("team-a");
        assertThat(merged.getNmpConfig().getNemoBaseUrl()).isEqualTo("http://nemo.test");
        assertThat(merged.getNimsList()).isEqualTo(defaults.getNimsList());
    }

    @Test
    void overlayWithCandidatesReplacesTheWholeList() {
        JobConfig overlay = JobConfig.newBuilder()
                .addNims(NimConfig.newBuilder().setModelName("meta/llama-3.1-8b-instruct"))
                .build();
        JobConfig merged = JobConfigs.merge(defaults, overlay);
        assertThat(merged.getNimsList()).extracting(NimConfig::getModelName).containsExactly("meta/llama-3.1-8b-instruct");
    }

    @Test
    void partialSplitOverrideKeepsTheConfiguredValues() {
        // The reference fell back to class defaults (limit 10000) for fields a request left out.
        JobConfig merged = JobConfigs.withSplitOverrides(defaults, DataSplitConfig.newBuilder().setEvalSize(20).build());
        assertThat(merged.getDataSplitConfig().getEvalSize()).isEqualTo(20);
        assertThat(merged.getDataSplitConfig().getLimit()).isEqualTo(1000);
        assertThat(merged.getDataSplitConfig().getValRatio()).isEqualTo(0.1);
    }

    @Test
    void splitRangesAreChecked() {
        DataSplitConfig bad = DataSplitConfig.newBuilder().setValRatio(1.0).setEvalSize(0).setLimit(-1)
                .setMinTotalRecords(0).build();
        assertThat(JobConfigs.validateSplit(bad, "data_split_config.")).extracting(FieldViolation::field)
                .containsExactlyInAnyOrder("data_split_config.val_ratio", "data_split_config.eval_size",
                        "data_split_config.limit", "data_split_config.min_total_records");
        assertThat(JobConfigs.validateSplit(DataSplitConfig.newBuilder().setEvalSize(50).setLimit(10).build(), ""))
                .extracting(FieldViolation::field).containsExactly("eval_size");
    }

    @Test
    void crossFieldRulesOfTheReference() {
        JobConfig tooManyExamples = JobConfigs.withSplitOverrides(defaults, DataSplitConfig.newBuilder().setEvalSize(2).build());
        assertThat(JobConfigs.validate(tooManyExamples, "")).extracting(FieldViolation::field)
                .containsExactly("icl_config.max_examples");
        JobConfig noCandidates = defaults.toBuilder().clearNims().build();
        assertThat(JobConfigs.validate(noCandidates, "x.")).extracting(FieldViolation::field).containsExactly("x.nims");
        JobConfig noTarget = defaults.toBuilder().setNims(0, defaults.getNims(0).toBuilder().clearCustomizerConfigs()).build();
        assertThat(JobConfigs.validate(noTarget, "")).extracting(FieldViolation::field)
                .containsExactly("nims[0].customizer_configs.target");
    }

    @Test
    void numbersThatAreNotFiniteAreRefused() {
        // JSON clients can send "NaN" and "Infinity" for any double; a check written as "x <= 0" lets NaN through,
        // and a stored configuration with a NaN learning rate was what the hostile-input suite found.
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            JobConfig config = defaults.toBuilder()
                    .setTrainingConfig(defaults.getTrainingConfig().toBuilder().setLearningRate(bad))
                    .setLoraConfig(defaults.getLoraConfig().toBuilder().setAdapterDropout(bad))
                    .setIclConfig(defaults.getIclConfig().toBuilder().setSimilarityConfig(
                            defaults.getIclConfig().getSimilarityConfig().toBuilder().setRelevanceRatio(bad)))
                    .build();
            assertThat(JobConfigs.validate(config, "")).as("%s", bad).extracting(FieldViolation::field)
                    .containsExactlyInAnyOrder("training_config.learning_rate", "lora_config.adapter_dropout",
                            "icl_config.similarity_config.relevance_ratio");
        }
        assertThat(JobConfigs.validate(defaults, "")).isEmpty();
    }

    @Test
    void hashIsStableAndContentSensitive() {
        assertThat(JobConfigs.contentHash(defaults)).isEqualTo(JobConfigs.contentHash(defaults.toBuilder().build()));
        JobConfig other = JobConfigs.withSplitOverrides(defaults, DataSplitConfig.newBuilder().setLimit(999).build());
        assertThat(JobConfigs.contentHash(other)).isNotEqualTo(JobConfigs.contentHash(defaults));
    }
}
