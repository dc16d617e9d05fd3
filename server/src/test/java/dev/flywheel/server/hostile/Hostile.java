package dev.flywheel.server.hostile;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The hostile material the suite is made of: strings, JSON (valid, wrong, broken, deep, not UTF-8), URL parts and
 * headers. Everything is drawn from the {@link Random} jqwik hands a generator, so a failing sample is reproduced by
 * its seed.
 */
final class Hostile {

    private Hostile() {}

    /** Ids of jobs that exist or existed, so that paths and bodies also reach real documents (kept by the suite). */
    static volatile List<String> knownJobs = List.of();
    /** Names and refs ({@code name@version}) of stored configurations. */
    static volatile List<String> knownConfigs = List.of();

    static String knownJob(Random r) {
        List<String> ids = knownJobs;
        return ids.isEmpty() ? hex(r, 24) : pick(r, ids);
    }

    static String knownConfig(Random r) {
        List<String> refs = knownConfigs;
        return refs.isEmpty() ? ident(r) : pick(r, refs);
    }

    static final List<String> NASTY = List.of(
            "", " ", "\t", "null", "undefined", "0", "-1", "NaN", "Infinity", "true", "[]", "{}",
            "{\"$gt\": \"\"}", "{\"$ne\": null}", "$where", "$gt", "$ne", "$regex", "$expr", "$function",
            "this.status == 'pending'", "'; return true; var x='", "1; sleep(5000)", "db.jobs.drop()", "_id", "a.b", "$.a",
            "..", "../", "../../../etc/passwd", "..%2f..%2f", "%2e%2e%2f", "%00", "%", "%zz", "%%", "/", "//", "\\", "?", "#",
            "&", "=", ";", "@", "@1", "a@0", "a@-1", "a@99999999999999999999", "a@1@2", "prod@1",
            "\u0000", "a\u0000b", "\r\n", "a\r\nX-Injected: 1", "\u007f", "\u0085", "\u2028", "\u202e", "\ufeff",
            "\ud800", "\udfff", "a\ud800b", "\ud83d\ude00", "\u00e9", "\u65e5\u672c\u8a9e", "${jndi:ldap://127.0.0.1/a}",
            "{{7*7}}", "%s%s%s%n", "<script>alert(1)</script>", "' OR '1'='1", "*", "\"", "'", "`",
            "000000000000000000000000", "ffffffffffffffffffffffff", "FFFFFFFFFFFFFFFFFFFFFFFF", "zzzzzzzzzzzzzzzzzzzzzzzz",
            "00000000000000000000000", "0000000000000000000000000", "llm_job", "embedding_job", "pending", "running",
            "cancelled", "PENDING", "remote", "local", "semantic_similarity", "http://", "https://x", "file:///etc/passwd");

    static final List<String> NUMBERS = List.of(
            "0", "-0", "1", "-1", "7", "100", "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967296",
            "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e308", "1e309",
            "-1e309", "1e-400", "0.5", "1.5", "-0.5", "0.1", "1E2", "1e2", "2.0", "1" + "0".repeat(400),
            "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"1\"", "\"1e309\"", "\"abc\"", "\"\"", "\"0x1\"", "\"7\"",
            "\"9223372036854775808\"", "\" 1\"");

    /** Tokens that are not JSON at all where a value should be. */
    static final List<String> NOT_JSON = List.of("NaN", "Infinity", "-Infinity", "01", "0x10", ".5", "+1", "1e", "1.",
            "tru", "nul", "'x'", "undefined", "\"\\x41\"", "\"\\u12\"", "\"\\ud800\"", "\"unterminated");

    // ------------------------------------------------------------------ strings

    static String text(Random r) {
        int roll = r.nextInt(100);
        if (roll < 30) {
            return ident(r);
        } else if (roll < 50) {
            return pick(r, NASTY);
        } else if (roll < 58) {
            return anyChars(r, r.nextInt(40));
        } else if (roll < 66) {
            return hex(r, 24);
        } else if (roll < 76) {
            return knownJob(r);
        } else if (roll < 80) {
            return knownConfig(r);
        } else if (roll < 86) {
            return ident(r) + pick(r, NASTY) + ident(r);
        } else if (roll < 91) {
            return controls(r, 1 + r.nextInt(8));
        } else if (roll < 96) {
            return huge(r);
        } else {
            return ident(r).repeat(1 + r.nextInt(30));
        }
    }

