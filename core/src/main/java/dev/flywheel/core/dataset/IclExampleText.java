package dev.flywheel.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Renders a pool record as the reference's ICL example text ({@code format_example}):
 *
 * <pre>
 * For example, if the conversation looks like this:
 * {role}: {content}\n\n   (every request message)
 * \nThen you'll respond with:
 * {role}: {content}
 * Tool calls:
 * {json.dumps(tool_calls, indent=2)}   (only when the response has tool calls)
 * </pre>
 * "Then you'll respond with" is also the marker the NeMo emulator uses to recognise in-context examples.
 */
final class IclExampleText {

    private IclExampleText() {}

    static String format(JsonNode record) {
        StringBuilder request = new StringBuilder();
        for (JsonNode message : record.get("request").get("messages")) {
            request.append(PythonValues.str(message.get("role"))).append(": ")
                    .append(PythonValues.str(message.get("content"))).append("\n\n");
        }
        JsonNode response = record.get("response").get("choices").get(0).get("message");
        StringBuilder answer = new StringBuilder()
                .append(response.has("role") ? PythonValues.str(response.get("role")) : "unknown").append(": ")
                .append(response.has("content") ? PythonValues.str(response.get("content")) : "unknown");
        JsonNode calls = response.get("tool_calls");
        if (PythonValues.isTruthy(calls)) {
            answer.append("\nTool calls:\n").append(PythonJson.dumps(calls, 2));
        }
        return "For example, if the conversation looks like this:\n" + request
                + "\nThen you'll respond with:\n" + answer;
    }
}
