package dev.flywheel.emulator.evaluator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.http.Json;
import dev.flywheel.emulator.nim.InferenceEngine;
import dev.flywheel.emulator.sim.ChatAnswer;
import dev.flywheel.emulator.sim.Judge;
import dev.flywheel.emulator.sim.ToolCall;
import dev.flywheel.emulator.sim.ToolCallMetrics;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one dataset item of one task: renders the request from the task template, asks the target model through the
 * {@link InferenceEngine}, and scores the answer with each of the task's metrics — {@code tool-calling}
 * (function name / name+args accuracy), {@code llm-judge} (the emulated {@link Judge}, parsed with the configured
 * regex) and {@code string-check}. Returns the per-sample row written to the results archive.
 */
final class SampleScorer {
    private static final List<String> REFERENCE_FIELDS = List.of("reference_answer", "reference", "ideal_response",
            "expected_output", "answer");

    private final InferenceEngine engine;

    SampleScorer(InferenceEngine engine) {
        this.engine = engine;
    }

    /** The scores of one sample: metric name → score name → value. */
    record Scored(ObjectNode row, Map<String, Map<String, Double>> scores) {}

    Scored score(int index, JsonNode task, JsonNode item, String model, boolean requireServed) {
        JsonNode template = task.path("params").path("template");
        JsonNode messages;
        if ("completion".equals(Json.text(task, "type"))) {
            JsonNode prompt = template.has("prompt") ? Templates.render(template.get("prompt"), item, null)
                    : item.get("prompt");
            messages = Json.arr().add(Json.obj().put("role", "user").put("content",
                    prompt == null ? "" : prompt.asText()));
        } else {
            messages = template.has("messages") ? asJson(Templates.render(template.get("messages"), item, null))
                    : item.has("messages") ? item.get("messages") : item.path("request").get("messages");
        }
        JsonNode tools = template.has("tools") ? asJson(Templates.render(template.get("tools"), item, null)) : null;
        JsonNode toolChoice = template.has("tool_choice") ? Templates.render(template.get("tool_choice"), item, null)
                : null;
        ChatAnswer answer = engine.chat(model, messages, tools, toolChoice, requireServed);

        ObjectNode message = Json.obj().put("role", "assistant");
        if (answer.content() == null) {
            message.putNull("content");
        } else {
            message.put("content", answer.content());
        }
        if (answer.hasToolCalls()) {
            ArrayNode calls = message.putArray("tool_calls");
            int i = 0;
            for (ToolCall tc : answer.toolCalls()) {
                calls.add(tc.toResponseJson("chatcmpl-tool-" + index + "-" + i++));
            }
        }
        ObjectNode sample = Json.obj();
        sample.put("output_text", answer.content() == null ? "" : answer.content());
        ObjectNode response = sample.putObject("response");
        response.putArray("choices").addObject().put("index", 0).<ObjectNode>set("message", message)
                .put("finish_reason", answer.hasToolCalls() ? "tool_calls" : "stop");

        Map<String, Map<String, Double>> scores = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = task.path("metrics").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> metric = it.next();
            scores.put(metric.getKey(), scoreMetric(metric.getValue(), item, sample, answer));
        }
        ObjectNode row = Json.obj();
        row.put("sample_id", index);
        row.set("item", item);
        row.set("sample", sample);
        row.put("outcome", answer.outcome());
        ObjectNode metricsNode = row.putObject("metrics");
        scores.forEach((m, s) -> {
            ObjectNode mn = metricsNode.putObject(m);
            s.forEach(mn::put);
        });
        return new Scored(row, scores);
    }

    private Map<String, Double> scoreMetric(JsonNode metric, JsonNode item, JsonNode sample, ChatAnswer answer) {
        Map<String, Double> out = new LinkedHashMap<>();
        JsonNode params = metric.path("params");
        List<ToolCall> predicted = answer.hasToolCalls() ? answer.toolCalls() : List.of();
        switch (metric.path("type").asText()) {
            case "tool-calling" -> {
                JsonNode gt = params.has("tool_calls_ground_truth")
                        ? Templates.render(params.get("tool_calls_ground_truth"), item, sample)
                        : item.path("tool_calls");
                List<ToolCall> truth = ToolCall.parseList(gt);
                out.put("function_name_accuracy", ToolCallMetrics.functionName(truth, predicted));
                out.put("function_name_and_args_accuracy", ToolCallMetrics.functionNameAndArgs(truth, predicted));
            }
            case "llm-judge" -> {
                JsonNode reference = referenceOf(item);
                List<ToolCall> refCalls = reference == null ? List.of()
                        : ToolCall.parseList(reference.get("tool_calls"));
                String reply = !refCalls.isEmpty() ? Judge.toolCorrectnessReply(refCalls, predicted)
                        : Judge.similarityReply(reference == null ? "" : Json.text(reference, "content"),
                                sample.path("output_text").asText());
                JsonNode scoreDefs = params.path("scores");
                if (scoreDefs.isEmpty()) {
                    Double v = Judge.parse(reply, null);
                    if (v != null) {
                        out.put("score", v);
                    }
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = scoreDefs.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> s = it.next();
                    Double v = Judge.parse(reply, s.getValue().path("parser").path("pattern").asText(null));
                    if (v != null) {
                        out.put(s.getKey(), v);
                    }
                }
            }
            case "string-check" -> {
                JsonNode check = Templates.render(params.path("check"), item, sample);
                String left = check.path(0).asText("");
                String op = check.path(1).asText("equals");
                String right = check.path(2).asText("");
                boolean ok = switch (op) {
                    case "equals" -> left.equals(right);
                    case "not equals" -> !left.equals(right);
                    case "contains" -> left.contains(right);
                    case "not contains" -> !left.contains(right);
                    case "startswith" -> left.startsWith(right);
                    case "endswith" -> left.endsWith(right);
                    default -> false;
                };
                out.put("string-check", ok ? 1.0 : 0.0);
            }
            default -> { } // rejected when the job is created
        }
        return out;
    }

    /**
     * What the judge compares against: the logged answer of a DFW record ({@code response.choices[0].message}), the
     * final assistant turn of a chat record, or a reference text field.
     */
    static JsonNode referenceOf(JsonNode item) {
        JsonNode m = item.path("response").path("choices").path(0).path("message");
        if (m.isObject()) {
            return m;
        }
        JsonNode msgs = item.path("messages");
        if (msgs.isArray() && msgs.size() > 0 && "assistant".equals(Json.text(msgs.get(msgs.size() - 1), "role"))) {
            return msgs.get(msgs.size() - 1);
        }
        for (String f : REFERENCE_FIELDS) {
            if (item.path(f).isTextual()) {
                return Json.obj().put("role", "assistant").put("content", item.get(f).asText());
            }
        }
        return null;
    }

    /** A rendered template that produced JSON text (e.g. "[...]" around expressions) is parsed. */
    private static JsonNode asJson(JsonNode rendered) {
        if (rendered != null && rendered.isTextual()) {
            JsonNode parsed = Json.tryParse(rendered.asText());
            return parsed == null ? rendered : parsed;
        }
        return rendered;
    }
}
