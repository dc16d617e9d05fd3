package dev.flywheel.clients.logs.bench;

import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.dataset.DatasetBuilder;
import dev.flywheel.core.dataset.DatasetResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The dataset stage for {@code ExportBenchmark -Dbench.pipeline=...}: every exported record goes through
 * validate → dedup; {@link #close()} samples, splits and writes the JSONL files (limit = 1,000,000, uniform
 * ICL), so the benchmark measures export → files without the upload.
 */
public final class DatasetStage implements Consumer<byte[]>, AutoCloseable {

    private final Path workDir;
    private final DatasetBuilder builder;
    private long firstRecordNanos;

    public DatasetStage() throws IOException {
        workDir = Files.createTempDirectory("flywheel-bench-dataset");
        JobConfig config = JobConfigs.builtInDefaults().toBuilder()
                .setDataSplitConfig(JobConfigs.builtInDefaults().getDataSplitConfig().toBuilder().setLimit(1_000_000))
                .setIclConfig(JobConfigs.builtInDefaults().getIclConfig().toBuilder().setExampleSelection("uniform_distribution"))
                .build();
        builder = DatasetBuilder.builder(config, 1, workDir).start();
    }

    @Override
    public void accept(byte[] record) {
        if (firstRecordNanos == 0) {
            firstRecordNanos = System.nanoTime();
        }
        builder.accept(record);
    }

    @Override
    public void close() throws IOException {
        long buildStart = System.nanoTime();
        DatasetResult result = builder.build();
        long buildEnd = System.nanoTime();
        var c = result.manifest().counts();
        // Where the pipeline's time goes: the export with the first pass, then build() (sample, split, files).
        System.out.printf("  dataset stage: first record to build() %.1f s, build() %.1f s%n",
                (buildStart - firstRecordNanos) / 1e9, (buildEnd - buildStart) / 1e9);
        System.out.printf("  dataset stage: %s; index heap %d MB%n", c, builder.indexHeapBytes() >> 20);
        try (Stream<Path> files = Files.walk(workDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

}
