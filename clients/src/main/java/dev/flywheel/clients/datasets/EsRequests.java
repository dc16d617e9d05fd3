package dev.flywheel.clients.datasets;

import dev.flywheel.clients.logs.EsHttp;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/**
 * The few Elasticsearch calls of the temporary kNN index as {@link CompletableFuture}s over the low-level
 * {@link RestClient} (the same client the log exporter uses, so one connection pool serves both). Non-2xx answers
 * fail with the client's {@link ResponseException}. Futures complete on the client's I/O thread: callers must not
 * block there.
 */
final class EsRequests {

    static final ContentType JSON = ContentType.APPLICATION_JSON;
    static final ContentType NDJSON = ContentType.create("application/x-ndjson", StandardCharsets.UTF_8);

    private EsRequests() {
    }

    /** Sends a request and completes with the response body (empty when there is none). */
    static CompletableFuture<byte[]> send(RestClient client, String method, String endpoint, byte[] body,
                                          ContentType type) {
        Request request = new Request(method, endpoint);
        if (body != null) {
            request.setEntity(new ByteArrayEntity(body, type));
        }
        CompletableFuture<Response> sent = EsHttp.perform(client, request);
        CompletableFuture<byte[]> result = sent.thenApply(EsHttp::body);
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                sent.cancel(true); // which cancels the HTTP request
            }
        });
        return result;
    }

    static CompletableFuture<byte[]> json(RestClient client, String method, String endpoint, byte[] body) {
        return send(client, method, endpoint, body, JSON);
    }

    /** Whether a failure is Elasticsearch's 404 (e.g. deleting an index that is already gone). */
    static boolean isNotFound(Throwable t) {
        return unwrap(t) instanceof ResponseException re && re.getResponse().getStatusLine().getStatusCode() == 404;
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
