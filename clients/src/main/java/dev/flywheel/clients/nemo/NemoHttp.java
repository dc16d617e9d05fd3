package dev.flywheel.clients.nemo;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.ClientRequestContext;
import com.linecorp.armeria.client.ResponseTimeoutException;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.WebClientBuilder;
import com.linecorp.armeria.client.WebClientRequestPreparation;
import com.linecorp.armeria.client.circuitbreaker.CircuitBreaker;
import com.linecorp.armeria.client.circuitbreaker.CircuitBreakerClient;
import com.linecorp.armeria.client.circuitbreaker.CircuitBreakerRule;
import com.linecorp.armeria.client.retry.Backoff;
import com.linecorp.armeria.client.retry.RetryConfig;
import com.linecorp.armeria.client.retry.RetryRule;
import com.linecorp.armeria.client.retry.RetryingClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.QueryParamsBuilder;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.logging.RequestLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.BiPredicate;

/**
 * The HTTP plumbing shared by all NeMo clients: one Armeria {@link WebClient} per service, decorated (outermost
 * first) with retries ({@link RetryPolicy}: capped exponential backoff with jitter, a per-attempt timeout), a circuit
 * breaker per service, and per-attempt metrics; plus per-call metrics and the mapping of every failure to
 * {@link NemoException}.
 *
 * <p>Metrics (Prometheus names): {@code nemo_client_requests_seconds{service,operation,outcome}} — one per logical
 * call, retries included; {@code nemo_client_attempts_total{service,operation,result}} — one per HTTP attempt, so
 * retries = attempts − requests; {@code nemo_client_adopted_total{service,operation}} — creates that found the
 * resource already there. Operation names are fixed strings, never ids, to keep cardinality bounded.
 *
 * <p>Nothing here logs headers or bodies: they can carry API keys (remote judge, embeddings).
 */
public final class NemoHttp {

    private static final Logger log = LoggerFactory.getLogger(NemoHttp.class);

    static final AttributeKey<String> OPERATION = AttributeKey.valueOf(NemoHttp.class, "operation");
    static final AttributeKey<Boolean> RETRY_SAFE = AttributeKey.valueOf(NemoHttp.class, "retrySafe");
    static final AttributeKey<Boolean> DUPLICATE_IS_500 = AttributeKey.valueOf(NemoHttp.class, "duplicateIs500");

    private final NemoService service;
    private final String baseUrl;
    private final WebClient client;
    private final WebClient anyHostClient;
    private final CircuitBreaker breaker;
    private final MeterRegistry registry;
    private final Secret bearer;

    NemoHttp(NemoService service, String baseUrl, NemoClientSettings.ServiceSettings settings,
             MeterRegistry registry, ClientFactory factory, Secret bearer) {
        this.service = Objects.requireNonNull(service);
        this.baseUrl = Objects.requireNonNull(baseUrl);
        this.registry = Objects.requireNonNull(registry);
        this.bearer = bearer;
        this.breaker = CircuitBreaker.builder("nemo-" + service.tag() + "@" + hostOf(baseUrl))
                .failureRateThreshold(settings.breakerFailureRate())
                .minimumRequestThreshold(settings.breakerMinimumCalls())
                .counterSlidingWindow(settings.breakerWindow())
                .counterUpdateInterval(minDuration(java.time.Duration.ofSeconds(1), settings.breakerWindow()))
                .circuitOpenWindow(settings.breakerOpenFor())
                .trialRequestInterval(settings.breakerOpenFor())
                .build();
        this.client = decorate(WebClient.builder(baseUrl), settings, factory).build();
        this.anyHostClient = decorate(WebClient.builder(), settings, factory).build();
    }

    private WebClientBuilder decorate(WebClientBuilder b, NemoClientSettings.ServiceSettings s, ClientFactory factory) {
        Backoff backoff = RetryPolicy.backoff(s);
        BiPredicate<ClientRequestContext, RequestHeaders> safe =
                (ctx, h) -> RetryPolicy.isSafe(h.method().name(), Boolean.TRUE.equals(ctx.attr(RETRY_SAFE)));
        RetryRule rule = RetryRule.of(
                RetryRule.builder().onException((ctx, e) -> RetryPolicy.isCircuitOpen(e)).thenNoRetry(),
                RetryRule.builder().onException((ctx, e) -> RetryPolicy.isUnprocessed(e)).thenBackoff(backoff),
                RetryRule.builder(safe).onException((ctx, e) -> RetryPolicy.isTransientException(e)).thenBackoff(backoff),
                RetryRule.builder(safe).onStatus((ctx, st) -> RetryPolicy.isTransientStatus(
                        st.code(), Boolean.TRUE.equals(ctx.attr(DUPLICATE_IS_500)))).thenBackoff(backoff));
        RetryConfig<HttpResponse> retry = RetryConfig.builder(rule)
                .maxTotalAttempts(s.maxAttempts())
                .responseTimeoutForEachAttempt(s.attemptTimeout())
                .build();
        // Only unavailability trips the breaker: a 4xx or an ordinary 500 means the service is up and answering.
        CircuitBreakerRule breakerRule = CircuitBreakerRule.of(
                CircuitBreakerRule.builder().onException((ctx, e) -> RetryPolicy.isCircuitOpen(e)).thenIgnore(),
                CircuitBreakerRule.onException(),
                CircuitBreakerRule.onStatus(HttpStatus.BAD_GATEWAY, HttpStatus.SERVICE_UNAVAILABLE,
                        HttpStatus.GATEWAY_TIMEOUT),
                CircuitBreakerRule.builder().thenSuccess());
        return b.factory(factory)
                .responseTimeout(s.totalTimeout())
                .decorator((delegate, ctx, req) -> {
                    // Innermost: one count per attempt that actually goes out.
                    HttpResponse res = delegate.execute(ctx, req);
                    ctx.log().whenComplete().thenAccept(this::countAttempt);
                    return res;
                })
                .decorator(CircuitBreakerClient.newDecorator(breaker, breakerRule))
                .decorator(RetryingClient.newDecorator(retry));
    }

