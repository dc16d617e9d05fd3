package dev.flywheel.clients.logs.bench;

import dev.flywheel.clients.logs.BenchAccess;
import dev.flywheel.clients.logs.EsHttp;
import dev.flywheel.clients.logs.ExportQuery;
import dev.flywheel.clients.logs.ExportSummary;
import dev.flywheel.clients.logs.LogExporter;
import dev.flywheel.clients.logs.LogIndex;
import dev.flywheel.clients.logs.LogRecordGenerator;
import dev.flywheel.devstack.DevStack;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import com.sun.management.GarbageCollectionNotificationInfo;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;

/**
 * Export throughput on a real node: loads N generated log records (~2.5 KB, 60 % tool-calling; 80 % of them in the
 * measured client/workload, the rest spread over three others), then scans the measured workload twice each way,
 * same query, sort and page size:
 * <ol>
 *   <li><b>raw</b>: PIT + {@code search_after} in a plain synchronous loop that reads each page into bytes and
 *       only looks for the last {@code "sort":[...]} (and counts hits) with a byte search: the ceiling;</li>
 *   <li><b>exporter</b>: {@link LogExporter#export} delivering every record to a consumer that counts bytes.</li>
 * </ol>
 * Peak heap per phase: the sum of heap pools' peak usage (reset before each phase) and the largest heap after a GC
 * (GC notifications), i.e. the live set. Run with {@code bench/export.sh} (-Xmx512m).
 *
 * <p>System properties: {@code bench.docs} (default 1,000,000), {@code bench.pageSize} (default
 * {@link ExportQuery#DEFAULT_PAGE_SIZE}), {@code bench.sweep} (page sizes to compare on a 200k prefix, default
 * 1000,2500,5000; 10,000 trips the 512 MB devstack node's parent circuit breaker; empty to skip), {@code bench.esUrl} (an external node, which must not already hold the
 * index; default: start a devstack node).
 *
 * <p><b>Pipeline hook</b>: {@code -Dbench.pipeline=some.Class} names a class with a no-argument constructor
 * implementing {@code Consumer<byte[]>} (and optionally {@link AutoCloseable}), e.g. the dataset stage's
 * validate, dedup, split and write-files chain; it is then measured as a third row, fed by the exporter.
 */
public final class ExportBenchmark {

    private static final String INDEX = "flywheel-bench";
    private static final String CLIENT = "bench-app";
    private static final String WORKLOAD = "support.route";
    private static final byte[] SORT_KEY = "\"sort\":[".getBytes(StandardCharsets.US_ASCII);

    private static final int BULK_DOCS = 1_000;
    private static final int IN_FLIGHT = 2;
    private static final AtomicLong maxAfterGc = new AtomicLong();
    private static final java.util.Set<String> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
            .collect(java.util.stream.Collectors.toSet());

