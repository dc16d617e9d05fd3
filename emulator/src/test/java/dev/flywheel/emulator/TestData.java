package dev.flywheel.emulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.http.Json;
import java.util.ArrayList;
import java.util.List;

/** Generated flywheel datasets in DFW's file formats (anchor-data-flywheel.md §5.6). Nothing here is per-test. */
final class TestData {
    private static final String[] CITIES = {"Paris", "Tokyo", "Lima", "Oslo", "Cairo", "Denver", "Seoul", "Rome",
        "Quito", "Perth", "Dakar", "Hanoi", "Accra", "Sofia", "Delhi", "Miami"};

    private TestData() {}

    static ArrayNode tools() {
        ArrayNode tools = Json.arr();
        tool(tools, "get_weather", "city", "unit");
        tool(tools, "search_flights", "origin", "destination");
        tool(tools, "convert_currency", "from", "to");
        return tools;
    }

    private static void tool(ArrayNode tools, String name, String a, String b) {
        ObjectNode fn = tools.addObject().put("type", "function").putObject("function").put("name", name);
        ObjectNode props = fn.putObject("parameters").put("type", "object").putObject("properties");
        props.putObject(a).put("type", "string");
        props.putObject(b).put("type", "string");
    }

    /** A logged tool-calling record: request (messages, tools) and the teacher's response. */
    static ObjectNode toolRecord(int i, String systemPrompt) {
        String city = CITIES[i % CITIES.length];
        String other = CITIES[(i * 7 + 3) % CITIES.length];
        String fn;
        ObjectNode args = Json.obj();
        String question;
        switch (i % 3) {
            case 0 -> {
                fn = "get_weather";
                args.put("city", city).put("unit", i % 2 == 0 ? "celsius" : "fahrenheit");
                question = "What is the weather in " + city + " in " + args.get("unit").asText() + "? (#" + i + ")";
            }
            case 1 -> {
                fn = "search_flights";
                args.put("origin", city).put("destination", other);
                question = "Find me flights from " + city + " to " + other + " (#" + i + ")";
            }
            default -> {
                fn = "convert_currency";
                args.put("from", "USD").put("to", i % 2 == 0 ? "EUR" : "JPY");
                question = "Convert USD to " + args.get("to").asText() + " for my trip to " + city + " (#" + i + ")";
            }
        }
        ObjectNode rec = Json.obj();
        ObjectNode req = rec.putObject("request");
        ArrayNode msgs = req.putArray("messages");
        msgs.addObject().put("role", "system").put("content", systemPrompt);
        msgs.addObject().put("role", "user").put("content", question);
        req.set("tools", tools());
        ObjectNode msg = rec.putObject("response").putArray("choices").addObject().putObject("message");
        msg.put("role", "assistant").putNull("content");
        msg.putArray("tool_calls").addObject().put("type", "function").putObject("function").put("name", fn)
                .set("arguments", args);
        rec.put("workload_id", "wl").put("client_id", "c").put("timestamp", 1700000000 + i);
        return rec;
    }

    /** A logged generic (non-tool) record with a long-ish reference answer. */
    static ObjectNode textRecord(int i) {
        String city = CITIES[i % CITIES.length];
        ObjectNode rec = Json.obj();
        ArrayNode msgs = rec.putObject("request").putArray("messages");
        msgs.addObject().put("role", "system").put("content", "You are a travel assistant.");
        msgs.addObject().put("role", "user").put("content", "Describe " + city + " for a visitor (#" + i + ")");
        rec.putObject("response").putArray("choices").addObject().putObject("message").put("role", "assistant")
                .put("content", city + " is a wonderful city with rich history, great food, friendly people, "
                        + "beautiful parks and many museums worth visiting in spring " + i);
        return rec;
    }

    static String jsonl(List<ObjectNode> rows) {
        List<String> lines = new ArrayList<>();
        rows.forEach(r -> lines.add(Json.write(r)));
        return String.join("\n", lines);
    }

    static String toolEval(int from, int n, String system) {
        List<ObjectNode> rows = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            rows.add(toolRecord(i, system));
        }
        return jsonl(rows);
    }

    /** DFW's ICL system prompt shape: preamble, then examples each ending with "Then you'll respond with:". */
    static String iclSystem(int examples) {
        StringBuilder sb = new StringBuilder("You are a helpful assistant. Here are some examples of how to respond.\n");
        for (int i = 0; i < examples; i++) {
            sb.append("\nFor example, if the user says:\nuser: question ").append(i)
                    .append("\nThen you'll respond with:\nassistant: answer ").append(i).append('\n');
        }
        return sb.toString();
    }

    /** Training lines: messages incl. the final assistant turn (content forced to ""), plus tools. */
    static String training(int from, int n) {
        List<ObjectNode> rows = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            ObjectNode rec = toolRecord(i, "You are a helpful assistant.");
            ObjectNode line = Json.obj();
            ArrayNode msgs = line.putArray("messages");
            rec.path("request").path("messages").forEach(msgs::add);
            ObjectNode answer = rec.path("response").path("choices").path(0).path("message").deepCopy();
            answer.put("content", "");
            msgs.add(answer);
            line.set("tools", tools());
            rows.add(line);
        }
        return jsonl(rows);
    }
}
