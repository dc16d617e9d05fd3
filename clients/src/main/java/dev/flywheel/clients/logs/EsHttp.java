package dev.flywheel.clients.logs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.http.HttpEntity;
import org.apache.http.HttpHost;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Cancellable;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;

/**
 * Small helpers around the low-level Elasticsearch {@link RestClient}: building one from a URL (with the
 * {@code ELASTICSEARCH_URL} / default fallback the CLI and services share) and turning its callback API into
 * {@link CompletableFuture}s. Non-2xx answers complete exceptionally with the client's {@code ResponseException}.
 */
public final class EsHttp {

    /** Environment variable naming the Elasticsearch URL. */
    public static final String URL_ENV = "ELASTICSEARCH_URL";
    public static final String DEFAULT_URL = "http://localhost:9200";

    private static final ContentType JSON = ContentType.APPLICATION_JSON;
    static final ContentType NDJSON = ContentType.create("application/x-ndjson", java.nio.charset.StandardCharsets.UTF_8);

    private EsHttp() {
    }

    /** The URL to use: {@code explicit} if given, else {@code ELASTICSEARCH_URL} from {@code env}, else the default. */
    public static String resolveUrl(String explicit, Map<String, String> env) {
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        String fromEnv = env.get(URL_ENV);
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv : DEFAULT_URL;
    }

    /**
     * A client for one node URL such as {@code http://localhost:9200}. Connect timeout 5 s (an unreachable cluster
     * fails fast), socket timeout 120 s (large pages and bulk requests on a busy node can take a while).
     */
    public static RestClient client(String url) {
        return client(url, Access.fromEnvironment(System.getenv()));
    }

    /**
     * How to reach a secured cluster. {@code apiKey} (the base64 "id:key" Elasticsearch issues) is sent as
     * {@code Authorization: ApiKey}; without it, a user and password in the URL ({@code https://user:pass@host:9200})
     * are sent as basic authentication and never kept in the URL. {@code caCertFile}: PEM certificates to trust for
     * https besides the JVM's.
     */
    public record Access(String apiKey, java.nio.file.Path caCertFile) {
        public static final Access NONE = new Access(null, null);

        /** {@code ELASTICSEARCH_API_KEY} and {@code ELASTICSEARCH_CA_CERT} from {@code env}. */
        public static Access fromEnvironment(Map<String, String> env) {
            String key = env.get("ELASTICSEARCH_API_KEY");
            String ca = env.get("ELASTICSEARCH_CA_CERT");
            return new Access(key == null || key.isBlank() ? null : key.trim(), ca == null || ca.isBlank() ? null : java.nio.file.Path.of(ca));
        }

        @Override
        public String toString() {
            return "Access[apiKey=" + (apiKey == null ? "(unset)" : "****") + ", caCertFile=" + caCertFile + "]";
        }
    }

    public static RestClient client(String url, Access access) {
        java.net.URI uri = java.net.URI.create(url.trim());
        String userInfo = uri.getRawUserInfo();
        String hostUrl = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        var builder = RestClient.builder(HttpHost.create(hostUrl))
                .setRequestConfigCallback(rc -> rc.setConnectTimeout(5_000).setSocketTimeout(120_000));
        if (access.apiKey() != null) {
            builder.setDefaultHeaders(new org.apache.http.Header[] {
                    new org.apache.http.message.BasicHeader("Authorization", "ApiKey " + access.apiKey())});
        } else if (userInfo != null && !userInfo.isEmpty()) {
            String decoded = java.net.URLDecoder.decode(userInfo, java.nio.charset.StandardCharsets.UTF_8);
            builder.setDefaultHeaders(new org.apache.http.Header[] {new org.apache.http.message.BasicHeader("Authorization",
                    "Basic " + java.util.Base64.getEncoder().encodeToString(decoded.getBytes(java.nio.charset.StandardCharsets.UTF_8)))});
        }
        if (access.caCertFile() != null) {
            javax.net.ssl.SSLContext ssl = TrustFiles.sslContext(access.caCertFile());
            builder.setHttpClientConfigCallback(http -> http.setSSLContext(ssl));
        }
        return builder.build();
    }

    /** {@code url} without a user and password, for messages and logs. */
    public static String redacted(String url) {
        return TrustFiles.redactUserInfo(url);
    }

    /** A request with a JSON body. */
    static Request request(String method, String endpoint, byte[] jsonBody) {
        Request request = new Request(method, endpoint);
        if (jsonBody != null) {
            request.setEntity(new ByteArrayEntity(jsonBody, JSON));
        }
        return request;
    }

    /** Sends {@code request} asynchronously; the future completes on the client's I/O thread. */
    public static CompletableFuture<Response> perform(RestClient client, Request request) {
        CompletableFuture<Response> future = new CompletableFuture<>();
        Cancellable cancellable = client.performRequestAsync(request, new ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                future.complete(response);
            }

            @Override
            public void onFailure(Exception exception) {
                future.completeExceptionally(exception);
            }
        });
        future.whenComplete((r, e) -> {
            if (future.isCancelled()) {
                cancellable.cancel();
            }
        });
        return future;
    }

    /**
     * {@link #perform} with retries, after 250, 500, 1000 ms ..., when Elasticsearch answers 429 (a circuit breaker
     * or a full queue: the request was refused as a whole, so sending it again is safe) or 503.
     * {@code request} is called for every attempt.
     */
    static CompletableFuture<Response> performRetrying(RestClient client, Supplier<Request> request, int retries) {
        return perform(client, request.get()).handle((response, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(response);
            }
            if (retries > 0 && isOverloaded(unwrap(error))) {
                Executor later = CompletableFuture.delayedExecutor(250L << Math.max(0, 3 - retries),
                        TimeUnit.MILLISECONDS);
                return CompletableFuture.runAsync(() -> { }, later)
                        .thenCompose(v -> performRetrying(client, request, retries - 1));
            }
            return CompletableFuture.<Response>failedFuture(unwrap(error));
        }).thenCompose(f -> f);
    }

    /** True for 429 and 503 answers: Elasticsearch is overloaded, not the request wrong. */
    static boolean isOverloaded(Throwable e) {
        if (e instanceof ResponseException re) {
            int status = re.getResponse().getStatusLine().getStatusCode();
            return status == 429 || status == 503;
        }
        return false;
    }

    /** The response body as bytes (empty if there is none). */
    public static byte[] body(Response response) {
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            return new byte[0];
        }
        try {
            return EntityUtils.toByteArray(entity);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Elasticsearch response", e);
        }
    }

    /** The innermost cause of a {@link java.util.concurrent.CompletionException} chain. */
    static Throwable unwrap(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
