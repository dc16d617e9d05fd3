package dev.flywheel.emulator.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.http.ApiException;
import dev.flywheel.emulator.http.Json;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One request-level fault: which requests it hits (host, method, path glob with {@code *}), how often ({@code rate}
 * in [0, 1], at most {@code count} times, -1 = unlimited) and what happens:
 * <ul>
 *   <li>{@code LATENCY}: the answer is delayed by {@code latencyMs} (adds up with other rules);</li>
 *   <li>{@code ERROR}: the request is not executed and answers {@code status} with a NeMo error body;</li>
 *   <li>{@code LOSE_ANSWER}: the request is executed (its change is committed) but the connection is reset
 *       instead of answering — the client cannot tell whether it happened;</li>
 *   <li>{@code HANG}: no answer at all until the client gives up (or the emulator restarts).</li>
 * </ul>
 */
public record FaultRule(Kind kind, String host, String method, String path, double rate, int count, int status,
                        long latencyMs) {

    /** What a matching request suffers. */
    public enum Kind { LATENCY, ERROR, LOSE_ANSWER, HANG }

    public static FaultRule error(String method, String path, int status) {
        return new FaultRule(Kind.ERROR, null, method, path, 1.0, -1, status, 0);
    }

    public static FaultRule latency(String method, String path, long millis) {
        return new FaultRule(Kind.LATENCY, null, method, path, 1.0, -1, 0, millis);
    }

    public static FaultRule loseAnswer(String method, String path) {
        return new FaultRule(Kind.LOSE_ANSWER, null, method, path, 1.0, -1, 0, 0);
    }

    public static FaultRule hang(String method, String path) {
        return new FaultRule(Kind.HANG, null, method, path, 1.0, -1, 0, 0);
    }

    public FaultRule times(int n) {
        return new FaultRule(kind, host, method, path, rate, n, status, latencyMs);
    }

    public FaultRule withRate(double r) {
        return new FaultRule(kind, host, method, path, r, count, status, latencyMs);
    }

    /** Restricts the rule to one host: {@code platform}, {@code nim} or {@code datastore}. */
    public FaultRule onHost(String h) {
        return new FaultRule(kind, h, method, path, rate, count, status, latencyMs);
    }

    public boolean matches(String reqHost, String reqMethod, String reqPath) {
        if (host != null && !host.equalsIgnoreCase(reqHost)) {
            return false;
        }
        if (method != null && !method.equals("*") && !method.equalsIgnoreCase(reqMethod)) {
            return false;
        }
        return path == null || glob(path).matcher(reqPath).matches();
    }

    /** A glob where {@code *} matches any characters, including {@code /}. */
    private static Pattern glob(String g) {
        String[] parts = g.split("\\*", -1);
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                re.append(".*");
            }
            re.append(Pattern.quote(parts[i]));
        }
        return Pattern.compile(re.toString());
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.obj();
        n.put("kind", kind.name().toLowerCase(Locale.ROOT));
        putNullable(n, "host", host);
        putNullable(n, "method", method);
        putNullable(n, "path", path);
        n.put("rate", rate);
        n.put("count", count);
        if (kind == Kind.ERROR) {
            n.put("status", status);
        }
        if (kind == Kind.LATENCY) {
            n.put("latency_ms", latencyMs);
        }
        return n;
    }

    public static FaultRule fromJson(JsonNode n, int index) {
        String kindText = Json.text(n, "kind");
        Kind kind;
        try {
            kind = Kind.valueOf(kindText == null ? "" : kindText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.unprocessable(List.of("body", "rules", index, "kind"),
                    "kind must be one of latency, error, lose_answer, hang", "enum");
        }
        double rate = n.path("rate").asDouble(1.0);
        if (rate < 0 || rate > 1) {
            throw ApiException.unprocessable(List.of("body", "rules", index, "rate"), "rate must be in [0, 1]",
                    "value_error");
        }
        return new FaultRule(kind, Json.text(n, "host"), Json.text(n, "method"), Json.text(n, "path"), rate,
                n.path("count").asInt(-1), n.path("status").asInt(503), n.path("latency_ms").asLong(0));
    }

    private static void putNullable(ObjectNode n, String f, String v) {
        if (v == null) {
            n.putNull(f);
        } else {
            n.put(f, v);
        }
    }
}
