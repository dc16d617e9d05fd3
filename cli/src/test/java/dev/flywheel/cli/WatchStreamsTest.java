package dev.flywheel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code flywheel jobs watch} on a real terminal (a pseudo terminal made by {@code script(1)}) and through a
 * network that drops the stream twice.
 */
@ExtendWith(DevStackExtension.class)
class WatchStreamsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static TestServer server;

    @BeforeAll
    static void start(DevStack stack) {
        server = TestServer.start(stack, "watch-cli-logs");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aDroppedStreamIsReopenedWithSinceVersionAndNothingIsShownTwice() throws Exception {
        String id = CliCommandsTest.jobId(server.cli("jobs", "create", "--client-id", TestServer.CLIENT, "--workload-id", TestServer.WORKLOAD));
        try (TcpProxy proxy = new TcpProxy(server.running.port())) {
            CompletableFuture<TestServer.Result> watch = CompletableFuture.supplyAsync(
                    () -> server.run(Map.of("FLYWHEEL_SERVER", proxy.address()), "jobs", "watch", id, "-o", "json", "--exit-status"));
            Thread.sleep(3_000);
            proxy.cutAll();
            Thread.sleep(4_000);
            proxy.cutAll();
            TestServer.Result result = watch.get(3, TimeUnit.MINUTES);
            assertThat(result.exit()).as(result.toString()).isZero();
            assertThat(result.err()).contains("stream lost").contains("reconnecting");
            assertThat(proxy.accepted.get()).isGreaterThanOrEqualTo(3);
            long last = 0;
            JsonNode job = null;
            for (String line : result.out().split("\n")) {
                job = JSON.readTree(line);
                assertThat(job.path("version").asLong()).as("versions strictly increase").isGreaterThan(last);
                last = job.path("version").asLong();
            }
            assertThat(job.path("status").asText()).isEqualTo("completed");
            // the last version shown is the stored one
            JsonNode stored = JSON.readTree(server.cli("jobs", "get", id, "-o", "json").out());
            assertThat(last).isEqualTo(stored.path("version").asLong());
        }
    }

    @Test
    void onATerminalTheViewIsRedrawnInPlace() throws Exception {
        String id = CliCommandsTest.jobId(server.cli("jobs", "create", "--client-id", TestServer.CLIENT, "--workload-id", TestServer.WORKLOAD));
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path transcript = Files.createTempFile("watch-tty", ".txt");
        String command = String.join(" ", java.toString(), "-cp", classpath, FlywheelCli.class.getName(), "jobs", "watch", id,
                "--server", server.address());
        // script(1) runs the command on a new pseudo terminal: the CLI sees a console, as in a user's shell.
        ProcessBuilder pb = new ProcessBuilder("script", "-qfec", command, "/dev/null")
                .redirectErrorStream(true).redirectOutput(transcript.toFile());
        pb.environment().put("COLUMNS", "200");
        pb.environment().put("FLYWHEEL_HOME", server.home.toString());
        Process process = pb.start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        String out = Files.readString(transcript, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(out).isZero();
        assertThat(out).contains("\033[2K").containsPattern("\033\\[\\d+A") // lines cleared, cursor moved up over the frame
                .doesNotContainPattern("(?m)^\\d\\d:\\d\\d:\\d\\d job "); // not the plain form
        assertThat(out).containsPattern("llama-3.2-1b-instruct +completed +100%")
                .containsPattern("candidate +status +metric +base +icl +customized");
        List<String> frames = new ArrayList<>(List.of(out.split("\033\\[\\d+A")));
        assertThat(frames.size()).as("redrawn several times").isGreaterThan(3);
    }
}
