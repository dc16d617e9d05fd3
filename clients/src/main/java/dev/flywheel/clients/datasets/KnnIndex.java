package dev.flywheel.clients.datasets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.elasticsearch.client.RestClient;

/**
 * A temporary Elasticsearch index holding one embedding per ICL pool record, searched with top-level {@code knn}
 * (approximate HNSW search on a {@code dense_vector} field; available on a bare 8.x node, no ML node or license
 * needed).
 *
 * <p>Documents carry only what selection needs: the pool position, the record id and the first tool name. Unlike
 * the reference, the record itself is not copied into the index (the dataset builder reads it from its spool), and
 * the vector is excluded from {@code _source}, so the index stays small and hits are cheap to read.
 *
 * <p>The vector size is taken from the first embeddings returned instead of the reference's fixed 2048, so any
 * embedding model works. One shard, no replica (a single-node cluster would otherwise stay yellow), no refresh
 * while loading: {@link #refresh()} once before searching.
 */
final class KnnIndex {

    /** One kNN hit. {@code score} is Elasticsearch's cosine score, {@code (1 + cosine) / 2}. */
    record Hit(int position, String toolName, double score) {
    }

    /** One document to index. */
    record Doc(int position, long recordId, String toolName, float[] vector) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private final RestClient client;
    private final String name;

    KnnIndex(RestClient client, String name) {
        this.client = client;
        this.name = name;
    }

    String name() {
        return name;
    }

    /** Creates the index with a cosine {@code dense_vector} of {@code dims} dimensions. */
    CompletableFuture<Void> create(int dims) {
        byte[] body = write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("settings");
            g.writeNumberField("number_of_shards", 1);
            g.writeNumberField("number_of_replicas", 0);
            g.writeStringField("refresh_interval", "-1");
            g.writeEndObject();
            g.writeObjectFieldStart("mappings");
            g.writeStringField("dynamic", "strict");
            g.writeObjectFieldStart("_source");
            g.writeArrayFieldStart("excludes");
            g.writeString("embedding");
            g.writeEndArray();
            g.writeEndObject();
            g.writeObjectFieldStart("properties");
            g.writeObjectFieldStart("embedding");
            g.writeStringField("type", "dense_vector");
            g.writeNumberField("dims", dims);
            g.writeBooleanField("index", true);
            g.writeStringField("similarity", "cosine");
            g.writeEndObject();
            field(g, "position", "integer");
            field(g, "record_id", "long");
            field(g, "tool_name", "keyword");
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        });
        return EsRequests.json(client, "PUT", "/" + name, body).thenApply(b -> null);
    }

    /** Indexes documents in one bulk request; fails if any item failed. */
    CompletableFuture<Void> bulk(List<Doc> docs) {
        if (docs.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(docs.size() * 24 * 1024);
        for (Doc d : docs) {
            out.writeBytes(write(g -> {
                g.writeStartObject();
                g.writeObjectFieldStart("index");
                g.writeStringField("_id", Integer.toString(d.position()));
                g.writeEndObject();
                g.writeEndObject();
            }));
            out.write('\n');
            out.writeBytes(write(g -> {
                g.writeStartObject();
                g.writeNumberField("position", d.position());
                g.writeNumberField("record_id", d.recordId());
                g.writeStringField("tool_name", d.toolName());
                g.writeArrayFieldStart("embedding");
                for (float v : d.vector()) {
                    g.writeNumber(v);
                }
                g.writeEndArray();
                g.writeEndObject();
            }));
            out.write('\n');
        }
        return EsRequests.send(client, "POST", "/" + name + "/_bulk", out.toByteArray(), EsRequests.NDJSON)
                .thenApply(KnnIndex::checkBulk);
    }

    /** Makes the loaded documents searchable. */
    CompletableFuture<Void> refresh() {
        return EsRequests.json(client, "POST", "/" + name + "/_refresh", null).thenApply(b -> null);
    }

    /** The {@code k} nearest documents, best first. */
    CompletableFuture<List<Hit>> search(float[] vector, int k, int numCandidates) {
        byte[] body = write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("knn");
            g.writeStringField("field", "embedding");
            g.writeArrayFieldStart("query_vector");
            for (float v : vector) {
                g.writeNumber(v);
            }
            g.writeEndArray();
            g.writeNumberField("k", k);
            g.writeNumberField("num_candidates", numCandidates);
            g.writeEndObject();
            g.writeNumberField("size", k);
            g.writeArrayFieldStart("_source");
            g.writeString("position");
            g.writeString("tool_name");
            g.writeEndArray();
            g.writeEndObject();
        });
        return EsRequests.json(client, "POST", "/" + name + "/_search", body).thenApply(KnnIndex::parseHits);
    }

    /** Deletes the index; false when it did not exist. */
    CompletableFuture<Boolean> delete() {
        return EsRequests.json(client, "DELETE", "/" + name, null)
                .thenApply(b -> true)
                .exceptionallyCompose(e -> EsRequests.isNotFound(e) ? CompletableFuture.completedFuture(false)
                        : CompletableFuture.failedFuture(EsRequests.unwrap(e)));
    }

    private static List<Hit> parseHits(byte[] body) {
        JsonNode hits = read(body).path("hits").path("hits");
        List<Hit> out = new ArrayList<>(hits.size());
        for (JsonNode h : hits) {
            JsonNode src = h.path("_source");
            out.add(new Hit(src.path("position").asInt(), src.path("tool_name").asText(), h.path("_score").asDouble()));
        }
        return out;
    }

    private static Void checkBulk(byte[] body) {
        JsonNode answer = read(body);
        if (answer.path("errors").asBoolean(false)) {
            for (JsonNode item : answer.path("items")) {
                JsonNode error = item.path("index").path("error");
                if (!error.isMissingNode()) {
                    throw new IllegalStateException("indexing ICL embeddings failed: " + error);
                }
            }
            throw new IllegalStateException("indexing ICL embeddings failed");
        }
        return null;
    }

    private static void field(JsonGenerator g, String field, String type) throws IOException {
        g.writeObjectFieldStart(field);
        g.writeStringField("type", type);
        g.writeEndObject();
    }

    private interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static JsonNode read(byte[] body) {
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable Elasticsearch answer", e);
        }
    }
}
