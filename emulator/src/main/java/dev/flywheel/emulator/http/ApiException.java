package dev.flywheel.emulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpStatus;
import java.util.List;

/**
 * An error answer in NeMo's (FastAPI's) shape: {@code {"detail": "..."}} for ordinary errors and
 * {@code {"detail": [{"loc", "msg", "type"}]}} for 422 validation errors (nemo-api.md §1.5).
 */
public final class ApiException extends RuntimeException {
    private final HttpStatus status;
    private final JsonNode body;

    public ApiException(HttpStatus status, JsonNode body) {
        super(status + " " + body);
        this.status = status;
        this.body = body;
    }

    public static ApiException detail(HttpStatus status, String detail) {
        ObjectNode body = Json.obj();
        body.put("detail", detail);
        return new ApiException(status, body);
    }

    public static ApiException notFound(String detail) {
        return detail(HttpStatus.NOT_FOUND, detail);
    }

    public static ApiException conflict(String detail) {
        return detail(HttpStatus.CONFLICT, detail);
    }

    public static ApiException badRequest(String detail) {
        return detail(HttpStatus.BAD_REQUEST, detail);
    }

    /** FastAPI validation error for one location, e.g. loc = ["body", "config"]. */
    public static ApiException unprocessable(List<?> loc, String msg, String type) {
        ObjectNode err = Json.obj();
        ArrayNode locNode = err.putArray("loc");
        for (Object o : loc) {
            if (o instanceof Integer i) {
                locNode.add(i);
            } else {
                locNode.add(String.valueOf(o));
            }
        }
        err.put("msg", msg);
        err.put("type", type);
        ObjectNode body = Json.obj();
        body.putArray("detail").add(err);
        return new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, body);
    }

    /** The most common validation error: a required body field is missing. */
    public static ApiException missing(String... loc) {
        List<Object> l = new java.util.ArrayList<>();
        l.add("body");
        l.addAll(List.of((Object[]) loc));
        return unprocessable(l, "Field required", "missing");
    }

    public HttpStatus status() {
        return status;
    }

    public JsonNode body() {
        return body;
    }

    public Reply toReply() {
        return Reply.json(status, body);
    }
}
