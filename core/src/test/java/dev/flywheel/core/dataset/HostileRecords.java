package dev.flywheel.core.dataset;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded random log records for comparing the streaming routes with the tree routes: mostly plausible
 * chat-completion records, but with every part free to be missing, null, of another type, repeated, reordered or
 * odd — empty and multimodal content, null or unparseable tool arguments, escapes, astral and control characters,
 * unusual numbers, deep nesting, trailing garbage, truncation, invalid UTF-8.
 */
final class HostileRecords {

    private static final String[] ROLES = {"system", "user", "user", "assistant", "tool", "developer"};
    private static final String[] TEXTS = {"", " ", "hello", "Where is my order?", "caf\u00e9 \u00fc\u00df",
            "\u65e5\u672c\u8a9e", "emoji \ud83d\ude00 astral", "quote \" and \\ backslash", "line\nbreak\ttab\r",
            "ctrl \u0001\u001f\u007f", "{\"looks\": \"like json\"}", "<|endoftext|>", "\u2028\u2029", "0", "null"};
    private static final String[] NUMBERS = {"0", "-0", "1", "42", "-7", "2147483648", "9223372036854775807",
            "9223372036854775808", "123456789012345678901234567890", "0.0", "-0.0", "1.0", "0.2", "1e-05", "1E5",
            "1e16", "1.5e300", "1e400", "-1e-400", "3.141592653589793", "100.0", "1712345678.9", "1712345678901"};
    private static final String[] TOOL_NAMES = {"search", "weather", "get_order_status", "", "x".repeat(300)};

    private final SplittableRandom random;

    HostileRecords(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The next record's bytes; most are well-formed JSON, some deliberately are not. */
    byte[] next() {
        String json = record();
        int damage = random.nextInt(100);
        if (damage == 0) {
            return json.substring(0, random.nextInt(json.length())).getBytes(StandardCharsets.UTF_8);
        }
        if (damage == 1) {
            json = json + (random.nextBoolean() ? " {}" : " x");
        }
        if (damage == 2) {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            bytes[random.nextInt(bytes.length)] = (byte) (0x80 | random.nextInt(0x80));
            return bytes;
        }
        if (damage == 3) {
            json = "[" + json + "]";
        }
        if (damage == 4) {
            json = json.replace("hello", "hel\\qlo"); // an invalid escape, wherever the string is
        }
        if (damage == 5) {
            json = json.replace("hello", "hel\u0001lo"); // a raw control character inside a string
        }
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private String record() {
        List<String> fields = new ArrayList<>();
        if (chance(97)) {
            fields.add(field("request", chance(95) ? request() : anyValue(2)));
        }
        if (chance(97)) {
            fields.add(field("response", chance(95) ? response() : anyValue(2)));
        }
        if (chance(90)) {
            fields.add(field("timestamp", random.nextBoolean() ? pick(NUMBERS) : anyScalar()));
        }
        fields.add(field("client_id", quote("c")));
        fields.add(field("workload_id", quote("w")));
        if (chance(20)) {
            fields.add(field("metadata", anyValue(3)));
        }
        if (chance(3)) {
            fields.add(field("nested", deep(random.nextInt(5, 1200))));
        }
        return object(fields);
    }

    private String request() {
        List<String> fields = new ArrayList<>();
        fields.add(field("model", quote("m")));
        if (chance(97)) {
            fields.add(field("messages", chance(95) ? messages() : anyValue(2)));
        }
        if (chance(60)) {
            fields.add(field("tools", chance(85) ? tools() : anyValue(2)));
        }
        if (chance(30)) {
            fields.add(field("temperature", pick(NUMBERS)));
        }
        return object(fields);
    }

    private String messages() {
        List<String> list = new ArrayList<>();
        int n = random.nextInt(30) == 0 ? 0 : 1 + random.nextInt(5);
        for (int i = 0; i < n; i++) {
            list.add(chance(97) ? message(true) : anyValue(1));
        }
        return array(list);
    }

    private String message(boolean history) {
        List<String> fields = new ArrayList<>();
        if (chance(95)) {
            fields.add(field("role", chance(95) ? quote(pick(ROLES)) : anyScalar()));
        }
        if (chance(92)) {
            fields.add(field("content", content()));
        }
        if (chance(history ? 15 : 50)) {
            fields.add(field("tool_calls", chance(90) ? toolCalls() : anyValue(2)));
        }
        if (chance(10)) {
            fields.add(field("name", quote("n")));
        }
        return object(fields);
    }

    private String content() {
        int kind = random.nextInt(10);
        if (kind < 5) {
            return quote(pick(TEXTS) + (random.nextBoolean() ? " " + random.nextInt(1000) : ""));
        }
        if (kind == 5) {
            return "null";
        }
        if (kind == 6) {
            return multimodal();
        }
        if (kind == 7) {
            return random.nextBoolean() ? "[]" : "{}";
        }
        return anyScalar();
    }

    private String multimodal() {
        List<String> parts = new ArrayList<>();
        for (int i = random.nextInt(3); i >= 0; i--) {
            parts.add(random.nextBoolean()
                    ? object(List.of(field("type", quote("text")), field("text", quote(pick(TEXTS)))))
                    : object(List.of(field("type", quote("image_url")),
                            field("image_url", object(List.of(field("url", quote("data:x"))))))));
        }
        return array(parts);
    }

    private String tools() {
        List<String> list = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            if (!chance(95)) {
                list.add(anyValue(1));
                continue;
            }
            List<String> properties = new ArrayList<>();
            for (int p = random.nextInt(11); p > 0; p--) {
                properties.add(field("p" + p, object(List.of(field("type", quote("string"))))));
            }
            String parameters = object(List.of(field("type", quote("object")),
                    field("properties", chance(90) ? object(properties) : anyValue(1))));
            list.add(object(List.of(field("type", quote("function")), field("function", object(List.of(
                    field("name", quote(pick(TOOL_NAMES))), field("parameters", parameters)))))));
        }
        return array(list);
    }

    private String toolCalls() {
        List<String> list = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            if (!chance(95)) {
                list.add(anyValue(1));
                continue;
            }
            List<String> function = new ArrayList<>();
            if (chance(95)) {
                function.add(field("name", chance(95) ? quote(pick(TOOL_NAMES)) : anyScalar()));
            }
            if (chance(95)) {
                function.add(field("arguments", arguments()));
            }
            List<String> call = new ArrayList<>();
            call.add(field("id", quote("call_" + i)));
            if (chance(95)) {
                call.add(field("type", chance(93) ? quote("function") : anyScalar()));
            }
            if (chance(97)) {
                call.add(field("function", chance(95) ? object(function) : anyValue(1)));
            }
            list.add(object(call));
        }
        return array(list);
    }

