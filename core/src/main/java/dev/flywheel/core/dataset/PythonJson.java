package dev.flywheel.core.dataset;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Iterator;
import java.util.Map;

/**
 * Serialises a JSON tree exactly as Python's {@code json.dumps} does with its defaults, because the reference
 * writes every dataset line with {@code json.dumps(record)} and counts ICL tokens on that same text.
 *
 * <p>Defaults reproduced: separators {@code ", "} and {@code ": "} (or {@code ","} + newline when indenting),
 * {@code ensure_ascii=True} (everything outside {@code ' '..'~'} escaped as lowercase {@code \\uXXXX}, astral
 * characters as surrogate pairs), key order as given, floats in Python {@code repr} form ({@code 1e-05},
 * {@code 100.0}, {@code 1e+16}).
 */
public final class PythonJson {

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** Longest escape of one UTF-16 unit: {@code \\uXXXX}. */
    private static final int MAX_ESCAPED = 6;
    /**
     * Characters escaped per buffer reservation: room is made for the worst case of a chunk, not of a whole
     * (possibly megabytes long) string.
     */
    private static final int CHUNK = 1024;

    private PythonJson() {}

    /** {@code json.dumps(node)}. */
    public static String dumps(JsonNode node) {
        StringBuilder out = new StringBuilder(256);
        write(node, out, -1, 0);
        return out.toString();
    }

    /** {@code json.dumps(node, indent=indent)}. */
    public static String dumps(JsonNode node, int indent) {
        StringBuilder out = new StringBuilder(256);
        write(node, out, indent, 0);
        return out.toString();
    }

