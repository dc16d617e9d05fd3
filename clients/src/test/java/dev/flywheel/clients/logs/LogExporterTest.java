package dev.flywheel.clients.logs;

import static dev.flywheel.clients.logs.EsTestSupport.openPointsInTime;
import static dev.flywheel.clients.logs.EsTestSupport.uniqueIndex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Exports from one index holding 3,000 records of (c1, w1) plus distractors of other clients/workloads. Timestamps
 * are {@code T0 + seq / 3 * 1000}: three records share each timestamp, so the {@code _shard_doc} tiebreak is needed
 * to page across ties without skipping or repeating.
 */
@ExtendWith(DevStackExtension.class)
class LogExporterTest {

    private static final long T0 = 1_718_000_000_000L;
    private static final int N = 3_000;

    private static RestClient client;
    private static String index;
    private static LogExporter exporter;

    @BeforeAll
    static void load(DevStack stack) {
        client = EsHttp.client(stack.elasticsearchUrl());
        index = uniqueIndex("export");
        LogRecordGenerator gen = new LogRecordGenerator(42);
        List<byte[]> docs = new ArrayList<>();
        for (int seq = 0; seq < N; seq++) {
            docs.add(gen.next("c1", "w1", T0 + seq / 3 * 1000L, seq));
        }
        for (int seq = 0; seq < 300; seq++) { // same time range, other ids: must never show up
            docs.add(gen.next("c2", "w1", T0 + seq * 1000L, 100_000 + seq));
            docs.add(gen.next("c1", "w2", T0 + seq * 1000L, 200_000 + seq));
        }
        EsTestSupport.index(client, index, docs);
        exporter = new LogExporter(client, index);
    }

    @AfterAll
    static void disconnect() throws IOException {
        client.close();
    }

    @AfterEach
    void everyPointInTimeIsClosed() {
        await().atMost(Duration.ofSeconds(5)).until(() -> openPointsInTime(client) == 0);
    }

