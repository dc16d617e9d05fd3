package dev.flywheel.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelLinesTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(3);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private static List<String> collect(ParallelLines lines, int[] rows) {
        List<String> out = new ArrayList<>();
        lines.write(rows, row -> 100, () -> (row, line) -> line.append("row " + row),
                (bytes, offset, length) -> out.add(new String(bytes, offset, length, StandardCharsets.US_ASCII)));
        return out;
    }

    @Test
    void linesArriveInRowOrderWhateverTheThreads() {
        int[] rows = IntStream.range(0, 10 * ParallelLines.BATCH_ROWS + 7).map(i -> (i * 7919) % 100_003).toArray();
        List<String> expected = IntStream.of(rows).mapToObj(r -> "row " + r).toList();
        assertThat(collect(new ParallelLines(null, 1), rows)).isEqualTo(expected);
        assertThat(collect(new ParallelLines(pool, 3), rows)).isEqualTo(expected);
        assertThat(collect(new ParallelLines(pool, 3), new int[0])).isEmpty();
    }

    @Test
    void largeRowsMakeSmallBatches() {
        int[] rows = IntStream.range(0, 50).toArray();
        AtomicInteger largestBatch = new AtomicInteger();
        // A formatter serves one batch, so the rows it sees are that batch's.
        Supplier<ParallelLines.RowFormatter> countingFormatters = () -> new ParallelLines.RowFormatter() {
            private int rowsSeen;

            @Override
            public void append(int row, AsciiBuffer line) {
                largestBatch.accumulateAndGet(++rowsSeen, Math::max);
            }
        };
        new ParallelLines(pool, 3).write(rows, row -> ParallelLines.BATCH_BYTES / 4, countingFormatters,
                (bytes, offset, length) -> { });
        assertThat(largestBatch.get()).isEqualTo(4);
    }

    @Test
    void aFormattingFailureReachesTheWriter() {
        int[] rows = IntStream.range(0, 5_000).toArray();
        ParallelLines lines = new ParallelLines(pool, 3);
        assertThatThrownBy(() -> lines.write(rows, row -> 100, () -> (row, line) -> {
            if (row == 3_000) {
                throw new IllegalStateException("spool damaged at row " + row);
            }
            line.append("x");
        }, (bytes, offset, length) -> { })).isInstanceOf(IllegalStateException.class).hasMessageContaining("3000");
    }
}
