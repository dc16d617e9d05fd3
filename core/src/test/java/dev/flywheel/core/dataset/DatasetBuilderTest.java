package dev.flywheel.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.core.error.FlywheelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetBuilderTest {

    @TempDir
    Path tmp;

    private static final String[] TOOLS = {"search", "weather", "calendar"};

    /** 200 distinct tool-calling records over three tools, plus 1 odd record of every kind. */
    private static void toolWorkload(DatasetBuilder builder) {
        for (int i = 0; i < 200; i++) {
            builder.accept(TestRecords.toolCall("question " + i, TOOLS[i % 3], "{\"q\": \"" + i + "\"}"));
        }
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private DatasetResult build(JobConfig config, long seed, String dir, Consumer<DatasetBuilder> feed) {
        try (DatasetBuilder builder = DatasetBuilder.builder(config, seed, tmp.resolve(dir)).start()) {
            feed.accept(builder);
            return builder.build();
        }
    }

    @Test
    void buildsTheFourFilesWithCountsAndHashes() throws Exception {
        DatasetResult result = build(TestRecords.config(20, 0.1, 50, 150), 42, "a", DatasetBuilderTest::toolWorkload);
        DatasetManifest m = result.manifest();
        assertThat(m.workload().type()).isEqualTo("tool_calling");
        assertThat(m.counts().fetched()).isEqualTo(200);
        assertThat(m.counts().sampled()).isEqualTo(150);
        assertThat(m.counts().eval()).isEqualTo(20);
        assertThat(m.counts().validation()).isEqualTo(13); // ceil(0.1 * 130)
        assertThat(m.counts().train()).isEqualTo(117);
        assertThat(m.splits().evalMethod()).isEqualTo("stratified");
        assertThat(m.labels().get("eval")).containsOnlyKeys(TOOLS);
        assertThat(result.files()).extracting(f -> f.dataset() + ":" + f.path()).containsExactly(
                "eval:eval_data.jsonl", "icl:eval_data.jsonl", "train:training/train_data.jsonl",
                "train:validation/val_data.jsonl");
        for (DatasetFile file : result.files()) {
            byte[] bytes = Files.readAllBytes(file.localPath());
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
                    .isEqualTo(file.sha256());
            assertThat(bytes.length).isEqualTo(file.bytes());
            assertThat(bytes[bytes.length - 1]).as("no trailing newline").isNotEqualTo((byte) '\n');
            assertThat(new String(bytes, StandardCharsets.UTF_8).split("\n")).hasSize((int) file.records());
        }
        assertThat(Files.exists(result.manifestFile())).isTrue();
        assertThat(Files.exists(tmp.resolve("a/records.spool"))).as("spool deleted").isFalse();
    }

    @Test
    void sameSeedGivesIdenticalFilesDifferentSeedDoesNot() {
        DatasetResult a = build(TestRecords.config(20, 0.1, 50, 150), 7, "a", DatasetBuilderTest::toolWorkload);
        DatasetResult b = build(TestRecords.config(20, 0.1, 50, 150), 7, "b", DatasetBuilderTest::toolWorkload);
        DatasetResult c = build(TestRecords.config(20, 0.1, 50, 150), 8, "c", DatasetBuilderTest::toolWorkload);
        assertThat(a.files()).extracting(DatasetFile::sha256).containsExactlyElementsOf(
                b.files().stream().map(DatasetFile::sha256).toList());
        assertThat(readString(a.manifestFile())).isEqualTo(readString(b.manifestFile()));
        assertThat(a.files().get(0).sha256()).isNotEqualTo(c.files().get(0).sha256());
    }

    @Test
    void dedupKeepsTheFirstFetchedRecord() throws Exception {
        DatasetResult result = build(TestRecords.config(5, 0.0, 5, null), 1, "d", builder -> {
            builder.accept(TestRecords.generic("same question", "newest answer"));
            for (int i = 0; i < 10; i++) {
                builder.accept(TestRecords.generic("q" + i, "a"));
            }
            builder.accept(TestRecords.generic("same question", "older answer"));
        });
        assertThat(result.manifest().counts().duplicates()).isEqualTo(1);
        String all = Files.readString(result.file("eval", "eval_data.jsonl").localPath())
                + Files.readString(result.file("train", "training/train_data.jsonl").localPath());
        assertThat(all).contains("newest answer").doesNotContain("older answer");
    }

    @Test
    void unsetLimitUsesEverySurvivor() {
        DatasetResult result = build(TestRecords.config(10, 0.1, 50, null), 1, "l", DatasetBuilderTest::toolWorkload);
        assertThat(result.manifest().split().limit()).isNull();
        assertThat(result.manifest().counts().sampled()).isEqualTo(200);
    }

    @Test
    void oneStrayToolRecordKeepsTheWorkloadGeneric() {
        DatasetResult result = build(TestRecords.config(10, 0.1, 50, null), 1, "s", builder -> {
            builder.accept(TestRecords.toolCall("stray", "search", "{}"));
            for (int i = 0; i < 99; i++) {
                builder.accept(TestRecords.generic("q" + i, "a" + i));
            }
        });
        assertThat(result.manifest().workload().type()).isEqualTo("generic");
        assertThat(result.manifest().workload().toolCallRecords()).isEqualTo(1);
        assertThat(result.manifest().counts().sampled()).isEqualTo(100);
    }

    @Test
    void singletonLabelDoesNotCrashTheSplit() {
        DatasetResult result = build(TestRecords.config(10, 0.1, 50, null), 3, "x", builder -> {
            for (int i = 0; i < 60; i++) {
                builder.accept(TestRecords.toolCall("q" + i, i < 40 ? "search" : "weather", "{}"));
            }
            builder.accept(TestRecords.toolCall("lonely", "rare_tool", "{}"));
        });
        assertThat(result.manifest().counts().sampled()).isEqualTo(61);
        assertThat(result.manifest().splits().evalMethod()).isEqualTo("stratified");
    }

    @Test
    void oddRecordsAreCountedByReason() {
        DatasetResult result = build(TestRecords.config(10, 0.1, 50, null), 3, "o", builder -> {
            toolWorkload(builder);
            builder.accept("not json");
            builder.accept(new byte[] {(byte) 0xff, (byte) 0xfe});
            builder.accept("{\"request\": {\"messages\": []}, \"response\": {\"choices\": [{\"message\": {}}]}}");
            builder.accept(TestRecords.toolCall("bad args", "search", "{oops"));
            builder.accept(TestRecords.toolCall("null args", "search", "x").replace("\"x\"", "null"));
        });
        DatasetManifest.Counts counts = result.manifest().counts();
        assertThat(counts.fetched()).isEqualTo(205);
        assertThat(counts.invalidByReason()).containsEntry("malformed_json", 1L).containsEntry("not_utf8", 1L)
                .containsEntry("messages_empty", 1L);
        assertThat(counts.filteredByReason()).containsEntry("arguments_unparseable", 1L)
                .containsEntry("arguments_missing", 1L);
        assertThat(counts.afterDedup()).isEqualTo(200);
    }

    @Test
    void tooFewRecordsIsAFailedPreconditionWithCounts() {
        assertThatThrownBy(() -> build(TestRecords.config(5, 0.1, 50, null), 1, "f", builder -> {
            for (int i = 0; i < 30; i++) {
                builder.accept(TestRecords.generic("q" + i, "a"));
            }
        })).isInstanceOfSatisfying(FlywheelException.class, e -> {
            assertThat(e.kind()).isEqualTo(FlywheelException.Kind.FAILED_PRECONDITION);
            assertThat(e.getMessage()).contains("50").contains("30");
        });
        assertThatThrownBy(() -> build(TestRecords.config(5, 0.1, 50, null), 1, "g", builder -> {
            for (int i = 0; i < 60; i++) {
                builder.accept(TestRecords.generic("same", "a"));
            }
        })).isInstanceOfSatisfying(FlywheelException.class, e -> assertThat(e.getMessage())
                .contains("Insufficient valid records: 1 remain").contains("duplicates 59"));
    }

    @Test
    void iclLinesCarryRandomExamplesAndTheAssignmentIsRecorded() throws Exception {
        DatasetResult result = build(TestRecords.config(20, 0.1, 50, null), 11, "i", DatasetBuilderTest::toolWorkload);
        List<String> lines = Files.readAllLines(result.file("icl", "eval_data.jsonl").localPath());
        JsonNode first = DatasetJson.parse(lines.get(0));
        JsonNode system = first.get("request").get("messages").get(0);
        assertThat(system.get("role").asText()).isEqualTo("system");
        assertThat(system.get("content").asText()).startsWith(IclInjector.PREAMBLE + "\n\nFor example")
                .contains("Then you'll respond with:");
        DatasetManifest.IclSummary icl = result.manifest().iclSelection();
        assertThat(icl.selection()).isEqualTo("uniform_distribution");
        assertThat(icl.assignments()).hasSize(20)
                .allSatisfy(a -> assertThat(a.exampleRecordIds()).hasSize(3));
        // Seeded random, not "always the shortest": another seed picks other examples.
        DatasetResult other = build(TestRecords.config(20, 0.1, 50, null), 12, "j", DatasetBuilderTest::toolWorkload);
        assertThat(other.manifest().iclSelection().assignments().get(0).exampleRecordIds())
                .isNotEqualTo(icl.assignments().get(0).exampleRecordIds());
    }

    @Test
    void semanticSelectionWithoutAProviderFallsBackToUniformWithAWarning() {
        JobConfig config = TestRecords.config(10, 0.1, 50, null).toBuilder()
                .setIclConfig(TestRecords.config(10, 0.1, 50, null).getIclConfig().toBuilder()
                        .setExampleSelection("semantic_similarity")).build();
        DatasetResult result = build(config, 1, "sem", DatasetBuilderTest::toolWorkload);
        assertThat(result.manifest().iclSelection().selection()).isEqualTo("uniform_distribution");
        assertThat(result.manifest().warnings()).anyMatch(w -> w.contains("semantic_similarity"));
    }

    @Test
    void aPluggedProviderIsUsed() {
        JobConfig config = TestRecords.config(10, 0.1, 50, null).toBuilder()
                .setIclConfig(TestRecords.config(10, 0.1, 50, null).getIclConfig().toBuilder()
                        .setExampleSelection("semantic_similarity")).build();
        DatasetResult result;
        try (DatasetBuilder builder = DatasetBuilder.builder(config, 1, tmp.resolve("plug"))
                .iclProvider("semantic_similarity", (pool, workload, settings, seed) -> evalRecord -> List.of(0))
                .start()) {
            toolWorkload(builder);
            result = builder.build();
        }
        assertThat(result.manifest().iclSelection().assignments()).allSatisfy(a ->
                assertThat(a.exampleRecordIds()).hasSize(1));
    }
}