    /** Records as (seq, timestamp, client, workload) in delivery order. */
    private static List<JsonNode> collect(ExportQuery query, List<ExportSummary> summary) {
        List<JsonNode> records = new ArrayList<>();
        ExportSummary s = exporter.export(query, bytes -> {
            try {
                records.add(EsTestSupport.JSON.readTree(bytes));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).join();
        summary.add(s);
        return records;
    }

    @Test
    void exportsEveryMatchingRecordExactlyOnceNewestFirstAcrossPages() {
        List<ExportSummary> summary = new ArrayList<>();
        long searchesBefore = searchesOnIndex();
        List<JsonNode> records = collect(ExportQuery.builder("c1", "w1").pageSize(250).build(), summary);
        long searches = searchesOnIndex() - searchesBefore;

        assertThat(records).hasSize(N);
        BitSet seen = new BitSet();
        long previous = Long.MAX_VALUE;
        for (JsonNode r : records) {
            assertThat(r.path("client_id").asText()).isEqualTo("c1");
            assertThat(r.path("workload_id").asText()).isEqualTo("w1");
            int seq = r.path("seq").asInt();
            assertThat(seen.get(seq)).as("record %d delivered twice", seq).isFalse();
            seen.set(seq);
            long ts = r.path("timestamp").asLong();
            assertThat(ts).isLessThanOrEqualTo(previous);
            previous = ts;
        }
        assertThat(seen.cardinality()).isEqualTo(N);
        ExportSummary s = summary.get(0);
        assertThat(s.records()).isEqualTo(N);
        assertThat(s.pages()).isEqualTo(N / 250 + 1); // the last, empty page tells that there is no more
        assertThat(s.newest()).isEqualTo(Instant.ofEpochMilli(T0 + (N - 1) / 3 * 1000L));
        assertThat(s.oldest()).isEqualTo(Instant.ofEpochMilli(T0));
        assertThat(s.capped()).isFalse();
        assertThat(s.bytes()).isGreaterThan(N * 1000L);
        // Pages after the first are requested before their predecessor is parsed; each guess was right, so there
        // was exactly one search per page (and shard).
        int shards = EsTestSupport.call(client, "GET", "/" + index + "/_settings", null).path(index)
                .path("settings").path("index").path("number_of_shards").asInt();
        assertThat(searches).isEqualTo((long) s.pages() * shards);
    }

    @Test
    void theTimeWindowIsFromInclusiveToExclusive() {
        Instant from = Instant.ofEpochMilli(T0 + 100_000); // seq 300..302 share it
        Instant to = Instant.ofEpochMilli(T0 + 200_000); // seq 600.. excluded
        List<ExportSummary> summary = new ArrayList<>();
        List<JsonNode> records = collect(ExportQuery.builder("c1", "w1").window(from, to).pageSize(64).build(), summary);

        assertThat(records).hasSize(300);
        assertThat(records).extracting(r -> r.path("seq").asInt()).allMatch(seq -> seq >= 300 && seq < 600);
        assertThat(summary.get(0).query().from()).isEqualTo(from);
        assertThat(summary.get(0).describe()).contains("300 records", from.toString(), to.toString());
    }

    @Test
    void theLimitExportsTwiceItsSizeOfTheNewestRecords() {
        List<ExportSummary> summary = new ArrayList<>();
        List<JsonNode> records = collect(ExportQuery.builder("c1", "w1").limit(100).pageSize(150).build(), summary);

        assertThat(records).hasSize(200);
        assertThat(records).extracting(r -> r.path("seq").asInt()).allMatch(seq -> seq >= N - 201);
        assertThat(summary.get(0).capped()).isTrue();
        assertThat(summary.get(0).pages()).isEqualTo(2);
    }

    @Test
    void otherClientsAndWorkloadsAreFilteredOut() {
        List<ExportSummary> summary = new ArrayList<>();
        assertThat(collect(ExportQuery.builder("c2", "w1").build(), summary)).hasSize(300)
                .allMatch(r -> r.path("seq").asInt() >= 100_000 && r.path("seq").asInt() < 200_000);
        assertThat(collect(ExportQuery.builder("c2", "w2").build(), summary)).isEmpty();
        assertThat(summary.get(1).newest()).isNull();
    }

    @Test
    void aFailingConsumerFailsTheExportAndThePointInTimeIsClosed() {
        CompletableFuture<ExportSummary> result = exporter.export(ExportQuery.builder("c1", "w1").pageSize(100).build(),
                new java.util.function.Consumer<>() {
                    int n;

                    @Override
                    public void accept(byte[] bytes) {
                        if (++n == 150) {
                            throw new IllegalStateException("disk full");
                        }
                    }
                });
        assertThatThrownBy(result::join).isInstanceOf(CompletionException.class).hasMessageContaining("disk full");
        // The PIT is closed before the future completes; a prefetched page's search that was still running
        // holds its own search context until it finishes, so allow it a moment to drain.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(openPointsInTime(client)).isZero());
    }

    @Test
    void cancellingStopsTheExportAndClosesThePointInTime() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        int[] delivered = {0};
        CompletableFuture<ExportSummary> result = exporter.export(ExportQuery.builder("c1", "w1").pageSize(100).build(),
                bytes -> {
                    delivered[0]++;
                    started.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(openPointsInTime(client)).isPositive(); // the PIT (and perhaps a prefetch search) is open
        result.cancel(false);
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> openPointsInTime(client) == 0);
        assertThat(delivered[0]).isLessThan(N);
    }

    /** Query phases the index has run (one per page and shard). */
    private static long searchesOnIndex() {
        return EsTestSupport.call(client, "GET", "/" + index + "/_stats/search", null)
                .path("_all").path("total").path("search").path("query_total").asLong();
    }

    @Test
    void pagesAreFetchedWhileTheConsumerWorksButNoMoreThanTwoAhead() throws InterruptedException {
        long before = searchesOnIndex();
        CountDownLatch release = new CountDownLatch(1);
        java.util.Set<String> consumerThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger inConsumer = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean overlapped = new java.util.concurrent.atomic.AtomicBoolean();
        CompletableFuture<ExportSummary> result = exporter.export(ExportQuery.builder("c1", "w1").pageSize(100).build(),
                bytes -> {
                    overlapped.compareAndSet(false, inConsumer.incrementAndGet() > 1);
                    consumerThreads.add(Thread.currentThread().getName());
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    inConsumer.decrementAndGet();
                });
        // The consumer is stuck on the first record: the second page is fetched and parsed meanwhile, the third is
        // held back until the consumer has finished a page.
        await().atMost(Duration.ofSeconds(10)).until(() -> searchesOnIndex() - before >= 2);
        Thread.sleep(1_000);
        long whileStuck = searchesOnIndex() - before;
        release.countDown();
        ExportSummary summary = result.join();

        assertThat(summary.records()).isEqualTo(N);
        long perPage = (searchesOnIndex() - before) / summary.pages();
        assertThat(perPage).isPositive();
        assertThat(whileStuck).isEqualTo(2 * perPage);
        assertThat(overlapped).as("the consumer is never called concurrently").isFalse();
        assertThat(consumerThreads).hasSize(1).allMatch(name -> name.startsWith("flywheel-export-w1"));
    }

    @Test
    void theEarlyLookAtARealPageFindsTheParsedCursor() {
        String pit = EsTestSupport.call(client, "POST", "/" + index + "/_pit?keep_alive=1m", null).path("id").asText();
        try {
            byte[] request = LogExporter.searchBody(ExportQuery.builder("c1", "w1").build(), pit, 50, null);
            byte[] body = EsHttp.body(EsHttp.perform(client, EsHttp.request("POST", "/_search", request)).join());
            SearchPage page = SearchPage.parse(body, 50);
            SearchPage.Cursor cursor = SearchPage.peekCursor(body);
            assertThat(page.size).isEqualTo(50);
            assertThat(cursor.lastSort()).isEqualTo(page.lastSort);
            assertThat(cursor.pitId()).isEqualTo(page.pitId);
        } finally {
            EsTestSupport.call(client, "DELETE", "/_pit", "{\"id\": \"" + pit + "\"}");
        }
    }

    @Test
    void aMissingIndexIsAClearError() {
        CompletableFuture<ExportSummary> result = new LogExporter(client, "no-such-index-" + System.nanoTime())
                .export(ExportQuery.builder("c", "w").build(), bytes -> { });
        assertThatThrownBy(result::join).hasMessageContaining("does not exist");
    }

    @Test
    void theSearchBodyFiltersSortsAndPagesAsDocumented() throws IOException {
        ExportQuery q = ExportQuery.builder("c", "w").window(Instant.ofEpochMilli(5), null).build();
        JsonNode body = EsTestSupport.JSON.readTree(LogExporter.searchBody(q, "PIT", 10, "[7,3]".getBytes()));
        assertThat(body.path("pit").path("id").asText()).isEqualTo("PIT");
        assertThat(body.path("search_after").toString()).isEqualTo("[7,3]");
        assertThat(body.path("sort").toString())
                .isEqualTo("[{\"timestamp\":{\"order\":\"desc\",\"unmapped_type\":\"date\"}},{\"_shard_doc\":\"asc\"}]");
        assertThat(body.path("query").path("bool").path("filter").toString())
                .contains("{\"term\":{\"client_id\":\"c\"}}", "{\"term\":{\"workload_id\":\"w\"}}", "\"gte\":5")
                .doesNotContain("\"lt\"");
    }
}
