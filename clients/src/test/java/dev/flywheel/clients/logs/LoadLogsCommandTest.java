package dev.flywheel.clients.logs;

import static dev.flywheel.clients.logs.EsTestSupport.call;
import static dev.flywheel.clients.logs.EsTestSupport.count;
import static dev.flywheel.clients.logs.EsTestSupport.uniqueIndex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(DevStackExtension.class)
class LoadLogsCommandTest {

    private static String url;
    private static RestClient client;
    private static Path mixed;

    @BeforeAll
    static void connect(DevStack stack) throws URISyntaxException {
        url = stack.elasticsearchUrl();
        client = EsHttp.client(url);
        mixed = Path.of(LoadLogsCommandTest.class.getResource("/logs/mixed.jsonl").toURI());
    }

    @AfterAll
    static void disconnect() throws IOException {
        client.close();
    }

    /** Runs the command and returns {exit status, stdout, stderr}. */
    private static Object[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = LoadLogsCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
        return new Object[] {status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void loadsBothShapesCountsRejectedLinesByReasonAndShowsProgress() {
        String index = uniqueIndex("load");
        Object[] result = run(mixed.toString(), "--es-url", url, "--index", index);

        assertThat(result[0]).isEqualTo(0);
        String stdout = (String) result[1];
        String stderr = (String) result[2];
        // conversations carry no ids and there is no override: they are rejected, the three log records are loaded
        assertThat(count(client, index, null)).isEqualTo(3);
        assertThat(stdout).contains("indexed 3 of 11 lines", "rejected 8 lines",
                LogLineConverter.MISSING_CLIENT_ID, LogLineConverter.INVALID_JSON, LogLineConverter.NOT_AN_OBJECT,
                LogLineConverter.BAD_CONVERSATION, LogLineConverter.UNKNOWN_SHAPE, LogLineConverter.BAD_TIMESTAMP,
                "line 7: invalid JSON", "timestamps detected as: seconds 1  milliseconds 1");
        assertThat(stderr).contains("Loading").contains("indexed 3 rejected 8");

        // seconds were converted to millis; the extra field was kept
        JsonNode seconds = call(client, "POST", "/" + index + "/_search",
                "{\"query\":{\"term\":{\"timestamp\":1718000000000}}}").path("hits").path("hits");
        assertThat(seconds).hasSize(1);
        assertThat(seconds.get(0).path("_source").path("description").asText()).isEqualTo("extra field kept");
    }

    @Test
    void overridesApplyToEveryLineAndConversationsAreWrapped(@TempDir Path dir) throws IOException {
        String index = uniqueIndex("load");
        Path file = dir.resolve("in.jsonl");
        Files.write(file, Files.readAllLines(mixed).subList(0, 5));

        Object[] result = run(file.toString(), "--client-id", "cli-client", "--workload-id=cli-wl", "--es-url", url,
                "--index", index, "--batch-size", "2");

        assertThat(result[0]).isEqualTo(0);
        assertThat(count(client, index, "{\"bool\":{\"filter\":[{\"term\":{\"client_id\":\"cli-client\"}},"
                + "{\"term\":{\"workload_id\":\"cli-wl\"}}]}}")).isEqualTo(5);
        JsonNode hit = call(client, "POST", "/" + index + "/_search",
                "{\"query\":{\"match_all\":{}},\"sort\":[{\"timestamp\":\"asc\"}],\"size\":10}").path("hits")
                .path("hits");
        JsonNode toolConversation = null;
        for (JsonNode h : hit) {
            if (h.path("_source").path("request").has("tools")) {
                toolConversation = h.path("_source");
            }
        }
        assertThat(toolConversation).isNotNull();
        assertThat(toolConversation.path("request").path("model").asText()).isEqualTo("not-a-model");
        assertThat(toolConversation.path("request").path("messages")).hasSize(2);
        JsonNode choice = toolConversation.path("response").path("choices").get(0);
        assertThat(choice.path("message").path("tool_calls").get(0).path("function").path("name").asText())
                .isEqualTo("get_weather");
        assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat((String) result[1]).contains("2 conversations");
    }

    @Test
    void theLoaderReportsCountsPerReason() throws IOException {
        String index = uniqueIndex("load");
        LoadReport report = new LogLoader(client, index).load(mixed, LogLoader.Options.defaults());
        assertThat(report.indexed()).isEqualTo(3);
        assertThat(report.lines()).isEqualTo(11);
        assertThat(report.rejectedByReason()).containsOnly(
                entry(LogLineConverter.MISSING_CLIENT_ID, 2L), // the two conversations: no ids, no override
                entry(LogLineConverter.INVALID_JSON, 1L),
                entry(LogLineConverter.NOT_AN_OBJECT, 2L),
                entry(LogLineConverter.BAD_CONVERSATION, 1L),
                entry(LogLineConverter.UNKNOWN_SHAPE, 1L),
                entry(LogLineConverter.BAD_TIMESTAMP, 1L));
        assertThat(report.timestampUnits()).containsOnly(entry(Timestamps.Unit.SECONDS, 1L),
                entry(Timestamps.Unit.MILLISECONDS, 1L));
        assertThat(report.examples()).extracting(LoadReport.Rejection::lineNumber)
                .containsExactly(4L, 5L, 7L, 8L, 9L, 10L, 11L, 12L);
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertThat(run()[0]).isEqualTo(2);
        assertThat(run("a.jsonl", "--bogus", "x")[0]).isEqualTo(2);
        assertThat(run("a.jsonl", "--client-id")[0]).isEqualTo(2);
        assertThat((String) run("--help")[1]).contains("usage: flywheel logs load");
        assertThat(run("/nonexistent/file.jsonl")[0]).isEqualTo(1);
    }

    @Test
    void theUrlComesFromTheFlagThenTheEnvironmentThenTheDefault() {
        assertThat(EsHttp.resolveUrl("http://flag:9200", Map.of("ELASTICSEARCH_URL", "http://env:9200")))
                .isEqualTo("http://flag:9200");
        assertThat(EsHttp.resolveUrl(null, Map.of("ELASTICSEARCH_URL", "http://env:9200"))).isEqualTo("http://env:9200");
        assertThat(EsHttp.resolveUrl(null, Map.of())).isEqualTo("http://localhost:9200");
    }
}
