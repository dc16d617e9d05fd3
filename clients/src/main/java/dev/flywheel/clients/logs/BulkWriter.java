package dev.flywheel.clients.logs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.http.entity.ByteArrayEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;

/**
 * Sends batches of already serialised log documents to {@code _bulk} and reports which items Elasticsearch
 * rejected. A request refused as a whole with 429/503 is retried (nothing of it was indexed). Shared by the {@link InteractionLogger} and the {@link LogLoader}.
 */
final class BulkWriter {

    /** The outcome of one bulk request: how many items were indexed and why the others were not. */
    record Result(int indexed, List<ItemFailure> failures) {
    }

    /** An item Elasticsearch refused: its position in the batch and {@code error.type: error.reason}. */
    record ItemFailure(int position, String reason) {
    }

    private static final byte[] ACTION = "{\"create\":{}}\n".getBytes(StandardCharsets.US_ASCII);
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RestClient client;
    private final String index;

    BulkWriter(RestClient client, String index) {
        this.client = client;
        this.index = index;
    }

    /**
     * Indexes {@code documents} (each one JSON object without a trailing newline), with auto-generated ids.
     * Completes exceptionally only if the request as a whole failed (unreachable, 4xx/5xx); per-item rejections
     * are in the result.
     */
    CompletableFuture<Result> send(List<byte[]> documents) {
        int size = 0;
        for (byte[] doc : documents) {
            size += ACTION.length + doc.length + 1;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(size);
        for (byte[] doc : documents) {
            body.writeBytes(ACTION);
            body.writeBytes(doc);
            body.write('\n');
        }
        byte[] bytes = body.toByteArray();
        return EsHttp.performRetrying(client, () -> {
            Request request = new Request("POST", "/" + index + "/_bulk");
            request.setEntity(new ByteArrayEntity(bytes, EsHttp.NDJSON));
            return request;
        }, 3).thenApply(r -> parse(EsHttp.body(r), documents.size()));
    }

    /** Reads {@code errors} first (it precedes {@code items}) and walks the items only when something failed. */
    static Result parse(byte[] body, int count) {
        try (JsonParser p = FACTORY.createParser(body)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if ("errors".equals(field)) {
                    if (!p.getBooleanValue()) {
                        return new Result(count, List.of());
                    }
                    break;
                }
                p.skipChildren();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable _bulk response", e);
        }
        try {
            JsonNode items = JSON.readTree(body).path("items");
            List<ItemFailure> failures = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                JsonNode result = items.get(i).elements().next();
                JsonNode error = result.get("error");
                if (error != null) {
                    failures.add(new ItemFailure(i, error.path("type").asText() + ": " + error.path("reason").asText()));
                }
            }
            return new Result(count - failures.size(), failures);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable _bulk response", e);
        }
    }
}
