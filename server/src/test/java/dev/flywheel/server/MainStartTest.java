package dev.flywheel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.WebClient;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/** The production start path: the local stack for what is not configured, the NeMo emulator when NeMo is not. */
class MainStartTest {

    private static java.nio.file.Path keyFile;

    private static ServerSettings settings(String extra) {
        try {
            keyFile = java.nio.file.Files.createTempDirectory("flywheel-home").resolve("cli.properties");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return ServerSettings.from(ConfigFactory.parseString("""
                flywheel.server.port = 0
                flywheel.server.bind-address = "127.0.0.1"
                flywheel.elasticsearch.start-local = false
                flywheel.data-dir = ""
                flywheel.auth.admin-key-file = "%s"
                """.formatted(keyFile) + extra).withFallback(ConfigFactory.defaultReference()).resolve());
    }

    /** The admin key the server wrote at start, for the CLI (auth is on, as in production). */
    private static String adminKey() throws java.io.IOException {
        java.util.Properties p = new java.util.Properties();
        try (var reader = java.nio.file.Files.newBufferedReader(keyFile)) {
            p.load(reader);
        }
        assertThat(java.nio.file.Files.getPosixFilePermissions(keyFile))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return p.getProperty("token");
    }

    @Test
    void withoutNemoConfiguredJobsPointAtTheEmulator() throws Exception {
        try (Main.Running running = Main.start(settings(""))) {
            var emulator = running.stack().nemoEmulator();
            assertThat(emulator).isNotNull();
            WebClient http = WebClient.builder(running.baseUrl()).addHeader("authorization", "Bearer " + adminKey()).build();
            String body = http.prepare().post("/v1/jobs").content(com.linecorp.armeria.common.MediaType.JSON,
                    "{\"client_id\":\"c\",\"workload_id\":\"w\"}").execute().aggregate().join().contentUtf8();
            assertThat(body).contains("\"nemo_base_url\":\"" + emulator.platformUrl() + "\"")
                    .contains("\"nim_base_url\":\"" + emulator.nimUrl() + "\"")
                    .contains("\"datastore_base_url\":\"" + emulator.datastoreUrl() + "\"");
            // and the emulator answers like NeMo's Entity Store
            assertThat(WebClient.of(emulator.platformUrl()).get("/v1/namespaces").aggregate().join().status().code())
                    .isEqualTo(200);
        }
    }

    @Test
    void aConfiguredNemoStartsNoEmulator() {
        try (Main.Running running = Main.start(settings("flywheel.nemo.nemo-base-url = \"http://nemo.example:8000\""))) {
            assertThat(running.stack().nemoEmulator()).isNull();
            assertThat(running.app().defaultJobConfig().getNmpConfig().getNemoBaseUrl()).isEqualTo("http://nemo.example:8000");
        }
    }
}
