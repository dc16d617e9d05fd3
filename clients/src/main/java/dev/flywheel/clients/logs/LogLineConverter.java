package dev.flywheel.clients.logs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns one JSONL line into a log document, as the reference's loader does, accepting two shapes:
 * <ul>
 *   <li><b>log record</b>: an object with {@code request} and {@code response}; {@code client_id}/{@code workload_id}
 *       come from the line unless overridden; other top-level fields are kept;</li>
 *   <li><b>conversation</b>: {@code {"messages": [...], "tools": [...]}}, wrapped into a synthetic request (every
 *       message but the last, the tools, model {@value #SYNTHETIC_MODEL}) and a synthetic {@code chat.completion}
 *       whose single choice is the last message, which must be an assistant message.</li>
 * </ul>
 * Timestamps are normalised to epoch milliseconds ({@link Timestamps}); a line without one gets the load time.
 * Problems are reported as a {@link Rejected} with a short, countable reason and a detail.
 */
final class LogLineConverter {

    static final String SYNTHETIC_MODEL = "not-a-model";

    /** The outcome of converting one line. */
    sealed interface Result permits Converted, Rejected {
    }

    /** A document ready for {@code _bulk}. {@code unit} is null when the load time was used. */
    record Converted(byte[] document, boolean conversation, Timestamps.Unit unit) implements Result {
    }

    /** A refused line: {@code reason} is a category for counting, {@code detail} the specifics. */
    record Rejected(String reason, String detail) implements Result {
    }

    static final String INVALID_JSON = "invalid JSON";
    static final String NOT_AN_OBJECT = "not a JSON object";
    static final String UNKNOWN_SHAPE = "neither a log record (request+response) nor a conversation (messages)";
    static final String MISSING_CLIENT_ID = "missing client_id";
    static final String MISSING_WORKLOAD_ID = "missing workload_id";
    static final String BAD_TIMESTAMP = "bad timestamp";
    static final String BAD_CONVERSATION = "conversation without a final assistant message";

    private final ObjectMapper mapper;
    private final String clientIdOverride;
    private final String workloadIdOverride;
    private final long loadTimeMillis;

    LogLineConverter(ObjectMapper mapper, String clientIdOverride, String workloadIdOverride, long loadTimeMillis) {
        this.mapper = mapper;
        this.clientIdOverride = blankToNull(clientIdOverride);
        this.workloadIdOverride = blankToNull(workloadIdOverride);
        this.loadTimeMillis = loadTimeMillis;
    }

    Result convert(String line) {
        JsonNode node;
        try {
            node = mapper.readTree(line);
        } catch (JsonProcessingException e) {
            return new Rejected(INVALID_JSON, e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return new Rejected(NOT_AN_OBJECT, node == null ? "empty" : node.getNodeType().toString().toLowerCase());
        }
        ObjectNode in = (ObjectNode) node;
        boolean conversation;
        ObjectNode doc;
        if (in.has(LogFields.REQUEST) && in.has(LogFields.RESPONSE)) {
            conversation = false;
            doc = in;
        } else if (in.path("messages").isArray()) {
            conversation = true;
            doc = wrapConversation(in);
            if (doc == null) {
                return new Rejected(BAD_CONVERSATION, "the last message must have role \"assistant\"");
            }
        } else {
            return new Rejected(UNKNOWN_SHAPE, "top-level fields: " + fieldNames(in));
        }
        if (clientIdOverride != null) {
            doc.put(LogFields.CLIENT_ID, clientIdOverride);
        }
        if (workloadIdOverride != null) {
            doc.put(LogFields.WORKLOAD_ID, workloadIdOverride);
        }
        if (!hasText(doc, LogFields.CLIENT_ID)) {
            return new Rejected(MISSING_CLIENT_ID, "no client_id in the line and no --client-id given");
        }
        if (!hasText(doc, LogFields.WORKLOAD_ID)) {
            return new Rejected(MISSING_WORKLOAD_ID, "no workload_id in the line and no --workload-id given");
        }
        Timestamps.Unit unit = null;
        JsonNode ts = doc.get(LogFields.TIMESTAMP);
        if (ts == null || ts.isNull()) {
            doc.put(LogFields.TIMESTAMP, loadTimeMillis);
        } else {
            try {
                Timestamps.Normalized normalized = Timestamps.parse(ts);
                doc.put(LogFields.TIMESTAMP, normalized.epochMillis());
                unit = normalized.detectedUnit();
            } catch (IllegalArgumentException e) {
                return new Rejected(BAD_TIMESTAMP, e.getMessage());
            }
        }
        try {
            return new Converted(mapper.writeValueAsBytes(doc), conversation, unit);
        } catch (JsonProcessingException e) {
            return new Rejected(INVALID_JSON, e.getOriginalMessage());
        }
    }

    /** The reference loader's wrapping of a bare conversation into a request/response pair. */
    private ObjectNode wrapConversation(ObjectNode in) {
        ArrayNode messages = (ArrayNode) in.get("messages");
        if (messages.isEmpty() || !"assistant".equals(messages.get(messages.size() - 1).path("role").asText())) {
            return null;
        }
        JsonNode answer = messages.get(messages.size() - 1);
        ObjectNode request = mapper.createObjectNode();
        request.put("model", SYNTHETIC_MODEL);
        ArrayNode history = request.putArray("messages");
        for (int i = 0; i < messages.size() - 1; i++) {
            history.add(messages.get(i));
        }
        if (in.has("tools")) {
            request.set("tools", in.get("tools"));
        }
        boolean toolCalls = answer.path("tool_calls").isArray() && !answer.path("tool_calls").isEmpty();
        ObjectNode response = mapper.createObjectNode();
        response.put("id", "chatcmpl-loaded");
        response.put("object", "chat.completion");
        response.put("created", loadTimeMillis / 1000);
        response.put("model", SYNTHETIC_MODEL);
        ObjectNode choice = response.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("message", answer);
        choice.put("finish_reason", toolCalls ? "tool_calls" : "stop");

        ObjectNode doc = mapper.createObjectNode();
        // ids and timestamp may be given next to the conversation; other extra fields are kept as metadata
        in.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("messages") && !e.getKey().equals("tools")) {
                doc.set(e.getKey(), e.getValue());
            }
        });
        doc.set(LogFields.REQUEST, request);
        doc.set(LogFields.RESPONSE, response);
        return doc;
    }

    private static boolean hasText(ObjectNode doc, String field) {
        JsonNode value = doc.get(field);
        return value != null && value.isTextual() && !value.textValue().isBlank();
    }

    private static String fieldNames(ObjectNode node) {
        StringBuilder sb = new StringBuilder();
        node.fieldNames().forEachRemaining(n -> sb.append(sb.length() == 0 ? "" : ", ").append(n));
        return sb.length() == 0 ? "(none)" : sb.toString();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
