package dev.flywheel.server.auth;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.flywheel.core.auth.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every route of the port passes here: health (and, when configured, docs and metrics) stays open; everything
 * else needs {@code authorization: Bearer <API key>}, or, without that header, a verified client certificate that
 * {@link ClientCertificates} maps to a caller. The caller goes onto the request context for the services
 * ({@link Callers}). With authentication off every caller is {@link Principal#SYSTEM}. A refusal is
 * UNAUTHENTICATED in the caller's protocol: a trailers-only gRPC answer, or HTTP 401 with
 * {@code WWW-Authenticate: Bearer} and the JSON error body of the API (the reference's {@code detail} under /api).
 */
public final class AuthDecorator implements DecoratingHttpServiceFunction {

    private static final Logger log = LoggerFactory.getLogger(AuthDecorator.class);
    static final String REFUSED = "a valid API key is required (authorization: Bearer <key>)";

    private final AuthOptions options;
    private final Authenticator authenticator;

    public AuthDecorator(AuthOptions options, Authenticator authenticator) {
        this.options = options;
        this.authenticator = authenticator;
    }

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        if (!options.enabled() || isPublic(ctx.path())) {
            ctx.setAttr(Callers.PRINCIPAL, Principal.SYSTEM);
            return delegate.serve(ctx, req);
        }
        String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        return HttpResponse.of(authenticator.authenticate(authorization).handleAsync((principal, error) -> {
            if (error != null) {
                log.warn("API key check failed on {}: {}", ctx.path(), String.valueOf(error.getCause() != null ? error.getCause() : error));
                return refuse(ctx, req, 503, "cannot check the API key now; retry later");
            }
            // No valid key: a verified client certificate listed in flywheel.auth.client-certificates will do.
            var caller = principal.or(() -> authorization == null ? options.clientCertificates().caller(ctx.sslSession())
                    : java.util.Optional.empty());
            if (caller.isEmpty()) {
                return refuse(ctx, req, 401, REFUSED);
            }
            ctx.setAttr(Callers.PRINCIPAL, caller.get());
            try {
                return delegate.serve(ctx, req);
            } catch (Exception e) {
                return HttpResponse.ofFailure(e);
            }
        }, ctx.eventLoop()));
    }

    private boolean isPublic(String path) {
        return path.equals("/internal/health") || path.startsWith("/grpc.health.v1.Health/")
                || (options.docsPublic() && (path.equals("/docs") || path.startsWith("/docs/")))
                || (options.metricsPublic() && path.equals("/internal/metrics"));
    }

    private static HttpResponse refuse(ServiceRequestContext ctx, HttpRequest req, int httpStatus, String message) {
        req.abort(); // the body is not read
        MediaType type = req.contentType();
        boolean unavailable = httpStatus == 503;
        if (type != null && type.subtype().startsWith("grpc")) {
            return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK).contentType(type)
                    .add("grpc-status", unavailable ? "14" : "16").add("grpc-message", message).build());
        }
        String body = ctx.path().startsWith("/api/")
                ? "{\"detail\":\"" + message + "\"}"
                : "{\"code\":" + (unavailable ? 14 : 16) + ",\"grpc-code\":\"" + (unavailable ? "UNAVAILABLE" : "UNAUTHENTICATED")
                        + "\",\"message\":\"" + message + "\"}";
        ResponseHeaders headers = ResponseHeaders.builder(HttpStatus.valueOf(httpStatus)).contentType(MediaType.JSON_UTF_8)
                .add(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer").build();
        return HttpResponse.of(headers, com.linecorp.armeria.common.HttpData.ofUtf8(body));
    }
}
