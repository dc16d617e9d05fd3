package dev.flywheel.emulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An answer from a handler, independent of Armeria so handlers stay easy to read. */
public final class Reply {
    private final HttpStatus status;
    private final MediaType mediaType;
    private final byte[] body;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final boolean headOnly;

    private Reply(HttpStatus status, MediaType mediaType, byte[] body, boolean headOnly) {
        this.status = status;
        this.mediaType = mediaType;
        this.body = body;
        this.headOnly = headOnly;
    }

    public static Reply json(HttpStatus status, JsonNode node) {
        return new Reply(status, MediaType.JSON_UTF_8, Json.write(node).getBytes(StandardCharsets.UTF_8), false);
    }

    public static Reply ok(JsonNode node) {
        return json(HttpStatus.OK, node);
    }

    public static Reply noContent() {
        return new Reply(HttpStatus.NO_CONTENT, null, new byte[0], false);
    }

    public static Reply bytes(HttpStatus status, MediaType type, byte[] body) {
        return new Reply(status, type, body, false);
    }

    /** Same headers as {@code bytes} (including Content-Length) but no body, for HEAD. */
    public static Reply head(HttpStatus status, MediaType type, byte[] body) {
        return new Reply(status, type, body, true);
    }

    public Reply header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public HttpStatus status() {
        return status;
    }

    public HttpResponse toResponse() {
        ResponseHeadersBuilder h = ResponseHeaders.builder(status);
        if (mediaType != null) {
            h.contentType(mediaType);
        }
        headers.forEach(h::set);
        if (headOnly) {
            h.contentLength(body.length);
            return HttpResponse.of(h.build());
        }
        if (status == HttpStatus.NO_CONTENT) {
            return HttpResponse.of(h.build());
        }
        return HttpResponse.of(h.build(), HttpData.wrap(body), HttpHeaders.of());
    }
}
