package dev.flywheel.emulator.faults;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.flywheel.emulator.http.ApiException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Applies {@link Faults} to every request of one host, except the emulator's own admin paths. Delays use the event
 * loop's scheduler, never a sleeping thread.
 */
public final class FaultDecorator implements DecoratingHttpServiceFunction {
    private final String host;
    private final Faults faults;

    public FaultDecorator(String host, Faults faults) {
        this.host = host;
        this.faults = faults;
    }

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        if (ctx.path().startsWith("/emulator/")) {
            return delegate.serve(ctx, req);
        }
        Faults.Decision d = faults.decide(host, ctx.method().name(), ctx.path());
        if (d == Faults.Decision.NONE) {
            return delegate.serve(ctx, req);
        }
        Supplier<HttpResponse> act = () -> act(d.action(), delegate, ctx, req);
        return d.latencyMs() > 0 ? HttpResponse.delayed(act, Duration.ofMillis(d.latencyMs()), ctx.eventLoop())
                : act.get();
    }

    private HttpResponse act(FaultRule action, HttpService delegate, ServiceRequestContext ctx, HttpRequest req) {
        try {
            if (action == null) {
                return delegate.serve(ctx, req);
            }
            return switch (action.kind()) {
                case ERROR -> ApiException.detail(HttpStatus.valueOf(action.status()),
                        "Injected fault: " + ctx.method() + " " + ctx.path()).toReply().toResponse();
                case HANG -> {
                    req.abort(); // the body is never read; the answer never comes
                    yield HttpResponse.streaming();
                }
                case LOSE_ANSWER -> {
                    HttpResponse real = delegate.serve(ctx, req);
                    // Let the change commit fully, then reset the stream instead of answering.
                    yield HttpResponse.of(real.aggregate().handle((agg, err) -> lost(ctx)));
                }
                case LATENCY -> delegate.serve(ctx, req);
            };
        } catch (Exception e) {
            return HttpResponse.ofFailure(e);
        }
    }

    /**
     * Starts a 200 answer (headers and the first bytes of a body) and then resets the stream, so the client has
     * certainly begun receiving and then loses the connection — it cannot read a status it could trust.
     */
    private static HttpResponse lost(ServiceRequestContext ctx) {
        HttpResponseWriter w = HttpResponse.streaming();
        w.write(ResponseHeaders.builder(HttpStatus.OK).contentType(MediaType.JSON_UTF_8).contentLength(1024).build());
        w.write(HttpData.ofUtf8("{\"id\": "));
        ctx.eventLoop().schedule(() -> w.abort(new IllegalStateException("Injected fault: answer lost after commit")),
                20, TimeUnit.MILLISECONDS);
        return w;
    }
}
