package dev.flywheel.emulator.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers handlers on an Armeria {@link ServerBuilder}. It aggregates the body, runs the handler on the request's
 * event loop (handlers only touch in-memory state, so they are quick), and turns exceptions into NeMo error bodies.
 */
public final class Routes {
    private static final Logger log = LoggerFactory.getLogger(Routes.class);
    private final ServerBuilder sb;

    public Routes(ServerBuilder sb) {
        this.sb = sb;
    }

    public Routes get(String path, Handler h) {
        return add(HttpMethod.GET, path, h);
    }

    public Routes head(String path, Handler h) {
        return add(HttpMethod.HEAD, path, h);
    }

    public Routes post(String path, Handler h) {
        return add(HttpMethod.POST, path, h);
    }

    public Routes put(String path, Handler h) {
        return add(HttpMethod.PUT, path, h);
    }

    public Routes patch(String path, Handler h) {
        return add(HttpMethod.PATCH, path, h);
    }

    public Routes delete(String path, Handler h) {
        return add(HttpMethod.DELETE, path, h);
    }

    public Routes add(HttpMethod method, String path, Handler h) {
        sb.route().methods(method).path(path).build((ctx, req) -> HttpResponse.of(
                req.aggregate().handle((agg, err) -> {
                    if (err != null) {
                        return HttpResponse.ofFailure(err);
                    }
                    return run(h, new Call(ctx, agg)).toResponse();
                })));
        return this;
    }

    /** FastAPI's answer for unknown paths, e.g. DFW's wrong cancel path {@code /v1/customizations/{id}/cancel}. */
    public Routes notFoundFallback() {
        sb.serviceUnder("/", (ctx, req) -> {
            ObjectNode body = Json.obj().put("detail", "Not Found");
            return Reply.json(HttpStatus.NOT_FOUND, body).toResponse();
        });
        return this;
    }

    static Reply run(Handler h, Call call) {
        try {
            return h.handle(call);
        } catch (ApiException e) {
            return e.toReply();
        } catch (RuntimeException e) {
            log.warn("Handler failed", e);
            return ApiException.detail(HttpStatus.INTERNAL_SERVER_ERROR, "Internal Server Error: " + e).toReply();
        }
    }
}
