package dev.flywheel.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200k records through the streaming pipeline. Heap-independent checks: the only per-record structure is the
 * primitive index (bytes per record bounded), and no builder-side field can hold parsed records or collections.
 */
class BoundedMemoryTest {

    @TempDir
    Path tmp;

    @Test
    void twoHundredThousandRecordsStayInACompactIndex() {
        int n = 200_000;
        long start = System.nanoTime();
        DatasetResult result;
        long indexBytes;
        try (DatasetBuilder builder = DatasetBuilder.builder(TestRecords.config(100, 0.1, 50, 20_000), 9, tmp).start()) {
            for (int i = 0; i < n; i++) {
                builder.accept(TestRecords.toolCall("q" + (i % 150_000), "tool" + (i % 7), "{\"i\": " + i + "}"));
            }
            indexBytes = builder.indexHeapBytes();
            result = builder.build();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("BoundedMemoryTest: %d records built in %d ms, index %d bytes (%.1f B/record)%n",
                n, millis, indexBytes, (double) indexBytes / n);

        assertThat(result.manifest().counts().duplicates()).isEqualTo(50_000);
        assertThat(result.manifest().counts().sampled()).isEqualTo(20_000);
        // Growable arrays are at most 1.5x their size; 36 bytes a row.
        assertThat((double) indexBytes / n).isLessThanOrEqualTo(RecordIndex.BYTES_PER_RECORD * 1.5 + 1);
    }

    @Test
    void noPerRecordObjectsAreHeldByTheStreamingClasses() {
        for (Class<?> type : new Class<?>[] {DatasetBuilder.class, RecordIndex.class, IntakeStats.class, Spool.class}) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                Class<?> t = field.getType();
                boolean collection = Collection.class.isAssignableFrom(t) || Object[].class.isAssignableFrom(t)
                        || JsonNode.class.isAssignableFrom(t);
                boolean allowedMap = Map.class.isAssignableFrom(t)
                        && (field.getName().equals("iclProviders") || field.getName().equals("invalid"));
                assertThat(collection).as(type.getSimpleName() + "." + field.getName()).isFalse();
                if (Map.class.isAssignableFrom(t)) {
                    assertThat(allowedMap).as(type.getSimpleName() + "." + field.getName()).isTrue();
                }
            }
        }
    }
}