    /**
     * {@code json.dumps} of the value at the parser's current token, written straight from the token stream into
     * {@code out} without building a tree; the parser is left on the value's last token. Gives the same text as
     * {@link #dumps(JsonNode)} of the parsed value provided no object in it repeats a key (a tree keeps the last
     * value in the first key's place; callers parse with duplicate detection on and fall back to the tree).
     * Numbers follow the tree's types: integers as their exact value, every other number as a double.
     */
    static void copy(JsonParser p, AsciiBuffer out) throws IOException {
        JsonToken token = p.currentToken();
        if (token == null) {
            throw new IOException("no JSON value");
        }
        switch (token) {
            case START_OBJECT -> {
                out.append('{');
                boolean first = true;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    if (!first) {
                        out.append(", ");
                    }
                    first = false;
                    writeString(p.currentName(), out);
                    out.append(": ");
                    p.nextToken();
                    copy(p, out);
                }
                out.append('}');
            }
            case START_ARRAY -> {
                out.append('[');
                boolean first = true;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (!first) {
                        out.append(", ");
                    }
                    first = false;
                    copy(p, out);
                }
                out.append(']');
            }
            case VALUE_STRING -> writeString(p.getTextCharacters(), p.getTextOffset(), p.getTextLength(), out);
            case VALUE_NUMBER_INT -> out.append(p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? p.getBigIntegerValue().toString() : Long.toString(p.getLongValue()));
            case VALUE_NUMBER_FLOAT -> out.append(floatRepr(p.getDoubleValue()));
            case VALUE_TRUE -> out.append("true");
            case VALUE_FALSE -> out.append("false");
            case VALUE_NULL -> out.append("null");
            default -> throw new IOException("unexpected " + token + " where a JSON value was expected");
        }
    }

    /** A JSON string literal the way {@code json.dumps} writes it, into an ASCII buffer. */
    static void writeString(String s, AsciiBuffer out) {
        out.append('"');
        for (int i = 0, end = s.length(); i < end; ) {
            int chunkEnd = Math.min(end, i + CHUNK);
            byte[] bytes = out.reserve(MAX_ESCAPED * (chunkEnd - i));
            int at = out.length();
            for (; i < chunkEnd; i++) {
                at = writeChar(s.charAt(i), bytes, at);
            }
            out.setLength(at);
        }
        out.append('"');
    }

    private static void writeString(char[] chars, int offset, int length, AsciiBuffer out) {
        out.append('"');
        for (int i = offset, end = offset + length; i < end; ) {
            int chunkEnd = Math.min(end, i + CHUNK);
            byte[] bytes = out.reserve(MAX_ESCAPED * (chunkEnd - i));
            int at = out.length();
            for (; i < chunkEnd; i++) {
                at = writeChar(chars[i], bytes, at);
            }
            out.setLength(at);
        }
        out.append('"');
    }

    /**
     * One character of a string literal at {@code bytes[at]}, with the same escapes as
     * {@link #writeString(String, StringBuilder)}; returns the next position.
     */
    private static int writeChar(char c, byte[] bytes, int at) {
        if (c >= ' ' && c <= '~' && c != '"' && c != '\\') {
            bytes[at] = (byte) c;
            return at + 1;
        }
        char simple = switch (c) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '\n' -> 'n';
            case '\r' -> 'r';
            case '\t' -> 't';
            case '\b' -> 'b';
            case '\f' -> 'f';
            default -> 0;
        };
        bytes[at] = '\\';
        if (simple != 0) {
            bytes[at + 1] = (byte) simple;
            return at + 2;
        }
        bytes[at + 1] = 'u';
        bytes[at + 2] = (byte) HEX[(c >> 12) & 0xF];
        bytes[at + 3] = (byte) HEX[(c >> 8) & 0xF];
        bytes[at + 4] = (byte) HEX[(c >> 4) & 0xF];
        bytes[at + 5] = (byte) HEX[c & 0xF];
        return at + 6;
    }

    private static void write(JsonNode node, StringBuilder out, int indent, int level) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            out.append("null");
        } else if (node.isTextual()) {
            writeString(node.textValue(), out);
        } else if (node.isBoolean()) {
            out.append(node.booleanValue() ? "true" : "false");
        } else if (node.isIntegralNumber()) {
            out.append(node.bigIntegerValue());
        } else if (node.isNumber()) {
            out.append(floatRepr(node.doubleValue()));
        } else if (node.isArray()) {
            writeArray(node, out, indent, level);
        } else if (node.isObject()) {
            writeObject(node, out, indent, level);
        } else {
            // Binary/POJO nodes never come out of a JSON parse; text is the closest faithful rendering.
            writeString(node.asText(), out);
        }
    }

    private static void writeArray(JsonNode node, StringBuilder out, int indent, int level) {
        if (node.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        boolean first = true;
        for (JsonNode element : node) {
            separator(out, indent, level + 1, first);
            first = false;
            write(element, out, indent, level + 1);
        }
        closing(out, indent, level);
        out.append(']');
    }

    private static void writeObject(JsonNode node, StringBuilder out, int indent, int level) {
        if (node.isEmpty()) {
            out.append("{}");
            return;
        }
        out.append('{');
        boolean first = true;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            separator(out, indent, level + 1, first);
            first = false;
            writeString(field.getKey(), out);
            out.append(": ");
            write(field.getValue(), out, indent, level + 1);
        }
        closing(out, indent, level);
        out.append('}');
    }

    private static void separator(StringBuilder out, int indent, int level, boolean first) {
        if (indent < 0) {
            if (!first) {
                out.append(", ");
            }
            return;
        }
        if (!first) {
            out.append(',');
        }
        out.append('\n').append(" ".repeat(indent * level));
    }

    private static void closing(StringBuilder out, int indent, int level) {
        if (indent >= 0) {
            out.append('\n').append(" ".repeat(indent * level));
        }
    }

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c >= ' ' && c <= '~') {
                        out.append(c);
                    } else {
                        // Java strings are UTF-16 already, so astral characters come out as surrogate pairs,
                        // exactly like Python's ensure_ascii output.
                        out.append("\\u");
                        String hex = Integer.toHexString(c);
                        out.append("0".repeat(4 - hex.length())).append(hex);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * The shortest decimal that parses back to {@code d} (what Python's repr uses). {@code Double.toString} is not
     * always shortest before JDK 19 (JDK-4511638: 4.9E-324), hence the search over significant digits.
     */
    private static BigDecimal shortestRoundTrip(double d) {
        BigDecimal exact = new BigDecimal(d);
        for (int digits = 1; digits < 17; digits++) {
            BigDecimal candidate = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == d) {
                return candidate.stripTrailingZeros();
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
    }

    /** Python's {@code repr(float)}: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = shortestRoundTrip(d);
        String digits = exact.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - exact.scale(); // decimal exponent of the first digit
        String sign = d < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String exp = String.format("%02d", Math.abs(exponent));
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exp;
        }
        String plain = exact.abs().toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }
}
