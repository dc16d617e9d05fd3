package dev.flywheel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliSettingsTest {

    @TempDir Path home;

    private static final CliSettings.Flags NONE = new CliSettings.Flags(null, null, null, null, null);

    @Test
    void defaultsWhenNothingIsSet() {
        CliSettings s = CliSettings.resolve(NONE, Map.of("FLYWHEEL_HOME", home.toString()));
        assertThat(s.target()).isEqualTo("localhost:8080");
        assertThat(s.tls()).isFalse();
        assertThat(s.token()).isNull();
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void flagBeatsEnvironmentBeatsFile() throws Exception {
        Files.writeString(home.resolve("cli.properties"), "server=file-host:1\ntoken=file-token\ntimeout=5s\ntls=true\n");
        Map<String, String> env = Map.of("FLYWHEEL_HOME", home.toString(), "FLYWHEEL_SERVER", "env-host:2", "FLYWHEEL_TOKEN", "env-token");
        CliSettings fromEnv = CliSettings.resolve(NONE, env);
        assertThat(fromEnv.target()).isEqualTo("env-host:2");
        assertThat(fromEnv.token()).isEqualTo("env-token");
        assertThat(fromEnv.timeout()).isEqualTo(Duration.ofSeconds(5)); // only the file sets it
        assertThat(fromEnv.tls()).isTrue();

        CliSettings fromFlags = CliSettings.resolve(new CliSettings.Flags("flag-host:3", false, null, "flag-token", Duration.ofMinutes(2)), env);
        assertThat(fromFlags.target()).isEqualTo("flag-host:3");
        assertThat(fromFlags.token()).isEqualTo("flag-token");
        assertThat(fromFlags.tls()).isFalse();
        assertThat(fromFlags.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(fromFlags.toString()).doesNotContain("flag-token");
    }

    @Test
    void urlsAreAcceptedAndHttpsMeansTls() {
        Map<String, String> env = Map.of("FLYWHEEL_HOME", home.toString());
        CliSettings https = CliSettings.resolve(new CliSettings.Flags("https://flywheel.example.com/", null, null, null, null), env);
        assertThat(https.target()).isEqualTo("flywheel.example.com:443");
        assertThat(https.tls()).isTrue();
        CliSettings http = CliSettings.resolve(new CliSettings.Flags("http://10.0.0.1:9090", null, null, null, null), env);
        assertThat(http.target()).isEqualTo("10.0.0.1:9090");
        assertThat(http.tls()).isFalse();
    }

    @Test
    void badValuesAreExplained() {
        Map<String, String> env = Map.of("FLYWHEEL_HOME", home.toString());
        assertThatThrownBy(() -> CliSettings.resolve(new CliSettings.Flags("host:port", null, null, null, null), env))
                .hasMessageContaining("server: expected host:port");
        assertThatThrownBy(() -> CliSettings.resolve(new CliSettings.Flags("host:70000", null, null, null, null), env))
                .hasMessageContaining("server");
        assertThatThrownBy(() -> CliSettings.resolve(NONE, Map.of("FLYWHEEL_HOME", home.toString(), "FLYWHEEL_TLS", "perhaps")))
                .hasMessageContaining("tls: expected true or false");
        assertThatThrownBy(() -> CliSettings.parseDuration("timeout", "soon")).hasMessageContaining("timeout: expected a duration");
        assertThatThrownBy(() -> CliSettings.parseDuration("timeout", "0s")).hasMessageContaining("must be positive");
        assertThat(CliSettings.parseDuration("t", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(CliSettings.parseDuration("t", "PT1M")).isEqualTo(Duration.ofMinutes(1));
        assertThat(CliSettings.parseDuration("t", "2h")).isEqualTo(Duration.ofHours(2));
    }
}
