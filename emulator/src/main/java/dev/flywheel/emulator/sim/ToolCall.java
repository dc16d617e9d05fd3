package dev.flywheel.emulator.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.http.Json;
import java.util.ArrayList;
import java.util.List;

/** A function call: name plus arguments as a JSON value (usually an object). */
public record ToolCall(String name, JsonNode arguments) {

    /**
     * Reads OpenAI-style tool calls, {@code [{"function": {"name", "arguments"}}]} or {@code [{"name", "arguments"}]},
     * accepting arguments either as an object or as a JSON string (responses use strings, datasets often objects).
     */
    public static List<ToolCall> parseList(JsonNode node) {
        List<ToolCall> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (node.isTextual()) {
            JsonNode parsed = Json.tryParse(node.asText());
            return parsed == null ? out : parseList(parsed);
        }
        if (node.isObject()) {
            node = Json.arr().add(node);
        }
        for (JsonNode c : node) {
            JsonNode fn = c.has("function") ? c.get("function") : c;
            String name = Json.text(fn, "name");
            if (name == null) {
                continue;
            }
            out.add(new ToolCall(name, normaliseArguments(fn.get("arguments"))));
        }
        return out;
    }

    public static JsonNode normaliseArguments(JsonNode args) {
        if (args == null || args.isNull()) {
            return Json.obj();
        }
        if (args.isTextual()) {
            JsonNode parsed = Json.tryParse(args.asText());
            return parsed == null ? args : parsed;
        }
        return args;
    }

    /** Same function and equal arguments (JSON equality, key order irrelevant). */
    public boolean sameAs(ToolCall other) {
        return name.equals(other.name) && Json.canonical(arguments).equals(Json.canonical(other.arguments));
    }

    /** The OpenAI response form, arguments as a JSON string. */
    public ObjectNode toResponseJson(String id) {
        ObjectNode n = Json.obj();
        n.put("id", id);
        n.put("type", "function");
        ObjectNode fn = n.putObject("function");
        fn.put("name", name);
        fn.put("arguments", Json.canonical(arguments));
        return n;
    }
}