    static String ident(Random r) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
        int n = 1 + r.nextInt(20);
        StringBuilder s = new StringBuilder();
        s.append(alphabet.charAt(r.nextInt(62))); // starts with a letter or digit: also a valid config name
        for (int i = 1; i < n; i++) {
            s.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    static String hex(Random r, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append("0123456789abcdef".charAt(r.nextInt(16)));
        }
        return s.toString();
    }

    /** Any UTF-16 code units, lone surrogates and NUL included. */
    static String anyChars(Random r, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append((char) (r.nextBoolean() ? r.nextInt(0x80) : r.nextInt(0x10000)));
        }
        return s.toString();
    }

    static String controls(Random r, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(4);
            s.append(kind == 0 ? (char) 0x7f : kind == 1 ? (char) (0x80 + r.nextInt(0x20)) : (char) r.nextInt(0x20));
        }
        return s.toString();
    }

    /** Long enough to hit every length limit; the biggest stay under the 1 MiB body limit once in JSON. */
    static String huge(Random r) {
        int n = pick(r, List.of(257, 1_000, 4_097, 10_000, 70_000, 400_000));
        return switch (r.nextInt(3)) {
            case 0 -> "a".repeat(n);
            case 1 -> "\u00e9".repeat(n / 2);
            default -> "%".repeat(n);
        };
    }

    static <T> T pick(Random r, List<T> from) {
        return from.get(r.nextInt(from.size()));
    }

    static String abbreviate(String s, int max) {
        String printable = s.length() > max ? s.substring(0, max) + "...(" + s.length() + " chars)" : s;
        StringBuilder out = new StringBuilder();
        for (char c : printable.toCharArray()) {
            out.append(c < 0x20 || c == 0x7f || Character.isSurrogate(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    // ------------------------------------------------------------------ JSON

    /** A JSON string literal for {@code s}: usually escaped properly, sometimes with raw control characters (invalid). */
    static String jsonString(Random r, String s) {
        int mode = r.nextInt(20);
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 && mode != 0) {
                out.append(String.format("\\u%04x", (int) c));
            } else if ((mode == 1 && c > 0x7e) || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c)); // lone surrogates survive only as escapes
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    static String number(Random r) {
        return pick(r, NUMBERS);
    }

    /** Any JSON value, up to {@code depth} levels of arrays and objects; keys are hostile too. */
    static String jsonValue(Random r, int depth) {
        int roll = r.nextInt(depth > 0 ? 10 : 7);
        return switch (roll) {
            case 0 -> "null";
            case 1 -> r.nextBoolean() ? "true" : "false";
            case 2, 3 -> number(r);
            case 4, 5 -> jsonString(r, text(r));
            case 6 -> r.nextInt(10) == 0 ? pick(r, NOT_JSON) : jsonString(r, pick(r, NASTY));
            case 7 -> {
                List<String> items = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    items.add(jsonValue(r, depth - 1));
                }
                yield "[" + String.join(",", items) + "]";
            }
            default -> {
                List<String> members = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    String key = r.nextInt(3) == 0 ? pick(r, List.of("$gt", "$ne", "$where", "$regex", "$expr", "a.b", "_id", "", "\u0000"))
                            : text(r);
                    members.add(jsonString(r, key) + ":" + jsonValue(r, depth - 1));
                }
                yield "{" + String.join(",", members) + "}";
            }
        };
    }

    /** {@code levels} nested arrays or objects around a value. */
    static String deep(int levels, boolean objects, String inner) {
        StringBuilder s = new StringBuilder(levels * 6 + inner.length());
        s.append((objects ? "{\"a\":" : "[").repeat(levels));
        s.append(inner);
        s.append((objects ? "}" : "]").repeat(levels));
        return s.toString();
    }

    /** An object from members, each {@code "name": value}; sometimes with a key twice. */
    static String object(Random r, List<String[]> members) {
        List<String> parts = new ArrayList<>();
        for (String[] m : members) {
            parts.add(jsonString(r, m[0]) + ":" + m[1]);
        }
        if (!members.isEmpty() && r.nextInt(8) == 0) { // duplicate key, with another value
            String[] again = pick(r, members);
            parts.add(jsonString(r, again[0]) + ":" + (r.nextBoolean() ? again[1] : jsonValue(r, 1)));
        }
        if (r.nextInt(3) == 0) {
            Collections.shuffle(parts, r);
        }
        return "{" + String.join(r.nextInt(30) == 0 ? " , " : ",", parts) + "}";
    }

    /** A value of the right JSON type for a proto field most of the time, else anything. */
    static String fieldValue(Random r, FieldDescriptor f, int depth) {
        if (r.nextInt(8) == 0) {
            return jsonValue(r, 2);
        }
        if (f.isRepeated() && !f.isMapField()) {
            List<String> items = new ArrayList<>();
            for (int i = r.nextInt(4); i > 0; i--) {
                items.add(singleValue(r, f, depth));
            }
            return "[" + String.join(",", items) + "]";
        }
        return singleValue(r, f, depth);
    }

    private static String singleValue(Random r, FieldDescriptor f, int depth) {
        return switch (f.getJavaType()) {
            case STRING -> jsonString(r, text(r));
            case INT -> r.nextInt(3) == 0 ? number(r) : Integer.toString(smallInt(r));
            case LONG -> r.nextInt(3) == 0 ? number(r) : (r.nextBoolean() ? "\"" + smallInt(r) + "\"" : Integer.toString(smallInt(r)));
            case DOUBLE, FLOAT -> pick(r, List.of("0.5", "0.1", "0.0001", "0", "1", "-1", "1e308", "\"NaN\"", "\"Infinity\"",
                    "\"-Infinity\"", "1e309", "2.5"));
            case BOOLEAN -> r.nextInt(5) == 0 ? pick(r, List.of("\"true\"", "1", "0", "\"yes\"")) : Boolean.toString(r.nextBoolean());
            case MESSAGE -> f.getMessageType().getFullName().equals("google.protobuf.Timestamp") ? timestamp(r)
                    : depth <= 0 ? "{}" : message(r, f.getMessageType(), depth - 1, 0.35);
            default -> jsonValue(r, 1);
        };
    }

    static int smallInt(Random r) {
        return pick(r, List.of(0, 1, 2, 5, 10, 50, 100, 1000, -1, -100, Integer.MAX_VALUE, Integer.MIN_VALUE));
    }

    static String timestamp(Random r) {
        return jsonString(r, pick(r, List.of("2024-01-01T00:00:00Z", "2023-06-01T12:30:00.5Z", "9999-12-31T23:59:59Z",
                "0001-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "2024-13-45T99:99:99Z", "now", "1970-01-01T00:00:00Z",
                "2024-01-01T00:00:00.9999999999Z", "2024-01-01", "2024-01-01T00:00:00+25:00", "", "yesterday",
                "2030-01-01T00:00:00Z")));
    }

    /** A JSON object for a message type: each field present with probability {@code density}, plus strays. */
    static String message(Random r, Descriptor type, int depth, double density) {
        List<String[]> members = new ArrayList<>();
        for (FieldDescriptor f : type.getFields()) {
            if (r.nextDouble() < density) {
                String name = r.nextInt(6) == 0 ? f.getJsonName() : f.getName();
                members.add(new String[] {name, r.nextInt(25) == 0 ? "null" : fieldValue(r, f, depth)});
            }
        }
        if (r.nextInt(10) == 0) {
            members.add(new String[] {r.nextBoolean() ? text(r) : "unknown_field", jsonValue(r, 1)});
        }
        return object(r, members);
    }

    /** A CreateJob body: mostly a plausible request, then zero to three mutations. */
    static String createJob(Random r, boolean reference) {
        List<String[]> m = new ArrayList<>();
        m.add(new String[] {"client_id", jsonString(r, r.nextInt(4) == 0 ? text(r) : "hostile-" + ident(r))});
        m.add(new String[] {"workload_id", jsonString(r, r.nextInt(4) == 0 ? text(r) : ident(r))});
        if (r.nextBoolean()) {
            m.add(new String[] {"job_type", jsonString(r, r.nextInt(3) == 0 ? text(r) : "llm_job")});
        }
        if (r.nextInt(4) == 0) {
            m.add(new String[] {"config_name", jsonString(r, r.nextBoolean() ? knownConfig(r) : text(r))});
        }
        if (r.nextBoolean()) {
            m.add(new String[] {"data_split_config", message(r, dev.flywheel.api.v1.DataSplitConfig.getDescriptor(), 1, 0.5)});
        }
        if (!reference && r.nextBoolean()) {
            m.add(new String[] {"request_id", jsonString(r, r.nextBoolean() ? ident(r) : text(r))});
        }
        if (!reference && r.nextInt(4) == 0) {
            m.add(new String[] {r.nextBoolean() ? "from" : "to", timestamp(r)});
        }
        for (int mutations = r.nextInt(4); mutations > 0; mutations--) {
            mutate(r, m);
        }
        return object(r, m);
    }

    private static void mutate(Random r, List<String[]> members) {
        switch (r.nextInt(6)) {
            case 0 -> { if (!members.isEmpty()) members.remove(r.nextInt(members.size())); }
            case 1 -> { if (!members.isEmpty()) pick(r, members)[1] = jsonValue(r, 2); }
            case 2 -> members.add(new String[] {pick(r, List.of("unknown", "clientId", "$where", "status", "id", "version",
                    "_id", "CLIENT_ID", "client_id ", "")), jsonValue(r, 1)});
            case 3 -> { if (!members.isEmpty()) pick(r, members)[1] = jsonString(r, text(r)); }
            case 4 -> { if (!members.isEmpty()) pick(r, members)[1] = "{\"$gt\": \"\"}"; }
            default -> { if (!members.isEmpty()) pick(r, members)[1] = r.nextBoolean() ? "null" : number(r); }
        }
    }

    /** A PutConfig body: a configuration with a few fields, some of them wrong. */
    static String putConfig(Random r) {
        List<String[]> m = new ArrayList<>();
        m.add(new String[] {"name", jsonString(r, r.nextInt(3) == 0 ? text(r) : "hostile-" + ident(r))});
        if (r.nextInt(10) != 0) {
            m.add(new String[] {"config", message(r, dev.flywheel.api.v1.JobConfig.getDescriptor(), 3, 0.2)});
        }
        if (r.nextInt(4) == 0) {
            m.add(new String[] {"description", jsonString(r, text(r))});
        }
        if (r.nextInt(5) == 0) {
            mutate(r, m);
        }
        return object(r, m);
    }

    /**
     * A body that is not what it claims: empty, not JSON, deeply nested, truncated, over the size limit, or a valid
     * body with bytes that are not UTF-8.
     */
    static byte[] brokenBody(Random r, String valid) {
        return switch (r.nextInt(12)) {
            case 0 -> new byte[0];
            case 1 -> utf8(pick(r, List.of(" ", "null", "[]", "\"x\"", "42", "true", "{", "}", "{}", "{\"a\"", "\ufeff{}",
                    "{\"client_id\":\"a\",}", "{'client_id':'a'}", "{\"client_id\":\"a\" /* c */}", "{\"a\":1}{\"b\":2}",
                    "client_id=a&workload_id=b", "<xml/>")));
            case 2 -> utf8(deep(pick(r, List.of(100, 1_000, 10_000, 100_000)), r.nextBoolean(), "1"));
            case 3 -> utf8("{\"client_id\":" + deep(pick(r, List.of(1_000, 10_000)), r.nextBoolean(), "\"x\"") + "}");
            case 4 -> utf8("{\"data_split_config\":" + deep(pick(r, List.of(1_000, 10_000)), true, "{}") + "}");
            case 5 -> {
                byte[] b = utf8(valid);
                yield java.util.Arrays.copyOf(b, r.nextInt(Math.max(1, b.length)));
            }
            case 6 -> randomBytes(r, r.nextInt(200));
            case 7 -> notUtf8(r, valid);
            case 8 -> notUtf8(r, valid);
            case 9 -> utf8("{\"client_id\":\"" + "x".repeat(RequestGuardsLimit.BODY + r.nextInt(1000)) + "\"}");
            case 10 -> utf8("{" + "\"k\":1,".repeat(50_000) + "\"client_id\":\"a\"}");
            default -> utf8("[" + "1,".repeat(100_000) + "1]");
        };
    }

    /** Bytes that are not UTF-8 (overlong, surrogate, truncated, stray continuation, 0xFF) placed inside a JSON string. */
    static byte[] notUtf8(Random r, String valid) {
        byte[] bad = pick(r, List.of(new byte[] {(byte) 0xff}, new byte[] {(byte) 0xc0, (byte) 0xaf},
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {(byte) 0xe2, (byte) 0x82},
                new byte[] {(byte) 0x80}, new byte[] {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                new byte[] {(byte) 0xfe, (byte) 0xff}, new byte[] {0}));
        byte[] b = utf8(valid);
        // after an opening quote if there is one, so the bytes land inside a string value
        int at = b.length == 0 ? 0 : r.nextInt(b.length);
        for (int i = at; i < b.length; i++) {
            if (b[i] == '"') {
                at = i + 1;
                break;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, at);
        out.writeBytes(bad);
        out.write(b, at, b.length - at);
        return out.toByteArray();
    }

    static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ URLs

    /** A path segment: percent-encoded as a client should, double-encoded, raw, or with bytes that are not UTF-8. */
    static String segment(Random r, String value) {
        return switch (r.nextInt(12)) {
            case 0 -> value; // raw: may need the socket client
            case 1 -> percentEncode(percentEncode(value));
            case 2 -> pick(r, List.of("%FF", "%C0%AF", "%ED%A0%80", "%00", "%2F", "%2e%2e", "..", ".", "%", "%G1", "%u0041",
                    "%2F..%2F..%2Finternal%2Fhealth", "a%00b", "%E2%82", ";a=b", "%3B", "%20", "+"));
            default -> percentEncode(value);
        };
    }

    static String percentEncode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
                    || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    /** A query string from parameters the route knows and some it does not, with hostile values. */
    static String query(Random r, List<String> known) {
        List<String> params = new ArrayList<>();
        for (int i = r.nextInt(5); i > 0; i--) {
            String name = r.nextInt(4) == 0 ? pick(r, List.of("unknown", "client_id[$ne]", "$where", "status[$regex]",
                    "filter", "page_size[]", "page_size", "page_token", "since_version", "%24gt", "client_id%00", ""))
                    : known.isEmpty() ? ident(r) : pick(r, known);
            String value = switch (r.nextInt(6)) {
                case 0 -> number(r).replace("\"", "");
                case 1 -> pick(r, List.of("pending", "running", "completed", "PENDING", "x", "", "-1", "0", "1000", "1001",
                        "2147483648", "abc", "1.5", "1e3", "true"));
                default -> text(r);
            };
            params.add(percentEncode(name).replace("%5B", r.nextBoolean() ? "[" : "%5B").replace("%5D", r.nextBoolean() ? "]" : "%5D")
                    + (r.nextInt(15) == 0 ? "" : "=" + segment(r, value)));
        }
        if (r.nextInt(40) == 0) {
            params.add("page_token=" + "A".repeat(pick(r, List.of(5_000, 20_000))));
        }
        return params.isEmpty() ? "" : "?" + String.join(r.nextInt(20) == 0 ? "&&" : "&", params);
    }

    // ------------------------------------------------------------------ headers

    static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8",
            "application/json; charset=latin1", "application/json; charset=utf-7", "APPLICATION/JSON", "text/plain",
            "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=x",
            "application/xml", "application/json-patch+json", "application/grpc", "application/protobuf", "*/*",
            ";;;", "application/", "json", "application/json; charset=", "application/json;;", "\u00e9/\u00e9");

    /** Extra request headers: none, or junk authorization, huge values, many headers, odd accepts and encodings. */
    static List<String[]> headerAbuse(Random r) {
        List<String[]> h = new ArrayList<>();
        int roll = r.nextInt(20);
        switch (roll) {
            case 0 -> h.add(new String[] {"authorization", pick(r, List.of("Bearer", "Bearer ", "Bearer " + ident(r), "Basic !!!",
                    "Basic " + "QQ==".repeat(100), "Bearer " + "a".repeat(9000), "Negotiate x", "\t", "Bearer \u00e9", "Bearer a b c"))});
            case 1 -> h.add(new String[] {"x-huge", "v".repeat(pick(r, List.of(4_000, 9_000, 20_000, 70_000)))});
            case 2 -> {
                for (int i = pick(r, List.of(50, 200, 1_000)); i > 0; i--) {
                    h.add(new String[] {"x-many-" + i, "v"});
                }
            }
            case 3 -> h.add(new String[] {"accept", pick(r, List.of("*/*", "text/event-stream", "application/xml", ";;",
                    "application/json;q=abc", "text/html", ""))});
            case 4 -> h.add(new String[] {"content-encoding", pick(r, List.of("gzip", "deflate", "br", "zstd", "x-garbage", "identity"))});
            case 5 -> h.add(new String[] {"accept-encoding", pick(r, List.of("gzip", "*", "x-garbage;q=2", "br;q=-1"))});
            case 6 -> h.add(new String[] {"x-http-method-override", pick(r, List.of("DELETE", "PUT", "CONNECT", "x"))});
            case 7 -> h.add(new String[] {"last-event-id", pick(r, List.of("-1", "abc", "1e3", " 5 ", "9223372036854775808", "",
                    "0", "2", "99999999"))});
            case 8 -> h.add(new String[] {"grpc-timeout", pick(r, List.of("1S", "abc", "-1S", "99999999999H", "1n", ""))});
            case 9 -> h.add(new String[] {"x-bin-bin", pick(r, List.of("!!!", "====", "QQ", ""))});
            case 10 -> h.add(new String[] {"cookie", "a=" + "b".repeat(pick(r, List.of(100, 10_000)))});
            default -> { }
        }
        return h;
    }

    /** The body limit the server enforces (RequestGuards.MAX_BODY_BYTES), written here so tests read it at one place. */
    static final class RequestGuardsLimit {
        static final int BODY = dev.flywheel.server.api.RequestGuards.MAX_BODY_BYTES;

        private RequestGuardsLimit() {}
    }
}