    private void countAttempt(RequestLog l) {
        String op = l.context().attr(OPERATION);
        // A status when one arrived (a retried 503's log also carries the cancellation cause), else the failure.
        int code = l.responseHeaders().status().code();
        String result;
        if (code > 0) {
            result = Integer.toString(code);
        } else {
            result = isTimeout(l.responseCause()) ? "timeout" : "error";
        }
        Counter.builder("nemo.client.attempts")
                .description("HTTP attempts to NeMo services, retries included")
                .tags("service", service.tag(), "operation", op == null ? "unknown" : op, "result", result)
                .register(registry).increment();
    }

    public NemoService service() {
        return service;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** The breaker guarding this service (exposed for health reporting and tests). */
    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    /** Counts a create that found its resource already there (409, or DMS's duplicate 500). */
    public void countAdopted(String operation) {
        Counter.builder("nemo.client.adopted")
                .description("Creates answered 'already exists' and adopted")
                .tags("service", service.tag(), "operation", operation)
                .register(registry).increment();
    }

    /** Starts a call; {@code path} is absolute ("/v1/…") or, for Hugging Face LFS hrefs, a full URL. */
    public Call call(HttpMethod method, String operation, String path) {
        return new Call(method, operation, path);
    }

    public Call get(String operation, String path) {
        return call(HttpMethod.GET, operation, path);
    }

    public Call post(String operation, String path) {
        return call(HttpMethod.POST, operation, path);
    }

    public Call patch(String operation, String path) {
        return call(HttpMethod.PATCH, operation, path);
    }

    public Call delete(String operation, String path) {
        return call(HttpMethod.DELETE, operation, path);
    }

    /** A raw answer: status, headers we care about, body. */
    public record Response(int status, byte[] body, String linkHeader) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** One request being built; terminal methods send it. */
    public final class Call {
        private final HttpMethod method;
        private final String operation;
        private final String path;
        private final QueryParamsBuilder query = QueryParams.builder();
        private final List<Map.Entry<String, String>> headers = new ArrayList<>();
        private MediaType contentType;
        private byte[] content;
        private boolean retrySafe;
        private boolean duplicateIs500;

        private Call(HttpMethod method, String operation, String path) {
            this.method = method;
            this.operation = operation;
            this.path = path;
        }

        public Call query(String name, Object value) {
            if (value != null) {
                query.add(name, String.valueOf(value));
            }
            return this;
        }

        public Call json(Object body) {
            try {
                this.content = NemoJson.mapper().writeValueAsBytes(body);
            } catch (Exception e) {
                // The message names the type only; the body may hold a secret.
                throw new IllegalArgumentException("cannot serialise " + body.getClass().getSimpleName(), e);
            }
            this.contentType = MediaType.JSON_UTF_8;
            return this;
        }

        public Call body(MediaType type, byte[] bytes) {
            this.contentType = type;
            this.content = bytes;
            return this;
        }

        public Call header(String name, String value) {
            headers.add(Map.entry(name, value));
            return this;
        }

        /** Marks a POST/PATCH as safe to resend (see {@link RetryPolicy}). */
        public Call retrySafe() {
            this.retrySafe = true;
            return this;
        }

        /** This endpoint reports "already exists" as HTTP 500 (DMS create): do not retry 500s. */
        public Call duplicateIs500() {
            this.duplicateIs500 = true;
            return this;
        }

        /** Sends and parses a 2xx JSON body as {@code type}. */
        public <T> CompletableFuture<T> as(Class<T> type) {
            return as(NemoJson.mapper().getTypeFactory().constructType(type));
        }

        public <T> CompletableFuture<T> as(TypeReference<T> type) {
            return as(NemoJson.mapper().getTypeFactory().constructType(type));
        }

        private <T> CompletableFuture<T> as(JavaType type) {
            return send().thenApply(r -> parse(r, type));
        }

        /** Sends and returns the 2xx JSON body as a tree (for loosely specified answers). */
        public CompletableFuture<JsonNode> asTree() {
            return send().thenApply(r -> {
                if (r.body().length == 0) {
                    return NemoJson.mapper().nullNode();
                }
                try {
                    return NemoJson.mapper().readTree(r.body());
                } catch (Exception e) {
                    throw badResponse(r, e);
                }
            });
        }

        /** Sends; any 2xx is success and the body is ignored (deletes that may answer 204). */
        public CompletableFuture<Void> discard() {
            return send().thenApply(r -> null);
        }

        /** Sends and returns the 2xx answer unparsed; non-2xx fails with {@link NemoException}. */
        public CompletableFuture<Response> send() {
            Timer.Sample sample = Timer.start(registry);
            return exchange().exceptionallyCompose(err -> {
                // Armeria's retries decide when the headers arrive; an answer that breaks off after them (a reset
                // mid-body) is re-sent here once, if the request is safe to repeat. Requests that never left the
                // client were already retried inside.
                boolean safe = retrySafe || RetryPolicy.isSafe(method.name(), false);
                if (safe && !RetryPolicy.isUnprocessed(err) && !RetryPolicy.isCircuitOpen(err)
                        && !isTimeout(err) && RetryPolicy.isTransientException(err)) {
                    return exchange();
                }
                return CompletableFuture.failedFuture(err);
            }).handle((res, err) -> {
                if (err != null) {
                    NemoException ex = fromThrowable(err);
                    record(sample, outcome(ex));
                    throw ex;
                }
                int status = res.status().code();
                byte[] body = res.content().array();
                if (status < 200 || status >= 300) {
                    NemoException ex = NemoException.fromResponse(service, operation, status,
                            new String(body, StandardCharsets.UTF_8));
                    record(sample, outcome(ex));
                    if (log.isDebugEnabled()) {
                        log.debug("{} {} -> HTTP {}", service.tag(), operation, status);
                    }
                    throw ex;
                }
                record(sample, "success");
                return new Response(status, body, res.headers().get(HttpHeaderNames.LINK));
            });
        }

        private CompletableFuture<AggregatedHttpResponse> exchange() {
            WebClient target = path.startsWith("http://") || path.startsWith("https://") ? anyHostClient : client;
            String fullPath = query.isEmpty() ? path : path + (path.contains("?") ? "&" : "?") + query.toQueryString();
            WebClientRequestPreparation p = target.prepare()
                    .method(method)
                    .path(fullPath)
                    .disablePathParams()
                    .attr(OPERATION, operation)
                    .attr(RETRY_SAFE, retrySafe)
                    .attr(DUPLICATE_IS_500, duplicateIs500);
            if (bearer != null) {
                p.header(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearer.reveal());
            }
            headers.forEach(h -> p.header(h.getKey(), h.getValue()));
            if (content != null) {
                p.content(contentType, content);
            }
            try {
                return p.execute().aggregate();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        private <T> T parse(Response r, JavaType type) {
            try {
                return NemoJson.mapper().readValue(r.body(), type);
            } catch (Exception e) {
                throw badResponse(r, e);
            }
        }

        private NemoException badResponse(Response r, Exception e) {
            // Jackson messages quote the offending input; keep only the type of problem.
            return new NemoException(service, operation, NemoException.Kind.BAD_RESPONSE, r.status(),
                    rootMessage(e), r.text(), null);
        }

        private NemoException fromThrowable(Throwable err) {
            Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (t instanceof NemoException ne) {
                return ne;
            }
            NemoException.Kind kind;
            if (RetryPolicy.isCircuitOpen(t)) {
                kind = NemoException.Kind.CIRCUIT_OPEN;
            } else if (isTimeout(t)) {
                kind = NemoException.Kind.TIMEOUT;
            } else {
                kind = NemoException.Kind.TRANSPORT;
            }
            return new NemoException(service, operation, kind, 0, t.getClass().getSimpleName(), null, t);
        }

        private void record(Timer.Sample sample, String outcome) {
            sample.stop(Timer.builder("nemo.client.requests")
                    .description("Calls to NeMo services (retries included)")
                    .tags("service", service.tag(), "operation", operation, "outcome", outcome)
                    .register(registry));
        }
    }

    static String outcome(NemoException e) {
        return switch (e.kind()) {
            case TIMEOUT -> "timeout";
            case CIRCUIT_OPEN -> "circuit_open";
            case TRANSPORT -> "transport_error";
            case BAD_RESPONSE -> "bad_response";
            case HTTP_STATUS -> e.status() == 404 ? "not_found"
                    : e.isAlreadyExists() ? "conflict"
                    : e.status() >= 500 ? "server_error" : "client_error";
        };
    }

    private static boolean isTimeout(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ResponseTimeoutException || c instanceof TimeoutException) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof com.fasterxml.jackson.databind.exc.ValueInstantiationException
                || t instanceof IllegalArgumentException || t instanceof NullPointerException) {
            return t.getMessage();
        }
        return t.getClass().getSimpleName();
    }

    private static String hostOf(String url) {
        java.net.URI u = java.net.URI.create(url);
        return u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
    }

    private static java.time.Duration minDuration(java.time.Duration a, java.time.Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
