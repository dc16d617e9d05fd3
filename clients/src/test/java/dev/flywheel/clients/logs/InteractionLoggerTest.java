package dev.flywheel.clients.logs;

import static dev.flywheel.clients.logs.EsTestSupport.count;
import static dev.flywheel.clients.logs.EsTestSupport.uniqueIndex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DevStackExtension.class)
class InteractionLoggerTest {

    private static String url;
    private static RestClient client;

    @BeforeAll
    static void connect(DevStack stack) {
        url = stack.elasticsearchUrl();
        client = EsHttp.client(url);
    }

    @AfterAll
    static void disconnect() throws IOException {
        client.close();
    }

    private static LogRecord record(int i) {
        return new LogRecord("app", "route", 1_718_000_000_000L + i,
                Map.of("model", "m", "messages", java.util.List.of(Map.of("role", "user", "content", "q" + i))),
                EsTestSupport.JSON.createObjectNode().put("id", "r" + i), Map.of("env", "test", "i", i));
    }

    @Test
    void recordsAreSentInBatchesOfTheConfiguredSize() {
        String index = uniqueIndex("logger");
        try (InteractionLogger logger = InteractionLogger.builder().url(url).index(index).batchSize(10)
                .flushInterval(Duration.ofMinutes(1)).build()) {
            for (int i = 0; i < 25; i++) {
                assertThat(logger.log(record(i))).isTrue();
            }
            // two full batches go out at once; the last 5 wait for the (long) flush interval
            await().atMost(Duration.ofSeconds(20)).until(() -> logger.stats().indexed() == 20);
            assertThat(logger.stats().indexed()).isEqualTo(20);
            assertThat(count(client, index, null)).isEqualTo(20);
        }
        assertThat(count(client, index, null)).isEqualTo(25);
    }

    @Test
    void closeFlushesWhatIsBufferedAndWritesTheRecordFormat() {
        String index = uniqueIndex("logger");
        InteractionLogger logger = InteractionLogger.builder().url(url).index(index).batchSize(1000)
                .flushInterval(Duration.ofMinutes(1)).build();
        for (int i = 0; i < 7; i++) {
            logger.log(record(i));
        }
        logger.close();
        assertThat(logger.stats()).isEqualTo(new InteractionLogger.Stats(7, 0, 7, 0, 0));
        assertThat(count(client, index, null)).isEqualTo(7);
        JsonNode source = EsTestSupport.call(client, "POST", "/" + index + "/_search",
                "{\"query\":{\"term\":{\"timestamp\":1718000000003}}}").path("hits").path("hits").get(0).path("_source");
        assertThat(source.path("client_id").asText()).isEqualTo("app");
        assertThat(source.path("workload_id").asText()).isEqualTo("route");
        assertThat(source.path("request").path("messages").get(0).path("content").asText()).isEqualTo("q3");
        assertThat(source.path("response").path("id").asText()).isEqualTo("r3");
        assertThat(source.path("env").asText()).isEqualTo("test"); // metadata as top-level fields
        assertThat(logger.log(record(99))).isFalse(); // closed: dropped, not thrown
    }

    @Test
    void aFullBufferDropsAndCountsInsteadOfBlocking() throws IOException {
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort(); // closed again below: connections are refused
        }
        InteractionLogger logger = InteractionLogger.builder().url("http://127.0.0.1:" + deadPort).bufferCapacity(100)
                .batchSize(10).maxRetries(1).closeTimeout(Duration.ofSeconds(10)).build();
        int n = 20_000;
        long start = System.nanoTime();
        int accepted = 0;
        for (int i = 0; i < n; i++) {
            accepted += logger.log(record(i)) ? 1 : 0;
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).as("20,000 log() calls with Elasticsearch unreachable").isLessThan(2_000);
        assertThat(accepted).isLessThan(1_000);
        assertThat(logger.stats().dropped()).isEqualTo(n - accepted);

        logger.close();
        InteractionLogger.Stats stats = logger.stats();
        assertThat(stats.indexed()).isZero();
        assertThat(stats.failed() + stats.dropped()).isEqualTo(n);
    }

    @Test
    void metadataCannotShadowRecordFields() {
        assertThatThrownBy(() -> new LogRecord("c", "w", 1L, "{}", "{}", Map.of("timestamp", 5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogRecord.of(" ", "w", "{}", "{}")).isInstanceOf(IllegalArgumentException.class);
    }
}
