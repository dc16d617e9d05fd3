package dev.flywheel.emulator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one Jackson mapper of the emulator and small helpers around it. Resources are kept as Jackson trees rather than
 * Java beans because NeMo objects are wide, mostly pass-through and partially updated (PATCH), and the wire shape is
 * what matters for fidelity.
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            // Sorted keys give canonical text, which hashing and argument comparison rely on.
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private Json() {}

    public static ObjectNode obj() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static ArrayNode arr() {
        return JsonNodeFactory.instance.arrayNode();
    }

    /** Parses JSON text; malformed input becomes a FastAPI-style 422. */
    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw ApiException.unprocessable(java.util.List.of("body", 0), "JSON decode error: " + e.getOriginalMessage(),
                    "json_invalid");
        }
    }

    /** Parses JSON text, returning null instead of failing. */
    public static JsonNode tryParse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Canonical text: object keys sorted recursively, so equal JSON values give equal strings. */
    public static String canonical(JsonNode node) {
        if (node == null) {
            return "null";
        }
        try {
            Object plain = CANONICAL.treeToValue(node, Object.class);
            return CANONICAL.writeValueAsString(plain);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Text value of a field, or null when absent / JSON null. */
    public static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
