package dev.flywheel.emulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.List;

/** One incoming request as handlers see it: path parameters, query, and a body parsed on demand. */
public final class Call {
    private final ServiceRequestContext ctx;
    private final AggregatedHttpRequest req;

    public Call(ServiceRequestContext ctx, AggregatedHttpRequest req) {
        this.ctx = ctx;
        this.req = req;
    }

    /** Path parameter, percent-decoded by Armeria; {@code +} and {@code @} arrive unchanged. */
    public String path(String name) {
        String v = ctx.pathParam(name);
        return v == null ? "" : v;
    }

    public QueryParams query() {
        return ctx.queryParams();
    }

    public String header(String name) {
        return req.headers().get(name);
    }

    public String text() {
        return req.contentUtf8();
    }

    public byte[] bytes() {
        return req.content().array();
    }

    /** The body as a JSON object; anything else is a 422 like FastAPI's. */
    public ObjectNode json() {
        String text = req.contentUtf8();
        if (text.isBlank()) {
            throw ApiException.unprocessable(List.of("body"), "Field required", "missing");
        }
        JsonNode node = Json.parse(text);
        if (!node.isObject()) {
            throw ApiException.unprocessable(List.of("body"), "Input should be a valid dictionary", "dict_type");
        }
        return (ObjectNode) node;
    }

    /** Form-encoded body ({@code a=b&c=d}) as query params. */
    public QueryParams form() {
        return QueryParams.fromQueryString(req.contentUtf8());
    }
}
