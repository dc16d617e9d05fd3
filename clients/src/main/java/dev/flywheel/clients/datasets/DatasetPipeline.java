package dev.flywheel.clients.datasets;

import dev.flywheel.api.v1.IclConfig;
import dev.flywheel.clients.logs.ExportQuery;
import dev.flywheel.clients.logs.ExportSummary;
import dev.flywheel.clients.logs.LogExporter;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.clients.nemo.NemoNames;
import dev.flywheel.clients.nemo.NimProxyClient;
import dev.flywheel.core.dataset.DatasetBuilder;
import dev.flywheel.core.dataset.DatasetResult;
import dev.flywheel.core.dataset.IclCandidateProvider;
import dev.flywheel.core.dataset.IclSettings;
import dev.flywheel.core.dataset.SplitSettings;
import dev.flywheel.core.error.FlywheelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dataset step of a job: production logs in Elasticsearch → the reference's evaluation, ICL and training
 * datasets, published to NeMo (anchor §5, §6.1–6.2).
 *
 * <ol>
 *   <li><b>Export</b> the job's {@code client_id} + {@code workload_id} records within the window, newest first,
 *       capped at {@code 2 x limit} (or the job's cap), with {@link LogExporter}.</li>
 *   <li><b>Build</b>: every exported record is fed to a {@link DatasetBuilder} as it arrives; {@code build()} then
 *       validates, filters, dedups, samples, splits, selects ICL examples and writes the four JSONL files and the
 *       manifest into a temporary work directory. Too few records fail here with
 *       {@link FlywheelException.Kind#FAILED_PRECONDITION} and the counts — before anything is created in NeMo.</li>
 *   <li><b>Publish</b> with {@link DatasetPublisher}: namespaces, one Data Store repo per dataset under its
 *       deterministic name, the files, the Entity Store registrations — all adopt-or-create and skip-if-identical,
 *       so running the step again for the same job (a resume) creates and uploads nothing twice.</li>
 * </ol>
 *
 * <p>Threads: {@link #run} returns at once. Each run gets one dataset thread of its own: the exporter calls the
 * consumer there (it parses pages and requests the next ones on a thread of its own, so validating one page overlaps
 * fetching the next), so the (not thread-safe) builder is only ever touched by that one thread; {@code build()} runs
 * there too (formatting the training lines on a few short-lived threads of its own), and may block — the
 * {@code semantic_similarity} provider waits for embedding and kNN calls, whose futures complete on the HTTP
 * clients' I/O threads, never on the dataset thread. Publishing is asynchronous; only file reads hop back to the
 * dataset thread. The work directory is deleted and the thread ended when the run completes, successfully or not.
 *
 * <p>The returned future fails with the cause itself (wrapped only in the usual {@code CompletionException} by
 * {@code join}): a {@link FlywheelException} for precondition failures, a
 * {@link dev.flywheel.clients.nemo.NemoException} for platform failures, an Elasticsearch exception for export
 * failures. Cancelling it stops the export.
 */
public final class DatasetPipeline {

    private static final Logger log = LoggerFactory.getLogger(DatasetPipeline.class);

    private final RestClient elasticsearch;
    private final LogExporter exporter;
    private final NemoClients nemo;
    private final Path workRoot;
    private final Clock clock;
    private final Map<String, String> env;
    private final NimProxyClient embedderOverride;
    private final int pageSize;
    private final Map<String, IclCandidateProvider.Factory> extraProviders;

    private DatasetPipeline(Builder b) {
        this.elasticsearch = b.elasticsearch;
        this.exporter = new LogExporter(b.elasticsearch, b.logIndex);
        this.nemo = b.nemo;
        this.workRoot = b.workRoot;
        this.clock = b.clock;
        this.env = Map.copyOf(b.env);
        this.embedderOverride = b.embedder;
        this.pageSize = b.pageSize;
        this.extraProviders = Map.copyOf(b.providers);
    }

    /**
     * @param elasticsearch the log cluster (also hosts the temporary ICL kNN index)
     * @param logIndex      the log index, e.g. {@code flywheel}
     * @param nemo          the job's NeMo clients; their namespace is {@code nmp_namespace}
     */
    public static Builder builder(RestClient elasticsearch, String logIndex, NemoClients nemo) {
        return new Builder(elasticsearch, logIndex, nemo);
    }

    /** Options; defaults suit production. */
    public static final class Builder {
        private final RestClient elasticsearch;
        private final String logIndex;
        private final NemoClients nemo;
        private Path workRoot = Path.of(System.getProperty("java.io.tmpdir"));
        private Clock clock = Clock.systemUTC();
        private Map<String, String> env = System.getenv();
        private NimProxyClient embedder;
        private int pageSize = ExportQuery.DEFAULT_PAGE_SIZE;
        private final Map<String, IclCandidateProvider.Factory> providers = new LinkedHashMap<>();

        private Builder(RestClient elasticsearch, String logIndex, NemoClients nemo) {
            this.elasticsearch = Objects.requireNonNull(elasticsearch, "elasticsearch");
            this.logIndex = Objects.requireNonNull(logIndex, "logIndex");
            this.nemo = Objects.requireNonNull(nemo, "nemo");
        }

        /** Where per-run work directories are made (default: the system temp directory). */
        public Builder workRoot(Path workRoot) {
            this.workRoot = Objects.requireNonNull(workRoot);
            return this;
        }

        /** The clock that fixes an open window's end (default UTC system clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** Where {@code EMB_API_KEY} / {@code NVIDIA_API_KEY} for remote embedding endpoints are read. */
        public Builder environment(Map<String, String> env) {
            this.env = Objects.requireNonNull(env);
            return this;
        }

        /** Uses this embeddings endpoint instead of the one {@code embedding_nim_config} names. */
        public Builder embeddings(NimProxyClient embedder) {
            this.embedder = embedder;
            return this;
        }

        /** Hits per export page (default {@link ExportQuery#DEFAULT_PAGE_SIZE}). */
        public Builder pageSize(int pageSize) {
            this.pageSize = pageSize;
            return this;
        }

        /** An additional ICL strategy by {@code example_selection} name. */
        public Builder iclProvider(String exampleSelection, IclCandidateProvider.Factory factory) {
            providers.put(exampleSelection, factory);
            return this;
        }

        public DatasetPipeline build() {
            return new DatasetPipeline(this);
        }
    }

    /** Runs the dataset step for one job. */
    public CompletableFuture<DatasetOutcome> run(DatasetJob job) {
        return new Run(job).start();
    }

    /** The export query of a job: its ids, the window with {@code to} fixed, the cap. */
    ExportQuery query(DatasetJob job, Instant to) {
        ExportQuery.Builder q = ExportQuery.builder(job.clientId(), job.workloadId())
                .window(job.from(), to).pageSize(pageSize);
        Integer limit = SplitSettings.from(job.config().getDataSplitConfig()).limit();
        if (job.maxRecords() != null) {
            q.maxRecords(job.maxRecords());
        } else if (limit != null && limit > 0) {
            q.limit(limit);
        }
        return q.build();
    }

    /** One run; each stage hands over to the next, so fields are written by one stage at a time. */
    private final class Run {
        private final DatasetJob job;
        private final String tag;
        private final Instant to;
        private final ExecutorService thread;
        private final CompletableFuture<DatasetOutcome> result = new CompletableFuture<>();
        private volatile CompletableFuture<ExportSummary> export;
        private volatile Path workDir;
        private volatile DatasetBuilder builder;
        private volatile SemanticSimilarityIcl semantic;
        private volatile ExportSummary summary;
        private volatile DatasetResult built;

        Run(DatasetJob job) {
            this.job = job;
            this.tag = NemoNames.jobTag(job.jobId());
            this.to = job.to() != null ? job.to() : clock.instant();
            this.thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "flywheel-dataset-" + tag);
                t.setDaemon(true);
                return t;
            });
        }

        CompletableFuture<DatasetOutcome> start() {
            ExportQuery query = query(job, to);
            CompletableFuture.runAsync(this::prepare, thread)
                    .thenCompose(v -> {
                        export = exporter.export(query, bytes -> builder.accept(bytes), thread);
                        return export;
                    })
                    .thenApplyAsync(this::buildDatasets, thread)
                    .thenCompose(files -> new DatasetPublisher(nemo, thread).publish(job.jobId(), job.attempt(),
                            description(), files.files()))
                    .whenCompleteAsync((datasets, error) -> {
                        cleanUp();
                        if (error != null) {
                            log.warn("dataset step of job {} failed: {}", job.jobId(),
                                    String.valueOf(EsRequests.unwrap(error)));
                            result.completeExceptionally(EsRequests.unwrap(error));
                        } else {
                            DatasetOutcome outcome = new DatasetOutcome(nemo.namespace(), job.from(), to, summary,
                                    built.manifest(), datasets);
                            log.info("dataset step of job {}: {}; published {}{}", job.jobId(), summary.describe(),
                                    datasets.stream().map(d -> d.name() + " (" + d.records() + ")").toList(),
                                    outcome.unchanged() ? ", all already in place" : "");
                            result.complete(outcome);
                        }
                    }, thread)
                    .whenComplete((v, e) -> thread.shutdown());
            result.whenComplete((v, e) -> {
                CompletableFuture<ExportSummary> running = export;
                if (result.isCancelled() && running != null) {
                    running.cancel(false);
                }
            });
            return result;
        }

        /** Dataset thread: work directory, ICL strategies, builder. */
        private void prepare() {
            try {
                Files.createDirectories(workRoot);
                workDir = Files.createTempDirectory(workRoot, "flywheel-dataset-" + tag + "-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a work directory under " + workRoot, e);
            }
            DatasetBuilder.Builder b = DatasetBuilder.builder(job.config(), job.seed(), workDir);
            extraProviders.forEach(b::iclProvider);
            IclConfig icl = job.config().getIclConfig();
            if (IclSettings.from(icl).exampleSelection().equals(IclSettings.SEMANTIC)
                    && !extraProviders.containsKey(IclSettings.SEMANTIC)) {
                semantic = semanticProvider(icl);
                b.iclProvider(IclSettings.SEMANTIC, semantic);
            }
            builder = b.start();
        }

        private SemanticSimilarityIcl semanticProvider(IclConfig icl) {
            var similarity = icl.getSimilarityConfig();
            var embedding = similarity.getEmbeddingNimConfig();
            if (!embedding.hasModelName() || embedding.getModelName().isBlank()) {
                throw FlywheelException.invalid("icl_config.similarity_config.embedding_nim_config.model_name",
                        "is required for example_selection semantic_similarity");
            }
            double ratio = similarity.hasRelevanceRatio() ? similarity.getRelevanceRatio()
                    : SemanticSimilarityIcl.DEFAULT_RELEVANCE_RATIO;
            NimProxyClient embedder = embedderOverride != null ? embedderOverride
                    : SemanticSimilarityIcl.embeddingClient(nemo, embedding, env);
            return new SemanticSimilarityIcl(elasticsearch, embedder, embedding.getModelName(), ratio,
                    "flywheel-icl-knn-" + tag);
        }

        /** Dataset thread: the builder's second half; the kNN index is dropped whatever happens. */
        private DatasetResult buildDatasets(ExportSummary exported) {
            summary = exported;
            log.info("dataset step of job {}: {}", job.jobId(), exported.describe());
            try {
                built = builder.build();
                return built;
            } finally {
                if (semantic != null) {
                    semantic.close();
                    log.info("dataset step of job {}: semantic ICL {}", job.jobId(), semantic.stats());
                }
            }
        }

        private String description() {
            return "Flywheel dataset of job " + job.jobId() + " (client " + job.clientId() + ", workload "
                    + job.workloadId() + ")";
        }

        /** Dataset thread: builder closed (spool gone), kNN index dropped, work directory deleted. */
        private void cleanUp() {
            if (builder != null) {
                builder.close();
            }
            if (semantic != null) {
                semantic.close(); // no-op after buildDatasets; matters when the export failed before build()
            }
            if (workDir != null) {
                deleteTree(workDir);
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.warn("could not delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("could not delete the work directory {}: {}", root, e.toString());
        }
    }
}
