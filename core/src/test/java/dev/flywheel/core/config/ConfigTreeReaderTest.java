package dev.flywheel.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.core.error.FieldViolation;
import dev.flywheel.core.error.FlywheelException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConfigTreeReaderTest {

    private static JobConfig read(String yaml) {
        return ConfigTreeReader.readYaml(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
    }

    private static FlywheelException failure(String yaml) {
        try {
            read(yaml);
        } catch (FlywheelException e) {
            return e;
        }
        throw new AssertionError("expected the configuration to be rejected");
    }

    @Test
    void readsTheReferenceShippedFile() {
        JobConfig config = JobConfigs.builtInDefaults();
        assertThat(config.getNmpConfig().getNmpNamespace()).isEqualTo("dfwbp");
        assertThat(config.getNims(0).getModelName()).isEqualTo("meta/llama-3.2-1b-instruct");
        assertThat(config.getNims(0).getCustomizerConfigs().getMaxSeqLength()).isEqualTo(8192);
        assertThat(config.getDataSplitConfig().getEvalSize()).isEqualTo(100);
        assertThat(config.getDataSplitConfig().getLimit()).isEqualTo(1000);
        assertThat(config.getDataSplitConfig().hasRandomSeed()).as("random_seed: null stays unset").isFalse();
        assertThat(config.getIclConfig().getSimilarityConfig().getRelevanceRatio()).isEqualTo(0.7);
        assertThat(JobConfigs.validate(config, "")).isEmpty();
    }

    @Test
    void namesThePathOfAnUnknownKey() {
        FlywheelException e = failure("nims:\n  - model_name: a\n    gpuz: 1\n");
        assertThat(e.violations()).containsExactly(new FieldViolation("nims[0].gpuz", "unknown key"));
    }

    @Test
    void namesThePathOfAWrongType() {
        FlywheelException e = failure("data_split_config:\n  eval_size: many\n  val_ratio: true\n");
        assertThat(e.violations()).extracting(FieldViolation::field)
                .containsExactly("data_split_config.eval_size", "data_split_config.val_ratio");
    }

    @Test
    void rejectsSecrets() {
        FlywheelException e = failure("llm_judge_config:\n  api_key: nvapi-123\n");
        assertThat(e.violations()).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("llm_judge_config.api_key");
            assertThat(v.description()).contains("secrets");
        });
        assertThat(e.getMessage()).doesNotContain("nvapi-123");
    }

    @Test
    void acceptsButIgnoresMlflowConfig() {
        JobConfig config = read("mlflow_config:\n  enabled: false\n  tracking_uri: http://x\n");
        assertThat(config).isEqualTo(JobConfig.getDefaultInstance());
    }

    @Test
    void rejectsMalformedYaml() {
        assertThatThrownBy(() -> read("nims: [unclosed")).isInstanceOf(FlywheelException.class)
                .hasMessageContaining("test.yaml");
    }
}
