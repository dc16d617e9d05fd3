package dev.flywheel.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Turns a spooled log record into the reference's dataset lines (anchor §5.6):
 *
 * <ul>
 *   <li>{@link #normalize}: the reference's in-place mutation during validation — for tool-calling workloads with
 *       {@code parse_function_arguments}, every response tool call's string {@code arguments} becomes a JSON value.
 *   <li>{@link #evaluatorLine} ({@code format_evaluator}): the whole log document; object {@code arguments} of
 *       tool calls in the <em>request</em> history are re-serialised to JSON strings (OpenAI input shape), the
 *       response (ground truth) keeps objects.
 *   <li>{@link #trainingLine} ({@code format_training_data}): {@code {"tools": ..., "messages": [...]}} for
 *       tool-calling (tools first: the reference assigns it first), {@code {"messages": [...]}} for generic;
 *       history assistant messages with {@code content: null} get {@code ""}; for tool-calling the appended
 *       response message's {@code content} is forced to {@code ""}.
 * </ul>
 * Inputs have passed {@link RecordInspector}, so the shapes used here are guaranteed.
 */
final class RecordFormatter {

    private final WorkloadType workload;
    private final boolean parseFunctionArguments;

    RecordFormatter(WorkloadType workload, boolean parseFunctionArguments) {
        this.workload = workload;
        this.parseFunctionArguments = parseFunctionArguments;
    }

    WorkloadType workload() {
        return workload;
    }

    boolean parseFunctionArguments() {
        return parseFunctionArguments;
    }

    /** Parses response tool-call arguments in place when the reference would have. */
    ObjectNode normalize(JsonNode record) {
        ObjectNode normalized = (ObjectNode) record;
        if (workload != WorkloadType.TOOL_CALLING || !parseFunctionArguments) {
            return normalized;
        }
        for (JsonNode choice : normalized.get("response").get("choices")) {
            JsonNode calls = choice.get("message").get("tool_calls");
            if (calls == null || !calls.isArray()) {
                continue;
            }
            for (JsonNode call : calls) {
                JsonNode function = call.get("function");
                if (function instanceof ObjectNode fn && fn.path("arguments").isTextual()) {
                    try {
                        fn.set("arguments", DatasetJson.parse(fn.get("arguments").textValue()));
                    } catch (IOException e) {
                        // Unreachable for records that passed the filter; keep the string as the reference would.
                    }
                }
            }
        }
        return normalized;
    }

    /** A copy shaped for the Evaluator: request-history argument objects become JSON strings. */
    ObjectNode evaluatorLine(ObjectNode normalized) {
        ObjectNode line = normalized.deepCopy();
        for (JsonNode message : line.get("request").get("messages")) {
            JsonNode calls = message.get("tool_calls");
            if (!PythonValues.isTruthy(calls) || !calls.isArray()) {
                continue;
            }
            for (JsonNode call : calls) {
                JsonNode function = call.get("function");
                if (function instanceof ObjectNode fn && fn.path("arguments").isObject()) {
                    fn.put("arguments", PythonJson.dumps(fn.get("arguments")));
                }
            }
        }
        return line;
    }

    /** The Customizer's chat line. */
    ObjectNode trainingLine(ObjectNode normalized) {
        ObjectNode line = JsonNodeFactory.instance.objectNode();
        ArrayNode messages = normalized.get("request").get("messages").deepCopy();
        for (JsonNode message : messages) {
            ObjectNode m = (ObjectNode) message;
            if ("assistant".equals(m.path("role").asText(null)) && m.has("content") && m.get("content").isNull()) {
                m.put("content", "");
            }
        }
        ObjectNode response = normalized.get("response").get("choices").get(0).get("message").deepCopy();
        if (workload == WorkloadType.TOOL_CALLING) {
            response.put("content", "");
            line.set("tools", normalized.get("request").get("tools").deepCopy());
        }
        messages.add(response);
        line.set("messages", messages);
        return line;
    }
}
