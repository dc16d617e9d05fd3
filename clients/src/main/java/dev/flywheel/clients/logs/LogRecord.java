package dev.flywheel.clients.logs;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One logged LLM interaction, as a producing app hands it to the {@link InteractionLogger}.
 *
 * @param clientId        who produced the traffic (app, environment, tenant); required
 * @param workloadId      one logical task type (one agent node or route); required
 * @param timestampMillis Unix epoch milliseconds (use {@link Timestamps#fromEpochNumber(long)} for seconds)
 * @param request         the OpenAI chat-completions request body (JsonNode, Map or any Jackson-serialisable value)
 * @param response        the OpenAI {@code ChatCompletion} body (same)
 * @param metadata        optional free-form fields written as extra top-level fields (stored, not indexed); must not
 *                        reuse the five record field names
 */
public record LogRecord(String clientId, String workloadId, long timestampMillis, Object request, Object response,
                        Map<String, Object> metadata) {

    private static final Set<String> RESERVED = Set.of(LogFields.CLIENT_ID, LogFields.WORKLOAD_ID,
            LogFields.TIMESTAMP, LogFields.REQUEST, LogFields.RESPONSE);

    public LogRecord {
        requireText(clientId, "clientId");
        requireText(workloadId, "workloadId");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(response, "response");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        for (String key : metadata.keySet()) {
            if (RESERVED.contains(key)) {
                throw new IllegalArgumentException("metadata must not use the record field name '" + key + "'");
            }
        }
    }

    /** A record stamped with the current time and without metadata. */
    public static LogRecord of(String clientId, String workloadId, Object request, Object response) {
        return new LogRecord(clientId, workloadId, System.currentTimeMillis(), request, response, Map.of());
    }

    /** The document as indexed: the five fields, then the metadata. */
    byte[] toJson(ObjectMapper mapper) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(LogFields.CLIENT_ID, clientId);
            g.writeStringField(LogFields.WORKLOAD_ID, workloadId);
            g.writeNumberField(LogFields.TIMESTAMP, timestampMillis);
            writeValue(g, mapper, LogFields.REQUEST, request);
            writeValue(g, mapper, LogFields.RESPONSE, response);
            for (Map.Entry<String, Object> e : metadata.entrySet()) {
                writeValue(g, mapper, e.getKey(), e.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise log record", e);
        }
        return out.toByteArray();
    }

    private static void writeValue(JsonGenerator g, ObjectMapper mapper, String field, Object value) throws IOException {
        g.writeFieldName(field);
        if (value instanceof JsonNode node) {
            mapper.writeTree(g, node);
        } else {
            mapper.writeValue(g, value);
        }
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
