package dev.flywheel.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training and validation files written by the streaming, multi-threaded route hold exactly the lines the tree
 * route gives for the chosen records, and do not depend on the number of threads.
 */
class TrainingFilesTest {

    @TempDir
    Path tmp;

    /** Valid tool-calling records of many shapes, some with repeated keys (tree route), plus hostile ones. */
    private static List<byte[]> records() {
        List<byte[]> records = new ArrayList<>();
        String[] tools = {"search", "weather", "calendar", "caf\u00e9"};
        for (int i = 0; i < 3_000; i++) {
            String record = TestRecords.toolCall("question \u00fc " + i, tools[i % tools.length],
                    "{\"q\": " + (i % 3 == 0 ? "1.5e-7" : "\"" + i + "\"") + ", \"n\": " + i + "}");
            if (i % 50 == 0) {
                record = record.replace("\"model\": \"m\"", "\"model\": \"m\", \"model\": \"n\"");
            }
            if (i % 7 == 0) {
                record = record.replace("\"messages\": [", "\"messages\": [{\"role\": \"assistant\", "
                        + "\"content\": null}, ");
            }
            records.add(record.getBytes(StandardCharsets.UTF_8));
        }
        HostileRecords hostile = new HostileRecords(99);
        for (int i = 0; i < 1_500; i++) {
            records.add(hostile.next());
        }
        return records;
    }

    private DatasetResult build(String dir, int threads, List<byte[]> records) {
        try (DatasetBuilder builder = DatasetBuilder.builder(TestRecords.config(50, 0.1, 50, null), 5,
                tmp.resolve(dir)).formatThreads(threads).start()) {
            records.forEach(builder::accept);
            return builder.build();
        }
    }

    @Test
    void filesHoldTheTreeRoutesLinesAndDoNotDependOnThreads() throws Exception {
        List<byte[]> records = records();
        DatasetResult one = build("one", 1, records);
        DatasetResult three = build("three", 3, records);
        assertThat(one.manifest().workload().type()).isEqualTo("tool_calling");
        assertThat(three.files()).extracting(DatasetFile::sha256)
                .containsExactlyElementsOf(one.files().stream().map(DatasetFile::sha256).toList());

        RecordFormatter formatter = new RecordFormatter(WorkloadType.TOOL_CALLING, true);
        Set<String> treeLines = new HashSet<>();
        for (byte[] record : records) {
            String line = StreamingTrainingLinesTest.treeLine(formatter, record);
            if (line != null) {
                treeLines.add(line);
            }
        }
        long checked = 0;
        for (String path : List.of("training/train_data.jsonl", "validation/val_data.jsonl")) {
            List<String> lines = Files.readAllLines(three.file("train", path).localPath());
            assertThat(lines).hasSize((int) three.file("train", path).records());
            for (String line : lines) {
                assertThat(treeLines).as("a line the tree route gives").contains(line);
            }
            checked += lines.size();
        }
        assertThat(checked).isGreaterThan(2_500);
    }
}
