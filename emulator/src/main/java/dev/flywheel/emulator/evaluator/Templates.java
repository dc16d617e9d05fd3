package dev.flywheel.emulator.evaluator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.http.Json;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of the Evaluator's Jinja2 templating that custom configs use (nemo-api.md §6.4): {@code {{ path }}} and
 * {@code {{ path | tojson }}} (also {@code trim}, {@code string}) where path is {@code item.…} or {@code sample.…} with
 * dotted fields and {@code [n]} indexes. A string that is exactly one {@code tojson} expression renders to the JSON
 * value itself, which is what parsing the rendered text would give.
 */
public final class Templates {
    private static final Pattern EXPR = Pattern.compile("\\{\\{\\s*(.+?)\\s*}}");
    private static final Pattern WHOLE = Pattern.compile("^\\s*\\{\\{\\s*(.+?)\\s*}}\\s*$", Pattern.DOTALL);
    private static final Pattern SEGMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)|\\[(\\d+)]|\\[['\"](.+?)['\"]]");

    private Templates() {}

    public static JsonNode render(JsonNode template, JsonNode item, JsonNode sample) {
        if (template == null || template.isNull()) {
            return template;
        }
        if (template.isTextual()) {
            return renderText(template.asText(), item, sample);
        }
        if (template.isArray()) {
            ArrayNode out = Json.arr();
            template.forEach(t -> out.add(render(t, item, sample)));
            return out;
        }
        if (template.isObject()) {
            ObjectNode out = Json.obj();
            for (Iterator<Map.Entry<String, JsonNode>> it = template.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                out.set(f.getKey(), render(f.getValue(), item, sample));
            }
            return out;
        }
        return template;
    }

    private static JsonNode renderText(String text, JsonNode item, JsonNode sample) {
        Matcher whole = WHOLE.matcher(text);
        if (whole.matches() && !whole.group(1).contains("}}")) {
            JsonNode v = eval(whole.group(1), item, sample);
            return v == null ? JsonNodeFactory.instance.nullNode() : v;
        }
        Matcher m = EXPR.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            JsonNode v = eval(m.group(1), item, sample);
            String s = v == null || v.isNull() ? "" : v.isTextual() ? v.asText() : Json.write(v);
            m.appendReplacement(sb, Matcher.quoteReplacement(s));
        }
        m.appendTail(sb);
        return JsonNodeFactory.instance.textNode(sb.toString());
    }

    /** Evaluates {@code path | filter | ...}; unknown paths give null (Jinja's undefined renders empty). */
    static JsonNode eval(String expr, JsonNode item, JsonNode sample) {
        String[] parts = expr.split("\\|");
        JsonNode v = path(parts[0].trim(), item, sample);
        for (int i = 1; i < parts.length; i++) {
            String filter = parts[i].trim();
            if (v == null) {
                break;
            }
            switch (filter) {
                case "trim" -> v = JsonNodeFactory.instance.textNode(v.asText().trim());
                case "string" -> v = JsonNodeFactory.instance.textNode(v.isTextual() ? v.asText() : Json.write(v));
                default -> { } // tojson and unknown filters keep the value as JSON
            }
        }
        return v;
    }

    private static JsonNode path(String path, JsonNode item, JsonNode sample) {
        Matcher m = SEGMENT.matcher(path);
        JsonNode cur = null;
        boolean first = true;
        int pos = 0;
        while (m.find()) {
            if (m.start() != pos && path.charAt(pos) != '.') {
                return null;
            }
            pos = m.end();
            if (pos < path.length() && path.charAt(pos) == '.') {
                pos++;
            }
            if (first) {
                first = false;
                cur = switch (m.group(1) == null ? "" : m.group(1)) {
                    case "item" -> item;
                    case "sample" -> sample;
                    default -> null;
                };
                continue;
            }
            if (cur == null) {
                return null;
            }
            if (m.group(1) != null) {
                cur = cur.get(m.group(1));
            } else if (m.group(2) != null) {
                cur = cur.get(Integer.parseInt(m.group(2)));
            } else {
                cur = cur.get(m.group(3));
            }
        }
        return cur;
    }
}
