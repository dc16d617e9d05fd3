package dev.flywheel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.flywheel.core.error.FlywheelException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerSettingsTest {

    private static ServerSettings load(String hocon) {
        return ServerSettings.from(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve());
    }

    @Test
    void defaultsAreTheReferencesShippedConfig() {
        ServerSettings settings = load("");
        assertThat(settings.port()).isEqualTo(8080);
        assertThat(settings.defaultJobConfig().getDataSplitConfig().getEvalSize()).isEqualTo(100);
        assertThat(settings.mongoUri()).isEmpty();
    }

    @Test
    void acceptsAReferenceConfigYamlAndNemoOverrides(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, """
                nmp_config:
                  nemo_base_url: "http://nemo.example"
                  nim_base_url: "http://nim.example"
                  datastore_base_url: "http://ds.example"
                  nmp_namespace: "team"
                nims:
                  - model_name: "meta/llama-3.2-3b-instruct"
                    context_length: 8192
                    gpus: 1
                data_split_config:
                  eval_size: 20
                  val_ratio: 0.1
                  min_total_records: 50
                  random_seed: null
                  limit: 100
                mlflow_config:
                  enabled: false
                """);
        ServerSettings settings = load("flywheel.job-config-file = \"" + file + "\"\nflywheel.nemo.namespace = \"override\"");
        assertThat(settings.defaultJobConfig().getNims(0).getModelName()).isEqualTo("meta/llama-3.2-3b-instruct");
        assertThat(settings.defaultJobConfig().getNmpConfig().getNemoBaseUrl()).isEqualTo("http://nemo.example");
        assertThat(settings.defaultJobConfig().getNmpConfig().getNmpNamespace()).isEqualTo("override");
        assertThat(settings.defaultJobConfig().getDataSplitConfig().getLimit()).isEqualTo(100);
    }

    @Test
    void aBadJobConfigFileFailsWithThePathOfTheBadKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, "icl_config:\n  max_examples: three\n");
        assertThatThrownBy(() -> load("flywheel.job-config-file = \"" + file + "\""))
                .isInstanceOf(FlywheelException.class)
                .hasMessageContaining(file + ": icl_config.max_examples");
    }

    @Test
    void aBadServerSettingFailsWithItsPath() {
        assertThatThrownBy(() -> load("flywheel.server.port = lots")).isInstanceOf(FlywheelException.class)
                .hasMessageContaining("flywheel.server.port");
        assertThatThrownBy(() -> load("flywheel.server.port = 70000")).hasMessageContaining("flywheel.server.port");
        assertThatThrownBy(() -> load("flywheel.nemo.nemo-base-url = \"ftp://x\""))
                .hasMessageContaining("nmp_config.nemo_base_url");
    }

    @Test
    void secretsAreMasked() {
        ServerSettings settings = load("flywheel.secrets.llm-judge-api-key = \"nvapi-secret\"");
        assertThat(settings.secrets().llmJudgeApiKey()).isEqualTo("nvapi-secret");
        assertThat(settings.toString()).doesNotContain("nvapi-secret");
    }
}
