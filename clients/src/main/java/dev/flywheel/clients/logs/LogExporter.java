package dev.flywheel.clients.logs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the log records of one client + workload out of Elasticsearch, newest first, with a point in time and
 * {@code search_after} (sort {@code timestamp} desc, {@code _shard_doc} asc): unlike the reference's scroll export,
 * which held up to {@code 2 x limit} documents in a list, records flow one by one to a consumer and memory is
 * bounded by the page size. A snapshot (the PIT) makes the result consistent even while producers keep logging.
 *
 * <p>Each record is handed to the consumer as the raw {@code _source} JSON bytes (UTF-8) exactly as stored; callers
 * parse only what they need. The consumer is called sequentially, from one thread, in sort order. Pages are parsed
 * and the next one is requested on a separate page thread while the consumer works, with up to
 * {@value #PAGES_AHEAD} parsed pages waiting for it, so Elasticsearch, page parsing and the consumer overlap and
 * memory stays at a few pages.
 *
 * <p>The returned future completes with an {@link ExportSummary} after the point in time was closed. It fails if
 * Elasticsearch fails or the consumer throws; cancelling it stops the export at the next record. In every case the
 * point in time is closed (a failed close is only logged: it expires after the keep-alive anyway). Requests that
 * Elasticsearch refuses as overloaded (429, 503) are retried with back-off; PIT + {@code search_after} pages are
 * idempotent.
 */
public final class LogExporter {

    private static final Logger log = LoggerFactory.getLogger(LogExporter.class);
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Retries of a page request refused with 429/503 (a small node's circuit breakers trip under big pages). */
    private static final int RETRIES = 3;

    private final RestClient client;
    private final String index;

    public LogExporter(RestClient client, String index) {
        this.client = client;
        this.index = index;
    }

    /**
     * Exports on a thread of its own (created for this export and ended with it), which runs the consumer.
     */
    public CompletableFuture<ExportSummary> export(ExportQuery query, Consumer<byte[]> consumer) {
        ExecutorService thread = Executors.newSingleThreadExecutor(daemonThreads("flywheel-export-" + query.workloadId()));
        CompletableFuture<ExportSummary> result = export(query, consumer, thread);
        result.whenComplete((s, e) -> thread.shutdown());
        return result;
    }

    /**
     * Exports, calling {@code consumer} on {@code executor}. The executor must run tasks one at a time or at least
     * tolerate that this export submits its deliveries one after another (it never submits two at once). Pages are
     * parsed, and the next one requested, on a thread of the export's own, so that a slow consumer does not hold up
     * Elasticsearch: up to {@value #PAGES_AHEAD} parsed pages wait for the consumer before the next page is asked
     * for, which bounds memory to about three pages.
     */
    public CompletableFuture<ExportSummary> export(ExportQuery query, Consumer<byte[]> consumer, Executor executor) {
        Run run = new Run(query, consumer, executor);
        run.start();
        return run.result;
    }

    /**
     * Parsed pages handed to the consumer (being delivered or waiting) before the next page is requested. Two
     * keep the consumer busy while Elasticsearch answers, when the consumer is the slower side, and let
     * Elasticsearch work while the consumer catches up, when it is the faster one.
     */
    static final int PAGES_AHEAD = 2;

    private static ThreadFactory daemonThreads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * One export in progress. Two threads: the page thread (responses parsed, next requests, bookkeeping — the
     * fields marked so are only touched there) and the consumer's executor (deliveries, one page after the other,
     * chained so each sees the previous one's writes).
     */
    private final class Run {
        private final ExportQuery query;
        private final Consumer<byte[]> consumer;
        private final Executor consumerExecutor;
        private final ExecutorService pageThreadService;
        /** The page thread; a step arriving after the export ended (e.g. a prefetch after a cancel) is dropped. */
        private final Executor pageThread;
        private final CompletableFuture<ExportSummary> result = new CompletableFuture<>();
        private final AtomicBoolean pitClosed = new AtomicBoolean();
        private final long startNanos = System.nanoTime();
        private volatile String pitId;
        // page thread
        private int pages;
        private long scheduled;
        private int pagesInDelivery;
        private Runnable heldBackFetch;
        private CompletableFuture<Void> deliveries = CompletableFuture.completedFuture(null);
        // consumer's executor; read on the page thread once every delivery is done
        private long delivered;
        private long bytes;
        private Long newest;
        private Long oldest;

        Run(ExportQuery query, Consumer<byte[]> consumer, Executor consumerExecutor) {
            this.query = query;
            this.consumer = consumer;
            this.consumerExecutor = consumerExecutor;
            this.pageThreadService = Executors.newSingleThreadExecutor(
                    daemonThreads("flywheel-export-pages-" + query.workloadId()));
            this.pageThread = step -> {
                try {
                    pageThreadService.execute(step);
                } catch (RejectedExecutionException exportOver) {
                    // nothing left to do: the PIT was closed when the export ended
                }
            };
            result.whenComplete((s, e) -> {
                if (result.isCancelled()) {
                    closePit(); // a caller's cancel: release the PIT now instead of at the next page boundary
                }
                pageThreadService.shutdown();
            });
        }

        void start() {
            if (query.maxRecords() == 0) {
                result.complete(summary(false));
                return;
            }
            EsHttp.perform(client, EsHttp.request("POST", "/" + index + "/_pit?keep_alive="
                            + keepAlive(query.keepAlive()), null))
                    .thenApply(r -> readPitId(EsHttp.body(r)))
                    .whenCompleteAsync((id, error) -> {
                        if (error != null) {
                            fail(describeOpenFailure(EsHttp.unwrap(error)));
                        } else {
                            pitId = id;
                            requestPage(null, (int) Math.min(query.pageSize(), query.maxRecords()));
                        }
                    }, pageThread);
        }

        /** Page thread: asks for {@code size} hits after {@code searchAfter} (null: the first page). */
        private void requestPage(byte[] searchAfter, int size) {
            handleWhenAnswered(send(pitId, searchAfter, size), size);
        }

        private CompletableFuture<Response> send(String pit, byte[] searchAfter, int size) {
            byte[] body = searchBody(query, pit, size, searchAfter);
            return EsHttp.performRetrying(client, () -> EsHttp.request("POST", "/_search", body), RETRIES);
        }

        private void handleWhenAnswered(CompletableFuture<Response> answer, int size) {
            answer.whenCompleteAsync((response, error) -> onResponse(response, size, error), pageThread);
        }

        /**
         * Page thread: asks for the next page before parsing this one when it can (see {@link EarlyRequest}), then
         * parses it and hands it on.
         */
        private void onResponse(Response response, int requested, Throwable error) {
            if (result.isDone()) { // cancelled (or failed) meanwhile
                closePit();
                return;
            }
            if (error != null) {
                fail(EsHttp.unwrap(error));
                return;
            }
            SearchPage page;
            EarlyRequest early;
            try {
                byte[] body = EsHttp.body(response);
                early = requestEarly(body, requested);
                page = SearchPage.parse(body, requested);
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            onPage(page, early);
        }

        /**
         * The next page's request, sent before this page is parsed: parsing thousands of hits takes tens of
         * milliseconds during which Elasticsearch would otherwise wait. Its cursor comes from a quick look at the
         * end of the body ({@link SearchPage#peekCursor}), assuming the page is full; {@link #onPage} uses the
         * answer only if the parsed page confirms cursor, point in time and size, and drops it otherwise.
         */
        private record EarlyRequest(SearchPage.Cursor cursor, int size, CompletableFuture<Response> answer) {
            boolean confirmedBy(SearchPage page, int nextSize) {
                return page.size >= page.requested && nextSize == size
                        && Arrays.equals(cursor.lastSort(), page.lastSort)
                        && Objects.equals(cursor.pitId(), page.pitId);
            }
        }

        private EarlyRequest requestEarly(byte[] body, int requested) {
            long leftIfFull = query.maxRecords() - scheduled - requested;
            if (leftIfFull <= 0 || pagesInDelivery + 1 >= PAGES_AHEAD) {
                return null; // no next page, or it would be held back anyway
            }
            SearchPage.Cursor cursor = SearchPage.peekCursor(body);
            if (cursor == null) {
                return null;
            }
            int size = (int) Math.min(query.pageSize(), leftIfFull);
            String pit = cursor.pitId() != null ? cursor.pitId() : pitId;
            return new EarlyRequest(cursor, size, send(pit, cursor.lastSort(), size));
        }

        /** Page thread: hands the page to the consumer and asks for the next one, or finishes. */
        private void onPage(SearchPage page, EarlyRequest early) {
            pages++;
            if (page.pitId != null) {
                pitId = page.pitId; // ES may hand out a new id; the latest one must be used and closed
            }
            int take = (int) Math.min(page.size, query.maxRecords() - scheduled);
            scheduled += take;
            boolean full = page.size >= page.requested;
            long left = query.maxRecords() - scheduled;
            deliver(page, take);
            if (full && left > 0) {
                byte[] searchAfter = page.lastSort;
                int size = (int) Math.min(query.pageSize(), left);
                if (early != null && early.confirmedBy(page, size)) {
                    handleWhenAnswered(early.answer(), size); // already on its way
                } else if (pagesInDelivery < PAGES_AHEAD) {
                    requestPage(searchAfter, size);
                } else {
                    heldBackFetch = () -> requestPage(searchAfter, size); // once the consumer has finished a page
                }
            } else {
                boolean capped = full && scheduled >= query.maxRecords();
                deliveries.whenCompleteAsync((v, deliveryError) -> {
                    if (deliveryError == null) {
                        finish(capped);
                    }
                }, pageThread);
            }
        }

        /** Page thread: queues the page's first {@code take} records for the consumer, after the pages before. */
        private void deliver(SearchPage page, int take) {
            pagesInDelivery++;
            deliveries = deliveries.thenRunAsync(() -> deliverRecords(page, take), consumerExecutor);
            deliveries.whenCompleteAsync((v, error) -> onDelivered(error), pageThread);
        }

        /** Consumer's executor. */
        private void deliverRecords(SearchPage page, int take) {
            for (int i = 0; i < take; i++) {
                if (result.isDone()) {
                    return;
                }
                consumer.accept(page.source(i));
                bytes += page.sourceLength(i);
                long ts = page.timestamp(i);
                if (newest == null) {
                    newest = ts;
                }
                oldest = ts;
                delivered++;
            }
        }

        /** Page thread: a page was delivered (or the consumer failed). */
        private void onDelivered(Throwable error) {
            pagesInDelivery--;
            if (error != null) {
                fail(EsHttp.unwrap(error));
                return;
            }
            Runnable next = heldBackFetch;
            heldBackFetch = null;
            if (next != null && !result.isDone()) {
                next.run();
            }
        }

        private void finish(boolean capped) {
            closePit();
            result.complete(summary(capped));
        }

        private void fail(Throwable error) {
            closePit();
            result.completeExceptionally(error);
        }

        private ExportSummary summary(boolean capped) {
            return new ExportSummary(query, delivered, bytes, pages,
                    newest == null ? null : Instant.ofEpochMilli(newest),
                    oldest == null ? null : Instant.ofEpochMilli(oldest), capped,
                    Duration.ofNanos(System.nanoTime() - startNanos));
        }

        /** Closes the PIT once; waits for the answer so that a completed export has released it. */
        private void closePit() {
            String id = pitId;
            if (id == null || !pitClosed.compareAndSet(false, true)) {
                return;
            }
            try {
                byte[] body = LogIndex.bytes(JSON.createObjectNode().put("id", id));
                EsHttp.performRetrying(client, () -> EsHttp.request("DELETE", "/_pit", body), RETRIES).join();
            } catch (CompletionException | CancellationException e) {
                log.warn("closing the export point in time failed (it expires after {}): {}", query.keepAlive(),
                        String.valueOf(EsHttp.unwrap(e)));
            }
        }

        private Throwable describeOpenFailure(Throwable e) {
            if (e instanceof ResponseException re && re.getResponse().getStatusLine().getStatusCode() == 404) {
                return new IllegalStateException("log index '" + index + "' does not exist", e);
            }
            return e;
        }
    }

    /** The {@code _search} body of one page. */
    static byte[] searchBody(ExportQuery query, String pitId, int size, byte[] searchAfter) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("size", size);
            g.writeBooleanField("track_total_hits", false); // counting all matches costs time and is not needed
            g.writeObjectFieldStart("pit");
            g.writeStringField("id", pitId);
            g.writeStringField("keep_alive", keepAlive(query.keepAlive()));
            g.writeEndObject();
            g.writeObjectFieldStart("query");
            g.writeObjectFieldStart("bool");
            g.writeArrayFieldStart("filter"); // filter context: exact matches, no scoring
            term(g, LogFields.CLIENT_ID, query.clientId());
            term(g, LogFields.WORKLOAD_ID, query.workloadId());
            if (query.from() != null || query.to() != null) {
                g.writeStartObject();
                g.writeObjectFieldStart("range");
                g.writeObjectFieldStart(LogFields.TIMESTAMP);
                if (query.from() != null) {
                    g.writeNumberField("gte", query.from().toEpochMilli());
                }
                if (query.to() != null) {
                    g.writeNumberField("lt", query.to().toEpochMilli());
                }
                g.writeStringField("format", "epoch_millis");
                g.writeEndObject();
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
            g.writeArrayFieldStart("sort");
            g.writeStartObject();
            g.writeObjectFieldStart(LogFields.TIMESTAMP);
            g.writeStringField("order", "desc");
            g.writeStringField("unmapped_type", "date"); // an index without the mapping yet: no error, no hits
            g.writeEndObject();
            g.writeEndObject();
            g.writeStartObject();
            g.writeStringField("_shard_doc", "asc"); // unique tiebreak: search_after never skips or repeats
            g.writeEndObject();
            g.writeEndArray();
            if (searchAfter != null) {
                g.writeFieldName("search_after");
                g.writeRawValue(new String(searchAfter, java.nio.charset.StandardCharsets.UTF_8));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void term(JsonGenerator g, String field, String value) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("term");
        g.writeStringField(field, value);
        g.writeEndObject();
        g.writeEndObject();
    }

    static String keepAlive(Duration d) {
        return Math.max(1, d.toSeconds()) + "s";
    }

    private static String readPitId(byte[] body) {
        try {
            JsonNode id = JSON.readTree(body).get("id");
            if (id == null || !id.isTextual()) {
                throw new IllegalStateException("no point-in-time id in " + new String(body,
                        java.nio.charset.StandardCharsets.UTF_8));
            }
            return id.textValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
