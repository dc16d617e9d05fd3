package dev.flywheel.clients.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.api.v1.EmbeddingConfig;
import dev.flywheel.clients.nemo.InferenceTypes.Embedding;
import dev.flywheel.clients.nemo.InferenceTypes.EmbeddingRequest;
import dev.flywheel.clients.nemo.InferenceTypes.EmbeddingResponse;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.clients.nemo.NimProxyClient;
import dev.flywheel.clients.nemo.Secret;
import dev.flywheel.core.dataset.IclCandidateProvider;
import dev.flywheel.core.dataset.IclPool;
import dev.flywheel.core.dataset.IclSettings;
import dev.flywheel.core.dataset.WorkloadType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code semantic_similarity} ICL example selection (anchor §5.7): ICL examples are the pool records whose last user
 * message is closest to the evaluation record's last user message, mixed with examples of other tools for coverage.
 *
 * <p>How: {@link #create} (called by {@code DatasetBuilder.build()} once the train split — the pool — is known)
 * embeds the last user message of every pool record through an OpenAI-compatible {@code /v1/embeddings} endpoint in
 * batches of {@value #EMBEDDING_BATCH} (like the reference) and bulk-loads the vectors into a fresh temporary
 * Elasticsearch index ({@link KnnIndex}). {@link IclCandidateProvider#candidatesFor} then embeds the evaluation
 * record's last user message and runs a top-level {@code knn} search: {@code k = max_examples} for generic workloads
 * (hits taken by score), {@code k = 5 x max_examples} for tool-calling ones, where {@link #select} applies the
 * reference's relevance/coverage mix with {@code relevance_ratio}. {@link #close()} drops every index this object
 * created; the dataset pipeline calls it after {@code build()}, whether the build succeeded or not.
 *
 * <p>Blocking, on purpose: {@link IclCandidateProvider} is synchronous and is called from inside
 * {@code DatasetBuilder.build()}, which decides the pool and the evaluation records itself, so nothing can be
 * precomputed before {@code build()} starts — the evaluation records are not known until the builder asks for them.
 * This class therefore waits for its HTTP calls. That is safe only off the I/O threads that complete those calls
 * (Armeria's event loops, the Elasticsearch client's reactor): the pipeline runs {@code build()} on its own dataset
 * thread, which is allowed to block. The cost is one embedding call and one kNN search per evaluation record
 * ({@code eval_size}, 100 by default), a few milliseconds each.
 *
 * <p>Both pool records and evaluation records are embedded with {@code input_type = query}, as the reference does:
 * the comparison is user message to user message (symmetric), not question to document; asymmetric models such as
 * {@code embedqa} reject requests without an input type. Texts are sent with {@code truncate = END} so that a long
 * user message is cut by the model instead of failing the request. Records without user text are not indexed and
 * such evaluation records get no examples.
 *
 * <p>Failures are not hidden: if an embedding or search call fails after the client's retries, the build fails (and
 * the index is still dropped), whereas the reference silently gave those records no examples. A resumed job simply
 * runs the dataset step again.
 *
 * <p>Not thread-safe: one instance per dataset build, used from the build thread.
 */
public final class SemanticSimilarityIcl implements IclCandidateProvider.Factory, AutoCloseable {

    /** Texts per embeddings request, as in the reference. */
    public static final int EMBEDDING_BATCH = 32;
    /** The {@code input_type} sent with every text. */
    public static final String INPUT_TYPE = "query";
    /** {@code relevance_ratio} when the job does not set it. */
    public static final double DEFAULT_RELEVANCE_RATIO = 0.7;

    private static final Logger log = LoggerFactory.getLogger(SemanticSimilarityIcl.class);
    private static final int BULK_DOCS = 128;
    private static final int MAX_KNN = 10_000; // Elasticsearch's limit on k and num_candidates

    /** What one build did; for logs and tests. */
    public record Stats(int poolRecords, int indexed, int poolWithoutText, int queries, int queriesWithoutText,
                        int embeddingRequests, List<String> indices) {
    }

    private final RestClient elasticsearch;
    private final NimProxyClient embedder;
    private final String model;
    private final double relevanceRatio;
    private final String indexPrefix;
    private final List<KnnIndex> indices = new ArrayList<>();
    private final Set<String> dropped = new HashSet<>();
    private int poolRecords;
    private int indexed;
    private int poolWithoutText;
    private int queries;
    private int queriesWithoutText;
    private int embeddingRequests;

    /**
     * @param elasticsearch  where the temporary index lives (the log cluster)
     * @param embedder       the embeddings endpoint ({@link #embeddingClient})
     * @param model          {@code embedding_nim_config.model_name}
     * @param relevanceRatio share of {@code max_examples} taken purely by similarity (tool-calling workloads)
     * @param indexPrefix    lower-case prefix of index names; a random suffix keeps concurrent builds apart
     */
    public SemanticSimilarityIcl(RestClient elasticsearch, NimProxyClient embedder, String model,
                                 double relevanceRatio, String indexPrefix) {
        this.elasticsearch = Objects.requireNonNull(elasticsearch, "elasticsearch");
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("an embedding model is required for semantic_similarity");
        }
        if (!(relevanceRatio >= 0 && relevanceRatio <= 1)) {
            throw new IllegalArgumentException("relevance_ratio must be in [0, 1]: " + relevanceRatio);
        }
        this.model = model;
        this.relevanceRatio = relevanceRatio;
        this.indexPrefix = Objects.requireNonNull(indexPrefix, "indexPrefix");
    }

    /**
     * The embeddings endpoint of {@code embedding_nim_config}: for {@code deployment_type: remote} the configured
     * full URL, called with the bearer key from {@code EMB_API_KEY} or else {@code NVIDIA_API_KEY} (as the
     * reference reads them; none is fine for keyless endpoints); otherwise the NIM proxy's {@code /v1/embeddings}.
     */
    public static NimProxyClient embeddingClient(NemoClients nemo, EmbeddingConfig config, Map<String, String> env) {
        if ("remote".equals(config.getDeploymentType()) && config.hasUrl() && !config.getUrl().isBlank()) {
            Optional<Secret> key = Secret.fromEnvironment("EMB_API_KEY", env)
                    .or(() -> Secret.fromEnvironment("NVIDIA_API_KEY", env));
            return nemo.remoteEndpoint(config.getUrl(), key.orElse(null));
        }
        return nemo.nimProxy();
    }

    @Override
    public IclCandidateProvider create(IclPool pool, WorkloadType workload, IclSettings settings, long seed) {
        int maxExamples = Math.max(0, settings.maxExamples());
        KnnIndex index = new KnnIndex(elasticsearch, indexPrefix + "-" + UUID.randomUUID().toString().substring(0, 8));
        boolean loaded = maxExamples > 0 && load(pool, index);
        return evalRecord -> loaded ? candidates(evalRecord, index, workload, maxExamples) : List.of();
    }

    /** Embeds and indexes the pool; false when there was nothing to index. */
    private boolean load(IclPool pool, KnnIndex index) {
        poolRecords += pool.size();
        PoolLoader loader = new PoolLoader(pool, index);
        for (int p = 0; p < pool.size(); p++) {
            String text = lastUserText(pool.record(p));
            if (text.isBlank()) {
                poolWithoutText++;
            } else {
                loader.add(p, text);
            }
        }
        return loader.finish();
    }

    /** Batches pool texts into embedding requests and vectors into bulk requests; creates the index on demand. */
    private final class PoolLoader {
        private final IclPool pool;
        private final KnnIndex index;
        private final List<Integer> positions = new ArrayList<>(EMBEDDING_BATCH);
        private final List<String> texts = new ArrayList<>(EMBEDDING_BATCH);
        private final List<KnnIndex.Doc> docs = new ArrayList<>(BULK_DOCS);
        private boolean created;

        PoolLoader(IclPool pool, KnnIndex index) {
            this.pool = pool;
            this.index = index;
        }

        void add(int position, String text) {
            positions.add(position);
            texts.add(text);
            if (texts.size() == EMBEDDING_BATCH) {
                embedBatch();
            }
        }

        boolean finish() {
            if (!texts.isEmpty()) {
                embedBatch();
            }
            if (!created) {
                return false;
            }
            await(index.bulk(docs));
            await(index.refresh());
            log.info("semantic ICL: indexed {} of {} pool records into {}", indexed, pool.size(), index.name());
            return indexed > 0;
        }

        private void embedBatch() {
            List<float[]> vectors = embed(texts);
            for (int i = 0; i < vectors.size(); i++) {
                float[] v = vectors.get(i);
                if (!created) {
                    // The vector size is known now. Registered before creating: close() must drop the index even
                    // if the create call fails after Elasticsearch made it.
                    indices.add(index);
                    await(index.create(v.length));
                    created = true;
                }
                if (isZero(v)) {
                    poolWithoutText++; // cosine is undefined for a zero vector; Elasticsearch would refuse it
                    continue;
                }
                int p = positions.get(i);
                docs.add(new KnnIndex.Doc(p, pool.recordId(p), pool.toolLabel(p), v));
                indexed++;
            }
            positions.clear();
            texts.clear();
            if (docs.size() >= BULK_DOCS) {
                await(index.bulk(List.copyOf(docs)));
                docs.clear();
            }
        }
    }

    private List<Integer> candidates(ObjectNode evalRecord, KnnIndex index, WorkloadType workload, int maxExamples) {
        queries++;
        String text = lastUserText(evalRecord);
        if (text.isBlank()) {
            queriesWithoutText++;
            return List.of();
        }
        float[] vector = embed(List.of(text)).get(0);
        if (isZero(vector)) {
            return List.of();
        }
        boolean tools = workload == WorkloadType.TOOL_CALLING;
        int k = Math.min(MAX_KNN, tools ? 5 * maxExamples : maxExamples);
        int numCandidates = Math.min(MAX_KNN, Math.max(50, 2 * k));
        List<KnnIndex.Hit> hits = await(index.search(vector, k, numCandidates));
        return select(hits, workload, maxExamples, relevanceRatio);
    }

    /**
     * The reference's choice among kNN hits (best first). Generic: the first {@code maxExamples} hits. Tool-calling:
     * the first {@code int(maxExamples x relevanceRatio)} hits by score; then, in score order, one hit of each tool
     * not yet covered while slots remain; then the best remaining hits until {@code maxExamples}.
     */
    static List<Integer> select(List<KnnIndex.Hit> hits, WorkloadType workload, int maxExamples,
                                double relevanceRatio) {
        List<KnnIndex.Hit> ranked = hits.stream()
                .sorted(Comparator.comparingDouble(KnnIndex.Hit::score).reversed()) // stable: ties keep ES order
                .toList();
        if (workload != WorkloadType.TOOL_CALLING) {
            return ranked.stream().limit(maxExamples).map(KnnIndex.Hit::position).toList();
        }
        LinkedHashSet<KnnIndex.Hit> chosen = new LinkedHashSet<>();
        int relevant = (int) (maxExamples * relevanceRatio); // Python int(): truncation
        for (KnnIndex.Hit h : ranked) {
            if (chosen.size() >= Math.min(relevant, maxExamples)) {
                break;
            }
            chosen.add(h);
        }
        Set<String> covered = new HashSet<>();
        chosen.forEach(h -> covered.add(h.toolName()));
        for (KnnIndex.Hit h : ranked) { // coverage: tools the relevant ones missed
            if (chosen.size() >= maxExamples) {
                break;
            }
            if (!chosen.contains(h) && covered.add(h.toolName())) {
                chosen.add(h);
            }
        }
        for (KnnIndex.Hit h : ranked) { // fill: best scores left
            if (chosen.size() >= maxExamples) {
                break;
            }
            chosen.add(h);
        }
        return chosen.stream().map(KnnIndex.Hit::position).toList();
    }

    private List<float[]> embed(List<String> texts) {
        embeddingRequests++;
        EmbeddingResponse response = await(embedder.embeddings(
                new EmbeddingRequest(model, List.copyOf(texts), INPUT_TYPE, "END")));
        if (response.data().size() != texts.size()) {
            throw new IllegalStateException("the embeddings endpoint returned " + response.data().size()
                    + " vectors for " + texts.size() + " texts");
        }
        List<Embedding> ordered = new ArrayList<>(response.data());
        // OpenAI-compatible servers say which input each vector belongs to; do not rely on list order.
        if (ordered.stream().allMatch(e -> e.index() != null)) {
            ordered.sort(Comparator.comparingInt(Embedding::index));
        }
        return ordered.stream().map(Embedding::embedding).toList();
    }

    /**
     * The text of the last {@code user} message: a string content as is, a list of content parts as its text parts
     * joined by newlines; empty when there is none.
     */
    static String lastUserText(JsonNode record) {
        JsonNode messages = record.path("request").path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if (!"user".equals(m.path("role").asText(null))) {
                continue;
            }
            JsonNode content = m.get("content");
            if (content == null || content.isNull()) {
                return "";
            }
            if (content.isArray()) {
                StringBuilder sb = new StringBuilder();
                for (JsonNode part : content) {
                    JsonNode t = part.get("text");
                    if (t != null && t.isTextual()) {
                        sb.append(sb.isEmpty() ? "" : "\n").append(t.textValue());
                    }
                }
                return sb.toString();
            }
            return content.isTextual() ? content.textValue() : content.toString();
        }
        return "";
    }

    /** Counters of this build. */
    public Stats stats() {
        return new Stats(poolRecords, indexed, poolWithoutText, queries, queriesWithoutText, embeddingRequests,
                indices.stream().map(KnnIndex::name).toList());
    }

    /**
     * Drops every index created by this object (blocking; a missing index is fine; calling it again does nothing).
     * A failed delete is logged, not thrown, so that it never hides the build's own outcome.
     */
    @Override
    public void close() {
        for (KnnIndex index : indices) {
            if (!dropped.add(index.name())) {
                continue;
            }
            try {
                index.delete().join();
            } catch (CompletionException e) {
                log.warn("could not drop the ICL kNN index {}: {}", index.name(), String.valueOf(EsRequests.unwrap(e)));
            }
        }
    }

    private static boolean isZero(float[] v) {
        for (float x : v) {
            if (x != 0f) {
                return false;
            }
        }
        return true;
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = EsRequests.unwrap(e);
            throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
        }
    }
}