    private String arguments() {
        int kind = random.nextInt(12);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> quote("{not json");
            case 2 -> quote("");
            case 3 -> quote("{\"a\": 1} trailing");
            case 4 -> quote("{\"a\": 1, \"a\": 2}");
            case 5 -> object(List.of(field("q", quote(pick(TEXTS)))));
            case 6 -> quote(pick(NUMBERS));
            case 7 -> quote("[1, 2.5, \"x\", null, true]");
            default -> quote("{\"order_id\": \"A" + random.nextInt(1000) + "\", \"reason\": " + quote(pick(TEXTS))
                    + ", \"n\": " + pick(NUMBERS) + "}");
        };
    }

    private String response() {
        List<String> fields = new ArrayList<>();
        fields.add(field("id", quote("r")));
        if (chance(97)) {
            List<String> choices = new ArrayList<>();
            int n = random.nextInt(30) == 0 ? 0 : 1 + (random.nextInt(5) == 0 ? random.nextInt(3) : 0);
            for (int i = 0; i < n; i++) {
                if (!chance(97)) {
                    choices.add(anyValue(1));
                    continue;
                }
                List<String> choice = new ArrayList<>();
                choice.add(field("index", Integer.toString(i)));
                if (chance(97)) {
                    choice.add(field("message", chance(97) ? message(false) : anyValue(1)));
                }
                choice.add(field("finish_reason", quote("stop")));
                choices.add(object(choice));
            }
            fields.add(field("choices", chance(97) ? array(choices) : anyValue(1)));
        }
        if (chance(40)) {
            fields.add(field("usage", object(List.of(field("total_tokens", pick(NUMBERS))))));
        }
        return object(fields);
    }

    private String anyValue(int depth) {
        int kind = random.nextInt(depth > 0 ? 4 : 2);
        if (kind == 2) {
            List<String> list = new ArrayList<>();
            for (int i = random.nextInt(3); i > 0; i--) {
                list.add(anyValue(depth - 1));
            }
            return array(list);
        }
        if (kind == 3) {
            List<String> fields = new ArrayList<>();
            for (int i = random.nextInt(3); i > 0; i--) {
                fields.add(field("k" + random.nextInt(3), anyValue(depth - 1)));
            }
            return object(fields);
        }
        return anyScalar();
    }

    private String anyScalar() {
        return switch (random.nextInt(5)) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2 -> pick(NUMBERS);
            default -> quote(pick(TEXTS));
        };
    }

    private static String deep(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    /** Fields in random order, sometimes with one of them repeated (a tree keeps the last value). */
    private String object(List<String> fields) {
        List<String> shuffled = new ArrayList<>(fields);
        if (chance(70)) {
            Collections.shuffle(shuffled, new java.util.Random(random.nextLong()));
        }
        if (!shuffled.isEmpty() && random.nextInt(300) == 0) {
            shuffled.add(random.nextInt(shuffled.size() + 1), shuffled.get(random.nextInt(shuffled.size())));
        }
        return "{" + space() + String.join("," + space(), shuffled) + space() + "}";
    }

    private String array(List<String> values) {
        return "[" + space() + String.join("," + space(), values) + space() + "]";
    }

    private String field(String name, String value) {
        return quote(name) + space() + ":" + space() + value;
    }

    private String space() {
        return switch (random.nextInt(8)) {
            case 0 -> " ";
            case 1 -> "\n  ";
            default -> "";
        };
    }

    /** A JSON string literal, sometimes with characters needlessly escaped (same value, other bytes). */
    private String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        boolean escapeMore = random.nextInt(10) == 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || (escapeMore && c > 0x7e) || (escapeMore && c == 'e')) {
                out.append(String.format("\\u%04x", (int) c));
            } else if (escapeMore && c == '/') {
                out.append("\\/");
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }
}
