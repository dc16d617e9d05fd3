package dev.flywheel.core.dataset;

import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

/**
 * Formats dataset lines on a few threads and hands them to one writer in row order, so a file's bytes never depend
 * on the number of threads. Rows are formatted in batches, one task each, of at most {@value #BATCH_ROWS} rows and
 * about {@value #BATCH_BYTES} bytes of input; at most {@code 2 x threads} batches are formatted ahead of the writer,
 * which bounds the memory used to a few MB whatever the number of rows.
 */
final class ParallelLines {

    /** Rows per task: large enough that handing over costs nothing, small enough to keep the writer busy. */
    static final int BATCH_ROWS = 256;
    /**
     * Input bytes per task, so that a batch of large records stays small too. Small enough that a batch's buffer
     * stays under half a G1 region (512 KB at a 512 MB heap): larger arrays are "humongous", and allocating one
     * every few milliseconds started a concurrent GC cycle every two seconds.
     */
    static final int BATCH_BYTES = 256 << 10;

    /** Appends one row's line (without newline) to a buffer. A fresh one per batch: need not be thread-safe. */
    interface RowFormatter {
        void append(int row, AsciiBuffer line);
    }

    /** Receives the lines, in row order, on the calling thread. */
    interface LineSink {
        void line(byte[] bytes, int offset, int length);
    }

    private final ExecutorService executor;
    private final int maxBatchesAhead;

    /**
     * @param executor where batches are formatted; null formats on the calling thread
     * @param threads  the executor's threads (sets how far formatting runs ahead of the writer)
     */
    ParallelLines(ExecutorService executor, int threads) {
        this.executor = executor;
        this.maxBatchesAhead = 2 * Math.max(1, threads);
    }

    /**
     * Formats {@code rows} and hands each line to {@code sink} in row order.
     *
     * @param rowBytes the size of a row's input (its spooled record), to size batches
     */
    void write(int[] rows, IntUnaryOperator rowBytes, Supplier<RowFormatter> formatters, LineSink sink) {
        RowFormatter sameThread = executor == null ? formatters.get() : null;
        ArrayDeque<Future<Batch>> ahead = new ArrayDeque<>();
        int next = 0;
        try {
            while (next < rows.length || !ahead.isEmpty()) {
                while (next < rows.length && (sameThread != null ? ahead.isEmpty() : ahead.size() < maxBatchesAhead)) {
                    int from = next;
                    long bytes = 0;
                    do {
                        bytes += rowBytes.applyAsInt(rows[next++]);
                    } while (next < rows.length && next - from < BATCH_ROWS && bytes < BATCH_BYTES);
                    int to = next;
                    int capacity = (int) Math.min(bytes + 64, BATCH_BYTES + 64);
                    ahead.add(sameThread != null
                            ? CompletableFuture.completedFuture(format(rows, from, to, capacity, sameThread))
                            : executor.submit(() -> format(rows, from, to, capacity, formatters.get())));
                }
                await(ahead.removeFirst()).writeTo(sink);
            }
        } finally {
            ahead.forEach(f -> f.cancel(true)); // only left on failure
        }
    }

    /** Lines of consecutive rows in one buffer. */
    private record Batch(AsciiBuffer text, int[] lineEnds) {
        void writeTo(LineSink sink) {
            int start = 0;
            for (int end : lineEnds) {
                sink.line(text.array(), start, end - start);
                start = end;
            }
        }
    }

    private static Batch format(int[] rows, int from, int to, int capacity, RowFormatter formatter) {
        AsciiBuffer text = new AsciiBuffer(capacity);
        int[] ends = new int[to - from];
        for (int i = from; i < to; i++) {
            formatter.append(rows[i], text);
            ends[i - from] = text.length();
        }
        return new Batch(text, ends);
    }

    private static Batch await(Future<Batch> batch) {
        try {
            return batch.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while writing a dataset file");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("formatting a dataset line failed", cause);
        }
    }
}
