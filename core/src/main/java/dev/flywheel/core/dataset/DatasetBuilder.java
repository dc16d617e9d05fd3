package dev.flywheel.core.dataset;

import dev.flywheel.api.v1.JobConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Turns a stream of production log records into the reference's evaluation, ICL and training datasets with
 * memory that does not grow with record content.
 *
 * <p>Usage: {@code builder(config, seed, workDir)...start()}, then {@link #accept} every exported record in
 * export order (newest first), then {@link #build()} once. First pass ({@code accept}): each record is validated
 * (one streaming parse; a tree only for odd records) and reduced to a fixed-size row in a {@link RecordIndex};
 * format-valid raw bytes are appended to a spool file in {@code workDir}. {@code build}: count checks, workload
 * decision, tool-calling filter, dedup, seeded sample, splits and ICL selection all run on the compact rows; a
 * second pass reads only the chosen records back by offset to write the files. The reference's order of rules is
 * kept throughout (anchor §5.4–5.7).
 *
 * <p>Not thread-safe: one exporter feeds one builder. {@code build()} formats the training lines on a few threads of
 * its own ({@link Builder#formatThreads}), ended before it returns.
 */
public final class DatasetBuilder implements AutoCloseable {

    /** Options with the reference's behaviour as defaults. */
    public static final class Builder {
        private final JobConfig config;
        private final long seed;
        private final Path workDir;
        private int maxToolParameters = 8;
        private int maxRecordBytes = 8 << 20;
        private double toolCallingThreshold = WorkloadClassifier.DEFAULT_THRESHOLD;
        private int formatThreads = Math.min(4, Runtime.getRuntime().availableProcessors());
        private final Map<String, IclCandidateProvider.Factory> iclProviders = new LinkedHashMap<>();

        private Builder(JobConfig config, long seed, Path workDir) {
            this.config = Objects.requireNonNull(config, "config");
            this.seed = seed;
            this.workDir = Objects.requireNonNull(workDir, "workDir");
            iclProviders.put(IclSettings.UNIFORM, UniformCandidateProvider.FACTORY);
        }

        /** The reference's NIM workaround: tools with more parameter properties are invalid (default 8). */
        public Builder maxToolParameters(int max) {
            this.maxToolParameters = max;
            return this;
        }

        /** Turns the tool-parameter rule off. */
        public Builder noToolParameterLimit() {
            return maxToolParameters(Integer.MAX_VALUE);
        }

        /** Records larger than this are counted invalid without being parsed (default 8 MiB). */
        public Builder maxRecordBytes(int max) {
            this.maxRecordBytes = max;
            return this;
        }

        /** Share of format-valid records with tool calls from which a workload is tool-calling (default 0.5). */
        public Builder toolCallingThreshold(double threshold) {
            this.toolCallingThreshold = threshold;
            return this;
        }

        /**
         * Threads that format the training and validation lines in {@link #build()} (default: the processors, at
         * most 4; 1 formats on the calling thread). The files are the same whatever the number.
         */
        public Builder formatThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("formatThreads must be at least 1, was " + threads);
            }
            this.formatThreads = threads;
            return this;
        }

        /** Registers an ICL strategy by its {@code example_selection} name, e.g. {@code semantic_similarity}. */
        public Builder iclProvider(String exampleSelection, IclCandidateProvider.Factory factory) {
            iclProviders.put(exampleSelection, factory);
            return this;
        }

        /** Creates the work directory and the spool; the builder is then ready for {@link #accept}. */
        public DatasetBuilder start() {
            return new DatasetBuilder(this);
        }
    }

    private final SplitSettings split;
    private final IclSettings icl;
    private final long seed;
    private final Path workDir;
    private final double toolCallingThreshold;
    private final int formatThreads;
    private final Map<String, IclCandidateProvider.Factory> iclProviders;
    private final RecordInspector inspector;
    private final Spool spool;
    private final RecordIndex index = new RecordIndex();
    private final LabelDictionary labels = new LabelDictionary();
    private final IntakeStats intake = new IntakeStats();
    private long toolCallRecords;
    private boolean built;

    public static Builder builder(JobConfig config, long seed, Path workDir) {
        return new Builder(config, seed, workDir);
    }

    private DatasetBuilder(Builder b) {
        this.split = SplitSettings.from(b.config.getDataSplitConfig());
        this.icl = IclSettings.from(b.config.getIclConfig());
        this.seed = b.seed;
        this.workDir = b.workDir;
        this.toolCallingThreshold = b.toolCallingThreshold;
        this.formatThreads = b.formatThreads;
        this.iclProviders = Map.copyOf(b.iclProviders);
        this.inspector = new RecordInspector(b.maxRecordBytes, b.maxToolParameters, split.parseFunctionArguments());
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + workDir, e);
        }
        this.spool = new Spool(workDir.resolve("records.spool"));
    }

    /** Takes one exported record (a JSON log document, UTF-8). Bad records are counted, never thrown. */
    public void accept(byte[] rawJson) {
        if (built) {
            throw new IllegalStateException("build() was already called");
        }
        int fetchPosition = intake.arrived();
        RecordFacts facts = inspector.inspect(rawJson);
        if (!facts.isValid()) {
            intake.rejected(facts.invalid());
            return;
        }
        intake.accepted(facts);
        if (facts.toolCallsInFirstChoice()) {
            toolCallRecords++;
        }
        long offset = spool.append(rawJson);
        index.add(offset, rawJson.length, fetchPosition, labels.idOf(facts.toolLabel()), facts);
    }

    /** Takes one exported record as text. */
    public void accept(String rawJson) {
        accept(rawJson.getBytes(StandardCharsets.UTF_8));
    }

    /** Records accepted so far (valid or not). */
    public long fetchedCount() {
        return intake.fetched();
    }

    /** Heap bytes held by the per-record index: the only structure that grows with the number of records. */
    public long indexHeapBytes() {
        return index.allocatedBytes();
    }

    /**
     * Runs every rule and writes the datasets under {@code workDir}. Throws
     * {@link dev.flywheel.core.error.FlywheelException} (FAILED_PRECONDITION) when there are too few records.
     */
    public DatasetResult build() {
        if (built) {
            throw new IllegalStateException("build() was already called");
        }
        built = true;
        try {
            spool.finishWriting();
            return runRules();
        } finally {
            spool.close();
        }
    }

    private DatasetResult runRules() {
        CountChecks.beforeValidation(intake.fetched(), split);

        long formatValid = index.size();
        WorkloadClassifier.Decision decision = WorkloadClassifier.decide(toolCallRecords, formatValid,
                toolCallingThreshold);
        WorkloadType workload = decision.type();
        RecordSelection.Survivors survivors = RecordSelection.select(index, workload);
        CountChecks.afterDedup(survivors.rows().length, split, intake, formatValid, survivors, workload);

        int[] sampled = Sampler.sample(survivors.rows(), split.limit(), SeededRandom.forStage(seed, "sample"));
        StratifiedSplitter.Result evalSplit = StratifiedSplitter.split(sampled, index::label, split.evalSize(),
                SeededRandom.forStage(seed, "eval-split"));
        int[] rest = evalSplit.rest();
        int valCount = (int) Math.ceil(split.valRatio() * rest.length);
        StratifiedSplitter.Result trainVal = StratifiedSplitter.split(rest, index::label, valCount,
                SeededRandom.forStage(seed, "train-val-split"));
        int[] evalRows = evalSplit.test();
        int[] valRows = trainVal.test();
        int[] trainRows = trainVal.rest();

        List<String> warnings = new ArrayList<>();
        RecordFormatter formatter = new RecordFormatter(workload, split.parseFunctionArguments());
        SpooledRecords records = new SpooledRecords(spool, index, labels, formatter);
        IclPool pool = records.pool(trainRows);
        String selection = iclSelection(warnings);
        IclCandidateProvider provider = iclProviders.get(selection).create(pool, workload, icl, seed);
        DatasetWriter.Written written;
        ExecutorService formatPool = formatThreads > 1 ? Executors.newFixedThreadPool(formatThreads, r -> {
            Thread t = new Thread(r, "flywheel-dataset-format");
            t.setDaemon(true);
            return t;
        }) : null;
        try {
            written = new DatasetWriter(workDir, records, formatter, new ParallelLines(formatPool, formatThreads))
                    .write(evalRows, trainRows, valRows, provider, new IclInjector(pool, workload, icl));
        } finally {
            if (formatPool != null) {
                formatPool.shutdownNow();
            }
        }

        if (trainRows.length == 0) {
            warnings.add("the train split is empty: eval_size took every sampled record");
        }
        long withExamples = written.assignments().stream().filter(a -> !a.exampleRecordIds().isEmpty()).count();
        long totalExamples = written.assignments().stream().mapToLong(a -> a.exampleRecordIds().size()).sum();
        DatasetManifest manifest = new DatasetManifest(
                DatasetManifest.FORMAT_VERSION, seed, split, icl,
                new DatasetManifest.Counts(intake.fetched(), intake.invalidTotal(), intake.invalidByReason(),
                        formatValid, survivors.filtered(), survivors.filteredByReason(), survivors.duplicates(),
                        survivors.rows().length, sampled.length, evalRows.length, trainRows.length, valRows.length),
                new DatasetManifest.Workload(workload.value(), decision.toolCallRecords(), decision.validRecords(),
                        decision.share(), decision.threshold()),
                new DatasetManifest.Splits(method(evalSplit), evalSplit.classes(), method(trainVal),
                        trainVal.classes()),
                labelCounts(sampled, evalRows, trainRows, valRows),
                intake.timestamps(),
                new DatasetManifest.IclSummary(icl.exampleSelection(), selection, trainRows.length, withExamples,
                        totalExamples, written.assignments()),
                written.files(), warnings);
        return new DatasetResult(written.files(), manifest, ManifestFile.write(workDir, manifest));
    }

    /** Deletes the spool (build() also does); the written dataset files stay. */
    @Override
    public void close() {
        spool.close();
    }

    private String iclSelection(List<String> warnings) {
        String requested = icl.exampleSelection();
        if (iclProviders.containsKey(requested)) {
            return requested;
        }
        warnings.add("example_selection '" + requested + "' has no provider here; used "
                + IclSettings.UNIFORM + " instead");
        return IclSettings.UNIFORM;
    }

    private static String method(StratifiedSplitter.Result result) {
        return result.method() == StratifiedSplitter.Method.STRATIFIED ? "stratified" : "random";
    }

    private Map<String, Map<String, Long>> labelCounts(int[] sampled, int[] eval, int[] train, int[] val) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        out.put("sampled", countLabels(sampled));
        out.put("eval", countLabels(eval));
        out.put("train", countLabels(train));
        out.put("validation", countLabels(val));
        return out;
    }

    private Map<String, Long> countLabels(int[] rows) {
        Map<String, Long> counts = new TreeMap<>();
        for (int row : rows) {
            counts.merge(labels.name(index.label(row)), 1L, Long::sum);
        }
        return counts;
    }
}
