package dev.flywheel.clients.logs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.elasticsearch.client.RestClient;

/**
 * Bulk-loads a JSONL file of log records or bare conversations into the log index (see {@link LogLineConverter}
 * for the accepted shapes), like the reference's {@code load_test_data.py}: puts the index template, sends
 * batches of {@link Options#batchSize()} documents with up to two bulk requests in flight, refreshes at the end, and
 * counts every line that could not be loaded with its reason instead of stopping. Progress (bytes of the file) is
 * drawn on {@link Options#progress()} when given.
 */
public final class LogLoader {

    static final int MAX_EXAMPLES = 20;
    private static final int IN_FLIGHT = 2;

    /**
     * @param clientId   overrides every line's {@code client_id} (null: keep the line's)
     * @param workloadId overrides every line's {@code workload_id} (null: keep the line's)
     * @param batchSize  documents per bulk request
     * @param progress   where to draw the progress bar; null for none
     */
    public record Options(String clientId, String workloadId, int batchSize, PrintStream progress) {
        public static Options defaults() {
            return new Options(null, null, 1000, null);
        }

        public Options withIds(String clientId, String workloadId) {
            return new Options(clientId, workloadId, batchSize, progress);
        }

        public Options withProgress(PrintStream progress) {
            return new Options(clientId, workloadId, batchSize, progress);
        }
    }

    private final RestClient client;
    private final LogIndex index;
    private final ObjectMapper mapper = new ObjectMapper();

    public LogLoader(RestClient client, String indexName) {
        this.client = client;
        this.index = new LogIndex(client, indexName);
    }

    /**
     * Loads {@code file}. Fails (exceptionally) only when Elasticsearch cannot be used at all or the file cannot be
     * read; bad lines are in the report.
     */
    public LoadReport load(Path file, Options options) throws IOException {
        long start = System.nanoTime();
        index.ensureTemplate().join();
        Run run = new Run(new LogLineConverter(mapper, options.clientId(), options.workloadId(),
                System.currentTimeMillis()), new BulkWriter(client, index.name()), options.batchSize());
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             ProgressBar bar = progressBar(options.progress(), Files.size(file))) {
            String line;
            while ((line = reader.readLine()) != null) {
                run.line(line);
                if (bar != null) {
                    bar.stepBy(line.getBytes(StandardCharsets.UTF_8).length + 1L);
                    bar.setExtraMessage(String.format(" indexed %,d rejected %,d", run.indexed, run.rejectedCount()));
                }
            }
            run.finish();
            if (bar != null) {
                bar.stepTo(bar.getMax());
                bar.setExtraMessage(String.format(" indexed %,d rejected %,d", run.indexed, run.rejectedCount()));
            }
        }
        index.refresh().join();
        return run.report(Duration.ofNanos(System.nanoTime() - start));
    }

    private static ProgressBar progressBar(PrintStream out, long bytes) {
        if (out == null) {
            return null;
        }
        // a fixed width unless on a terminal: jline's width probe misbehaves on pipes and in tests
        ConsoleProgressBarConsumer consumer = System.console() != null ? new ConsoleProgressBarConsumer(out)
                : new ConsoleProgressBarConsumer(out, 100);
        return new ProgressBarBuilder().setTaskName("Loading").setInitialMax(Math.max(bytes, 1))
                .setUnit("MB", 1L << 20).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                .setConsumer(consumer).showSpeed().build();
    }

    /** The state of one load: converts lines, batches documents, keeps the counters (caller thread only). */
    private static final class Run {
        private final LogLineConverter converter;
        private final BulkWriter writer;
        private final int batchSize;
        private final Deque<Pending> inFlight = new ArrayDeque<>();
        private List<byte[]> batch = new ArrayList<>();
        private List<Long> batchLines = new ArrayList<>();
        private long lineNumber;
        private long lines;
        private long indexed;
        private long logRecords;
        private long conversations;
        private final Map<Timestamps.Unit, Long> units = new EnumMap<>(Timestamps.Unit.class);
        private final Map<String, Long> rejected = new LinkedHashMap<>();
        private final List<LoadReport.Rejection> examples = new ArrayList<>();

        private record Pending(CompletableFuture<BulkWriter.Result> result, List<Long> lineNumbers) {
        }

        Run(LogLineConverter converter, BulkWriter writer, int batchSize) {
            this.converter = converter;
            this.writer = writer;
            this.batchSize = batchSize;
        }

        void line(String line) {
            lineNumber++;
            if (line.isBlank()) {
                return;
            }
            lines++;
            LogLineConverter.Result result = converter.convert(line);
            if (result instanceof LogLineConverter.Rejected r) {
                reject(lineNumber, r.reason(), r.detail());
                return;
            }
            LogLineConverter.Converted c = (LogLineConverter.Converted) result;
            if (c.conversation()) {
                conversations++;
            } else {
                logRecords++;
            }
            if (c.unit() != null) {
                units.merge(c.unit(), 1L, Long::sum);
            }
            batch.add(c.document());
            batchLines.add(lineNumber);
            if (batch.size() >= batchSize) {
                send();
            }
        }

        void finish() {
            if (!batch.isEmpty()) {
                send();
            }
            while (!inFlight.isEmpty()) {
                settle(inFlight.removeFirst());
            }
        }

        private void send() {
            // bounded pipelining: ES indexes one batch while we parse the next
            if (inFlight.size() >= IN_FLIGHT) {
                settle(inFlight.removeFirst());
            }
            inFlight.addLast(new Pending(writer.send(batch), batchLines));
            batch = new ArrayList<>(batchSize);
            batchLines = new ArrayList<>(batchSize);
        }

        private void settle(Pending pending) {
            BulkWriter.Result result = pending.result().join(); // a failed request is fatal: ES is unusable
            indexed += result.indexed();
            for (BulkWriter.ItemFailure f : result.failures()) {
                String type = f.reason().contains(":") ? f.reason().substring(0, f.reason().indexOf(':')) : f.reason();
                reject(pending.lineNumbers().get(f.position()), "refused by Elasticsearch: " + type, f.reason());
            }
        }

        private void reject(long line, String reason, String detail) {
            rejected.merge(reason, 1L, Long::sum);
            if (examples.size() < MAX_EXAMPLES) {
                examples.add(new LoadReport.Rejection(line, reason, detail));
            }
        }

        long rejectedCount() {
            return rejected.values().stream().mapToLong(Long::longValue).sum();
        }

        LoadReport report(Duration elapsed) {
            return new LoadReport(lines, indexed, logRecords, conversations, Collections.unmodifiableMap(new EnumMap<>(units)),
                    Collections.unmodifiableMap(new LinkedHashMap<>(rejected)),
                    List.copyOf(examples), elapsed);
        }
    }
}
