package dev.flywheel.emulator.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.emulator.http.Json;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the "right answer" to a conversation is. Simulated models need a reference to be right or wrong against; the
 * emulator learns references from every JSONL/JSON file uploaded to the Data Store — logged records
 * ({@code {"request": {"messages"}, "response": {"choices": [{"message"}]}}}) and training lines
 * ({@code {"messages": [..., final assistant]}}). Conversations are keyed by their non-system messages, so an ICL
 * variant of an item (examples injected in the system prompt) maps to the same reference.
 */
public final class ReferenceOracle {
    private final Map<String, JsonNode> references = new ConcurrentHashMap<>();

    /** Key of a conversation: role and content of every non-system message. */
    public static String itemKey(JsonNode messages) {
        StringBuilder sb = new StringBuilder();
        if (messages != null) {
            for (JsonNode m : messages) {
                String role = Json.text(m, "role");
                if ("system".equals(role)) {
                    continue;
                }
                JsonNode content = m.get("content");
                sb.append(role).append('\u0001')
                        .append(content == null || content.isNull() ? "" : content.isTextual() ? content.asText()
                                : Json.canonical(content))
                        .append('\u0002');
            }
        }
        return sb.toString();
    }

    /** Learns from a whole file; lines or elements that are not records are skipped. */
    public int learnFromFile(String text) {
        int learned = 0;
        JsonNode whole = text.trim().startsWith("[") ? Json.tryParse(text) : null;
        if (whole != null && whole.isArray()) {
            for (JsonNode row : whole) {
                learned += learn(row) ? 1 : 0;
            }
            return learned;
        }
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                learned += learn(Json.tryParse(line)) ? 1 : 0;
            }
        }
        return learned;
    }

    public boolean learn(JsonNode row) {
        if (row == null || !row.isObject()) {
            return false;
        }
        JsonNode req = row.get("request");
        JsonNode resp = row.get("response");
        if (req != null && req.has("messages") && resp != null) {
            JsonNode msg = resp.path("choices").path(0).path("message");
            if (msg.isObject()) {
                references.put(itemKey(req.get("messages")), msg);
                return true;
            }
        }
        JsonNode messages = row.get("messages");
        if (messages != null && messages.isArray() && messages.size() >= 2) {
            JsonNode last = messages.get(messages.size() - 1);
            if ("assistant".equals(Json.text(last, "role"))) {
                com.fasterxml.jackson.databind.node.ArrayNode prefix = Json.arr();
                for (int i = 0; i < messages.size() - 1; i++) {
                    prefix.add(messages.get(i));
                }
                references.putIfAbsent(itemKey(prefix), last);
                return true;
            }
        }
        return false;
    }

    public Optional<JsonNode> referenceFor(JsonNode messages) {
        return Optional.ofNullable(references.get(itemKey(messages)));
    }

    public int size() {
        return references.size();
    }
}
