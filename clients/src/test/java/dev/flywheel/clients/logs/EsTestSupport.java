package dev.flywheel.clients.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;

/** Synchronous helpers for the tests: raw requests, counts, unique index names, bulk loading of documents. */
final class EsTestSupport {

    static final ObjectMapper JSON = new ObjectMapper();

    private EsTestSupport() {
    }

    static String uniqueIndex(String prefix) {
        return prefix.toLowerCase(Locale.ROOT) + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static JsonNode call(RestClient client, String method, String endpoint, String body) {
        Request request = new Request(method, endpoint);
        if (body != null) {
            request.setJsonEntity(body);
        }
        try {
            Response response = client.performRequest(request);
            return JSON.readTree(response.getEntity().getContent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long count(RestClient client, String index, String query) {
        call(client, "POST", "/" + index + "/_refresh", null);
        String body = query == null ? null : "{\"query\":" + query + "}";
        return call(client, body == null ? "GET" : "POST", "/" + index + "/_count", body).path("count").asLong();
    }

    /** Search contexts open on the cluster now (node search stats); an open point in time holds one. */
    static long openPointsInTime(RestClient client) {
        JsonNode nodes = call(client, "GET", "/_nodes/stats/indices/search", null).path("nodes");
        long open = 0;
        for (JsonNode node : nodes) {
            open += node.path("indices").path("search").path("open_contexts").asLong(); // PITs are reader contexts
        }
        return open;
    }

    /** Indexes documents in batches, with the template, and refreshes. */
    static void index(RestClient client, String index, List<byte[]> docs) {
        new LogIndex(client, index).ensureTemplate().join();
        BulkWriter writer = new BulkWriter(client, index);
        for (int i = 0; i < docs.size(); i += 2000) {
            BulkWriter.Result result = writer.send(docs.subList(i, Math.min(docs.size(), i + 2000))).join();
            if (!result.failures().isEmpty()) {
                throw new IllegalStateException("bulk failures: " + result.failures().subList(0,
                        Math.min(3, result.failures().size())));
            }
        }
        call(client, "POST", "/" + index + "/_refresh", null);
    }
}
