package dev.flywheel.clients.logs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs LLM interactions from a producing app to Elasticsearch, in the background, in batches.
 *
 * <p><b>Never blocks the caller.</b> {@link #log(LogRecord)} only offers the record to a bounded in-memory buffer
 * ({@link Builder#bufferCapacity}). When the buffer is full, because Elasticsearch is slow or unreachable, the
 * record is <b>dropped</b> and counted in {@link Stats#dropped()}; {@code log} returns {@code false}. Logging is
 * best-effort by design: losing some training data is preferable to slowing down or failing the app's own requests.
 * Records that reached Elasticsearch but were refused, or whose batch failed after {@link Builder#maxRetries}
 * retries, are counted in {@link Stats#failed()}.
 *
 * <p>One daemon thread drains the buffer: it sends a batch when {@link Builder#batchSize} records are waiting or
 * {@link Builder#flushInterval} after the first record of a batch arrived, whichever comes first. Serialisation
 * happens on that thread, not the caller's. {@link #close()} stops accepting records, sends everything buffered
 * (bounded by {@link Builder#closeTimeout}) and then closes the HTTP client if the logger created it.
 *
 * <pre>{@code
 * try (InteractionLogger logs = InteractionLogger.builder().url("http://es:9200").build()) {
 *     logs.log(LogRecord.of("my-app", "support.route", requestJson, completionJson));
 * }
 * }</pre>
 *
 * The index template is put once before the first batch, so the index gets the right mapping when the first
 * write creates it.
 */
public final class InteractionLogger implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InteractionLogger.class);
    private static final long IDLE_POLL_MS = 50;

    /** Counters since the logger was built. {@code accepted = indexed + failed + pending}. */
    public record Stats(long accepted, long dropped, long indexed, long failed, int buffered) {
    }

    private final RestClient client;
    private final boolean ownsClient;
    private final LogIndex index;
    private final BulkWriter writer;
    private final ObjectMapper mapper;
    private final BlockingQueue<LogRecord> buffer;
    private final int batchSize;
    private final long flushIntervalNanos;
    private final int maxRetries;
    private final Duration closeTimeout;
    private final Thread flusher;

    private final LongAdder accepted = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder indexed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private volatile boolean closing;
    private volatile boolean flushRequested;
    private boolean templateReady; // flusher thread only
    private long lastLossWarning; // flusher thread only

    private InteractionLogger(Builder b) {
        this.ownsClient = b.client == null;
        this.client = ownsClient ? EsHttp.client(b.url) : b.client;
        this.index = new LogIndex(client, b.index);
        this.writer = new BulkWriter(client, b.index);
        this.mapper = b.mapper;
        this.buffer = new ArrayBlockingQueue<>(b.bufferCapacity);
        this.batchSize = b.batchSize;
        this.flushIntervalNanos = b.flushInterval.toNanos();
        this.maxRetries = b.maxRetries;
        this.closeTimeout = b.closeTimeout;
        this.flusher = new Thread(this::runFlusher, "flywheel-log-flusher");
        flusher.setDaemon(true);
        flusher.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Queues {@code record} for indexing and returns at once. Returns {@code false} if the record was dropped
     * because the buffer is full or the logger is closed; drops are counted, never thrown.
     */
    public boolean log(LogRecord record) {
        if (closing || !buffer.offer(record)) {
            dropped.increment();
            return false;
        }
        accepted.increment();
        return true;
    }

    /** Current counters. */
    public Stats stats() {
        return new Stats(accepted.sum(), dropped.sum(), indexed.sum(), failed.sum(), buffer.size());
    }

    /**
     * Asks the background thread to send what is buffered now and waits (this one method does block) until every
     * record accepted so far was indexed or failed, or {@code timeout} passed.
     *
     * @return true if everything accepted so far has been handled
     */
    public boolean flush(Duration timeout) throws InterruptedException {
        long target = accepted.sum();
        long deadline = System.nanoTime() + timeout.toNanos();
        flushRequested = true;
        while (indexed.sum() + failed.sum() < target) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /**
     * Stops accepting records, sends what is buffered (waiting at most the close timeout; what is left then is
     * counted as dropped) and releases the HTTP client if this logger created it.
     */
    @Override
    public void close() {
        closing = true;
        try {
            flusher.join(closeTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (flusher.isAlive()) {
            flusher.interrupt();
            log.warn("interaction logger: close timed out after {}; {} buffered records dropped", closeTimeout,
                    buffer.size());
        }
        List<LogRecord> left = new ArrayList<>();
        buffer.drainTo(left);
        dropped.add(left.size());
        accepted.add(-left.size());
        if (ownsClient) {
            try {
                client.close();
            } catch (java.io.IOException e) {
                log.debug("closing the Elasticsearch client failed", e);
            }
        }
    }

    private void runFlusher() {
        List<LogRecord> batch = new ArrayList<>(batchSize);
        try {
            while (true) {
                LogRecord first = buffer.poll(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing) {
                        return; // buffer empty and no more records will be accepted
                    }
                    continue;
                }
                batch.add(first);
                fill(batch);
                send(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Tops the batch up until it is full, the flush interval elapsed, or a flush/close was asked for. */
    private void fill(List<LogRecord> batch) throws InterruptedException {
        long deadline = System.nanoTime() + flushIntervalNanos;
        while (batch.size() < batchSize) {
            buffer.drainTo(batch, batchSize - batch.size());
            long left = deadline - System.nanoTime();
            if (batch.size() >= batchSize || left <= 0 || closing || flushRequested) {
                break;
            }
            LogRecord next = buffer.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(IDLE_POLL_MS)),
                    TimeUnit.NANOSECONDS);
            if (next != null) {
                batch.add(next);
            }
        }
        if (buffer.isEmpty()) {
            flushRequested = false;
        }
    }

    private void send(List<LogRecord> batch) throws InterruptedException {
        List<byte[]> docs = new ArrayList<>(batch.size());
        for (LogRecord record : batch) {
            try {
                docs.add(record.toJson(mapper));
            } catch (RuntimeException e) { // an unserialisable request/response object: lose that record only
                failed.increment();
                log.warn("interaction logger: cannot serialise a record of workload {}: {}", record.workloadId(),
                        e.toString());
            }
        }
        if (docs.isEmpty()) {
            return;
        }
        Exception last = null;
        for (int attempt = 0; attempt <= maxRetries; attempt++) {
            if (attempt > 0) {
                Thread.sleep(Math.min(2_000L, 100L << attempt)); // 200, 400, 800 ms ...
            }
            try {
                if (!templateReady) {
                    index.ensureTemplate().join();
                    templateReady = true;
                }
                BulkWriter.Result result = writer.send(docs).join();
                indexed.add(result.indexed());
                failed.add(result.failures().size());
                if (!result.failures().isEmpty()) {
                    log.warn("interaction logger: Elasticsearch refused {} of {} records, e.g. {}",
                            result.failures().size(), docs.size(), result.failures().get(0).reason());
                }
                return;
            } catch (RuntimeException e) {
                last = e;
                if (closing && attempt >= 1) {
                    break; // shutting down: do not hold close() up with long back-offs
                }
            }
        }
        failed.add(docs.size());
        long now = System.nanoTime();
        if (now - lastLossWarning > TimeUnit.SECONDS.toNanos(10) || lastLossWarning == 0) { // no log flood in outages
            lastLossWarning = now;
            log.warn("interaction logger: a batch of {} records was lost ({} lost so far): {}", docs.size(),
                    failed.sum(), String.valueOf(EsHttp.unwrap(last)));
        }
    }

    /** Settings; every one has a default. */
    public static final class Builder {
        private String url = EsHttp.resolveUrl(null, System.getenv());
        private RestClient client;
        private String index = LogFields.DEFAULT_INDEX;
        private int bufferCapacity = 10_000;
        private int batchSize = 500;
        private Duration flushInterval = Duration.ofSeconds(1);
        private int maxRetries = 2;
        private Duration closeTimeout = Duration.ofSeconds(30);
        private ObjectMapper mapper = new ObjectMapper();

        private Builder() {
        }

        /** Elasticsearch URL; default {@code ELASTICSEARCH_URL} or {@value EsHttp#DEFAULT_URL}. */
        public Builder url(String url) {
            this.url = url;
            return this;
        }

        /** Use this client instead of creating one (the logger will not close it). */
        public Builder client(RestClient client) {
            this.client = client;
            return this;
        }

        /** Index name, default {@value LogFields#DEFAULT_INDEX}. */
        public Builder index(String index) {
            this.index = index;
            return this;
        }

        /** Records held in memory while waiting to be sent; beyond this, records are dropped. Default 10,000. */
        public Builder bufferCapacity(int capacity) {
            this.bufferCapacity = positive(capacity, "bufferCapacity");
            return this;
        }

        /** Records per bulk request. Default 500. */
        public Builder batchSize(int batchSize) {
            this.batchSize = positive(batchSize, "batchSize");
            return this;
        }

        /** Longest time a record waits for its batch to fill. Default 1 s. */
        public Builder flushInterval(Duration flushInterval) {
            this.flushInterval = flushInterval;
            return this;
        }

        /** Retries of a failed bulk request (with back-off) before its records count as failed. Default 2. */
        public Builder maxRetries(int maxRetries) {
            this.maxRetries = Math.max(0, maxRetries);
            return this;
        }

        /** How long {@link #close()} may take to send what is buffered. Default 30 s. */
        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout;
            return this;
        }

        /** Mapper used to serialise request/response/metadata values (e.g. one with the app's modules). */
        public Builder mapper(ObjectMapper mapper) {
            this.mapper = mapper;
            return this;
        }

        public InteractionLogger build() {
            return new InteractionLogger(this);
        }

        private static int positive(int value, String name) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return value;
        }
    }
}