    public static void main(String[] args) throws Exception {
        int docs = Integer.getInteger("bench.docs", 1_000_000);
        int pageSize = Integer.getInteger("bench.pageSize", ExportQuery.DEFAULT_PAGE_SIZE);
        String sweep = System.getProperty("bench.sweep", "1000,2500,5000");
        String externalUrl = System.getProperty("bench.esUrl");
        installGcListener();
        System.out.printf("JVM max heap %d MB, %d cores%n", Runtime.getRuntime().maxMemory() >> 20,
                Runtime.getRuntime().availableProcessors());

        DevStack stack = externalUrl == null ? DevStack.builder().start() : null;
        String url = externalUrl != null ? externalUrl : stack.elasticsearchUrl();
        try (RestClient client = EsHttp.client(url)) {
            long matching = load(client, docs);
            LogExporter exporter = new LogExporter(client, INDEX);
            ExportQuery all = ExportQuery.builder(CLIENT, WORKLOAD).pageSize(pageSize).build();

            // warm-up: JIT and ES caches, both paths
            rawScan(client, all, 100_000);
            exportScan(exporter, withMax(all, 100_000), null);

            if (!sweep.isBlank()) {
                System.out.println("\npage-size sweep (exporter, first 200,000 records):");
                for (String s : sweep.split(",")) {
                    ExportQuery q = ExportQuery.builder(CLIENT, WORKLOAD).pageSize(Integer.parseInt(s.trim()))
                            .maxRecords(200_000).build();
                    Phase p = exportScan(exporter, q, null);
                    System.out.printf("  page %6s: %,9.0f records/s, peak heap %4d MB%n", s.trim(), p.rate(),
                            p.peakHeapMb);
                }
            }

            System.out.printf("%nfull scans of %,d matching records, page size %,d:%n", matching, pageSize);
            List<Phase> raw = new ArrayList<>();
            List<Phase> exp = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                raw.add(rawScan(client, all, Long.MAX_VALUE));
                print("raw PIT scan", raw.get(round));
                exp.add(exportScan(exporter, all, null));
                print("exporter", exp.get(round));
            }
            double rawBest = raw.stream().mapToDouble(Phase::rate).max().orElseThrow();
            double expBest = exp.stream().mapToDouble(Phase::rate).max().orElseThrow();
            System.out.printf("%nbest raw %,.0f records/s, best exporter %,.0f records/s, ratio %.2f%n",
                    rawBest, expBest, expBest / rawBest);

            String pipeline = System.getProperty("bench.pipeline");
            if (pipeline != null && !pipeline.isBlank()) {
                @SuppressWarnings("unchecked")
                Consumer<byte[]> stage = (Consumer<byte[]>) Class.forName(pipeline).getDeclaredConstructor()
                        .newInstance();
                Phase p = exportScan(exporter, all, stage);
                long closeStart = System.nanoTime();
                if (stage instanceof AutoCloseable c) {
                    c.close(); // e.g. sample, split and write the files: part of the pipeline's time
                }
                p = new Phase(p.records(), p.bytes(), p.nanos() + (System.nanoTime() - closeStart), p.peakHeapMb(),
                        Math.max(p.liveHeapMb(), maxAfterGc.get() >> 20));
                print("pipeline " + pipeline, p);
                System.out.printf("pipeline / raw ratio %.2f%n", p.rate() / rawBest);
            }
        } finally {
            if (stack != null) {
                stack.close();
            }
        }
    }

    /** Records of one phase. */
    record Phase(long records, long bytes, long nanos, long peakHeapMb, long liveHeapMb) {
        double rate() {
            return records / (nanos / 1e9);
        }
    }

    private static void print(String name, Phase p) {
        System.out.printf("  %-14s %,9d records %,7d MB in %5.1f s: %,8.0f records/s  %5.1f MB/s  "
                        + "peak heap %4d MB (live after GC %4d MB)%n", name, p.records, p.bytes >> 20,
                p.nanos / 1e9, p.rate(), (p.bytes / 1e6) / (p.nanos / 1e9), p.peakHeapMb, p.liveHeapMb);
    }

    private static ExportQuery withMax(ExportQuery q, long max) {
        return ExportQuery.builder(q.clientId(), q.workloadId()).pageSize(q.pageSize()).maxRecords(max).build();
    }

    /** Loads the index with bulk requests of 1,000 documents, two in flight; returns the measured workload's size. */
    private static long load(RestClient client, int docs) throws Exception {
        LogIndex index = new LogIndex(client, INDEX);
        index.ensureIndex().join();
        call(client, "PUT", "/" + INDEX + "/_settings", "{\"index\":{\"refresh_interval\":\"-1\"}}");
        LogRecordGenerator gen = new LogRecordGenerator(7);
        String[][] others = {{"bench-app", "billing.route"}, {"other-app", "support.route"}, {"third-app", "search"}};
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long base = 1_718_000_000_000L;
        long matching = 0;
        long bytes = 0;
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream(8 << 20);
        byte[] action = "{\"create\":{}}\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < docs; i++) {
            boolean main = i % 5 != 0;
            String[] ids = main ? new String[] {CLIENT, WORKLOAD} : others[i % 3];
            matching += main ? 1 : 0;
            byte[] doc = gen.next(ids[0], ids[1], base + i * 100L, i); // 10 records/s over ~28 h
            bytes += doc.length;
            body.write(action);
            body.write(doc);
            body.write('\n');
            if ((i + 1) % BULK_DOCS == 0 || i == docs - 1) {
                inFlight.acquire();
                sendBulk(client, body.toByteArray(), inFlight, failed, 0);
                body.reset();
                if ((i + 1) % 100_000 == 0) {
                    System.out.printf("  loaded %,d%n", i + 1);
                }
            }
        }
        inFlight.acquire(IN_FLIGHT);
        double seconds = (System.nanoTime() - start) / 1e9;
        call(client, "PUT", "/" + INDEX + "/_settings", "{\"index\":{\"refresh_interval\":null}}");
        call(client, "POST", "/" + INDEX + "/_refresh", null);
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " bulk requests failed");
        }
        System.out.printf("loaded %,d records (avg %,d bytes, %,d MB) in %.1f s: %,.0f docs/s%n", docs,
                bytes / docs, bytes >> 20, seconds, docs / seconds);
        return matching;
    }

    /** Sends one bulk body; a failed request (e.g. 429 on the 512 MB node) is retried with back-off, 5 times. */
    private static void sendBulk(RestClient client, byte[] body, Semaphore inFlight, AtomicLong failed, int attempt) {
        Request request = new Request("POST", "/" + INDEX + "/_bulk");
        request.setEntity(new ByteArrayEntity(body, ContentType.create("application/x-ndjson", StandardCharsets.UTF_8)));
        client.performRequestAsync(request, new org.elasticsearch.client.ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                try {
                    String text = EntityUtils.toString(response.getEntity());
                    if (text.contains("\"errors\":true")) { // items refused: not retried (ids are auto-generated)
                        failed.incrementAndGet();
                        int at = text.indexOf("\"error\"");
                        System.out.println("bulk item errors, e.g. " + text.substring(at, Math.min(text.length(), at + 300)));
                    }
                } catch (java.io.IOException e) {
                    failed.incrementAndGet();
                }
                inFlight.release();
            }

            @Override
            public void onFailure(Exception exception) {
                if (attempt < 5) {
                    System.out.println("bulk request failed, retrying: " + exception);
                    java.util.concurrent.CompletableFuture.delayedExecutor(500L << attempt,
                            java.util.concurrent.TimeUnit.MILLISECONDS)
                            .execute(() -> sendBulk(client, body, inFlight, failed, attempt + 1));
                } else {
                    System.out.println("bulk request failed for good: " + exception);
                    failed.incrementAndGet();
                    inFlight.release();
                }
            }
        });
    }

    /** The ceiling: PIT + search_after, pages read as bytes, nothing parsed but the last sort values. */
    private static Phase rawScan(RestClient client, ExportQuery query, long max) throws Exception {
        Measure m = Measure.start();
        String pit = call(client, "POST", "/" + INDEX + "/_pit?keep_alive=2m", null);
        String pitId = pit.substring(pit.indexOf("\"id\":\"") + 6, pit.indexOf('"', pit.indexOf("\"id\":\"") + 6));
        long records = 0;
        long bytes = 0;
        byte[] searchAfter = null;
        try {
            while (records < max) {
                Request request = new Request("POST", "/_search");
                request.setEntity(new ByteArrayEntity(searchBody(query, pitId, searchAfter), ContentType.APPLICATION_JSON));
                byte[] page = EntityUtils.toByteArray(performRetrying(client, request).getEntity());
                bytes += page.length;
                int hits = 0;
                int last = -1;
                for (int at = indexOf(page, SORT_KEY, 0); at >= 0; at = indexOf(page, SORT_KEY, at + 1)) {
                    hits++;
                    last = at;
                }
                if (hits == 0) {
                    break;
                }
                records += hits;
                int open = last + SORT_KEY.length - 1;
                int close = open;
                while (page[close] != ']') {
                    close++;
                }
                searchAfter = java.util.Arrays.copyOfRange(page, open, close + 1);
            }
        } finally {
            call(client, "DELETE", "/_pit", "{\"id\":\"" + pitId + "\"}");
        }
        return m.stop(records, bytes);
    }

    /** Like the exporter: a page refused with 429 (the 512 MB node's circuit breaker) is asked for again. */
    private static Response performRetrying(RestClient client, Request request) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return client.performRequest(request);
            } catch (org.elasticsearch.client.ResponseException e) {
                if (attempt >= 3 || e.getResponse().getStatusLine().getStatusCode() != 429) {
                    throw e;
                }
                Thread.sleep(250L << attempt);
            }
        }
    }

    private static byte[] searchBody(ExportQuery query, String pitId, byte[] searchAfter) {
        // the exporter's own request body, so both scans ask Elasticsearch for exactly the same thing
        return BenchAccess.searchBody(query, pitId, query.pageSize(), searchAfter);
    }

    private static Phase exportScan(LogExporter exporter, ExportQuery query, Consumer<byte[]> sink) {
        Measure m = Measure.start();
        long[] bytes = {0};
        Consumer<byte[]> consumer = sink == null ? b -> bytes[0] += b.length : b -> {
            bytes[0] += b.length;
            sink.accept(b);
        };
        CompletableFuture<ExportSummary> f = exporter.export(query, consumer);
        ExportSummary s = f.join();
        return m.stop(s.records(), bytes[0]);
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        byte first = needle[0];
        outer:
        for (int i = from, end = haystack.length - needle.length; i <= end; i++) {
            if (haystack[i] != first) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String call(RestClient client, String method, String endpoint, String body) throws Exception {
        Request request = new Request(method, endpoint);
        if (body != null) {
            request.setJsonEntity(body);
        }
        return EntityUtils.toString(client.performRequest(request).getEntity());
    }

    /** Wall time plus heap peaks of one phase. */
    private static final class Measure {
        private final long start = System.nanoTime();

        static Measure start() {
            System.gc();
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                pool.resetPeakUsage();
            }
            maxAfterGc.set(0);
            return new Measure();
        }

        Phase stop(long records, long bytes) {
            long nanos = System.nanoTime() - start;
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            return new Phase(records, bytes, nanos, peak >> 20, maxAfterGc.get() >> 20);
        }
    }

    private static void installGcListener() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((n, h) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                    return;
                }
                GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                        (CompositeData) n.getUserData());
                long used = 0;
                for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                    if (HEAP_POOLS.contains(e.getKey())) {
                        used += e.getValue().getUsed();
                    }
                }
                maxAfterGc.accumulateAndGet(used, Math::max);
            }, null, null);
        }
    }
}
