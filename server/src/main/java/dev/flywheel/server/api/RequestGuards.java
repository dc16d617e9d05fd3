package dev.flywheel.server.api;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.flywheel.core.error.FlywheelException;

/**
 * Checks a JSON request's headers before its body is read: a body must be {@code application/json} and at
 * most {@link #MAX_BODY_BYTES}. Without this a wrong content type or an oversized body would get Armeria's
 * generic 415/413 pages instead of our INVALID_ARGUMENT naming the problem.
 */
public final class RequestGuards implements DecoratingHttpServiceFunction {

    /** Far above any real job request or configuration; the server's own limit is set to the same. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        HttpMethod method = req.method();
        if (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH) {
            long length = req.headers().contentLength();
            if (length > MAX_BODY_BYTES) {
                return HttpErrors.of(FlywheelException.invalid("body",
                        "request body of " + length + " bytes is larger than the limit of " + MAX_BODY_BYTES + " bytes"));
            }
            MediaType type = req.contentType();
            boolean wrongType = type != null ? !type.is(MediaType.JSON) : length > 0;
            if (wrongType) {
                return HttpErrors.of(FlywheelException.invalid("content-type",
                        "must be application/json, got " + (type == null ? "none" : type.toString())));
            }
        }
        return delegate.serve(ctx, req);
    }
}
