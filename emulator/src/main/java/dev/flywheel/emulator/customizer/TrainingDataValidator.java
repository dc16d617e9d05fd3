package dev.flywheel.emulator.customizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.emulator.http.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Checks a customization dataset the way the Customizer needs it (nemo-api.md §3.2, §7.4): every {@code *.jsonl}
 * under {@code training/} (and {@code validation/}) must hold one JSON object per line, either chat format
 * {@code {"messages": [{role, content}...], "tools"?}} with non-null string contents ending in an assistant turn, or
 * {@code {"prompt", "completion"}} strings. Without validation files 10 % of training is held out.
 */
public final class TrainingDataValidator {
    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

    /** Record counts after the hold-out. */
    public record Counts(int training, int validation) {}

    /** A dataset the Customizer would refuse; the message becomes the job's failure detail. */
    public static final class Invalid extends Exception {
        public Invalid(String message) {
            super(message);
        }
    }

    private TrainingDataValidator() {}

    public static Counts validate(Map<String, byte[]> files) throws Invalid {
        int train = 0;
        int val = 0;
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            String path = f.getKey();
            if (!path.endsWith(".jsonl")) {
                continue;
            }
            if (path.startsWith("training/")) {
                train += countLines(path, f.getValue());
            } else if (path.startsWith("validation/")) {
                val += countLines(path, f.getValue());
            }
        }
        if (train == 0) {
            throw new Invalid("No training records found: expected *.jsonl files under training/");
        }
        if (val == 0) {
            val = (int) Math.ceil(train * 0.1);
            train = Math.max(1, train - val);
        }
        return new Counts(train, val);
    }

    private static int countLines(String path, byte[] bytes) throws Invalid {
        int n = 0;
        int lineNo = 0;
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode row = Json.tryParse(line);
            String where = path + " line " + lineNo + ": ";
            if (row == null || !row.isObject()) {
                throw new Invalid(where + "not a JSON object");
            }
            if (row.has("messages")) {
                checkMessages(where, row.get("messages"));
            } else if (!(row.path("prompt").isTextual() && row.path("completion").isTextual())) {
                throw new Invalid(where + "expected 'messages' or 'prompt' and 'completion'");
            }
            n++;
        }
        return n;
    }

    private static void checkMessages(String where, JsonNode messages) throws Invalid {
        if (!messages.isArray() || messages.isEmpty()) {
            throw new Invalid(where + "'messages' must be a non-empty list");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String role = Json.text(m, "role");
            if (role == null || !ROLES.contains(role)) {
                throw new Invalid(where + "messages[" + i + "].role must be one of " + ROLES);
            }
            if (!m.path("content").isTextual()) {
                throw new Invalid(where + "messages[" + i + "].content must be a string (got "
                        + m.path("content").getNodeType().name().toLowerCase() + ")");
            }
        }
        if (!"assistant".equals(Json.text(messages.get(messages.size() - 1), "role"))) {
            throw new Invalid(where + "the last message must be from the assistant");
        }
    }
}
