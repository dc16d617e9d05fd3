package dev.flywheel.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * First-pass examination of one raw log record: OpenAI-format validation (reference order and rules), the
 * facts needed later for the workload vote, the tool-calling filter, dedup and the split label. The rules are
 * defined on a parsed tree ({@link #inspectTree}); most records are judged by {@link StreamingRecordInspector}
 * instead, which gives the same facts without building one. Pure and stateless apart from reusable digests (not
 * thread-safe); it never throws for bad input — odd data becomes an {@link InvalidReason}.
 */
final class RecordInspector {

    private final int maxRecordBytes;
    private final int maxToolParameters;
    private final boolean parseFunctionArguments;
    private final MessageDigest sha256;
    private final StreamingRecordInspector streaming;

    /**
     * @param maxRecordBytes         larger records are rejected unparsed
     * @param maxToolParameters      the reference's NIM workaround: a tool with more parameter properties
     *                               is invalid (8 there); {@link Integer#MAX_VALUE} disables the rule
     * @param parseFunctionArguments the job's {@code parse_function_arguments}
     */
    RecordInspector(int maxRecordBytes, int maxToolParameters, boolean parseFunctionArguments) {
        this.maxRecordBytes = maxRecordBytes;
        this.maxToolParameters = maxToolParameters;
        this.parseFunctionArguments = parseFunctionArguments;
        this.streaming = new StreamingRecordInspector(maxToolParameters, parseFunctionArguments);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory on every JVM", e);
        }
    }

    /**
     * Inspects raw bytes: with one streaming pass where it can judge the record ({@link StreamingRecordInspector}),
     * with a parsed tree otherwise; both give the same facts.
     */
    RecordFacts inspect(byte[] raw) {
        if (raw.length > maxRecordBytes) {
            return RecordFacts.invalid(InvalidReason.RECORD_TOO_LARGE);
        }
        if (!isUtf8(raw)) {
            return RecordFacts.invalid(InvalidReason.NOT_UTF8);
        }
        RecordFacts streamed = streaming.inspect(raw);
        return streamed != null ? streamed : inspectTree(raw);
    }

    /**
     * The definition of the verdict, on a parsed tree: used for the records the streaming route leaves to it, and
     * by tests as the streaming route's oracle. The caller has checked size and UTF-8.
     */
    RecordFacts inspectTree(byte[] raw) {
        JsonNode record;
        try {
            record = DatasetJson.parse(raw);
        } catch (IOException | RuntimeException e) {
            return RecordFacts.invalid(InvalidReason.MALFORMED_JSON);
        }
        try {
            return inspect(record);
        } catch (RuntimeException e) {
            // Defensive: a rule below missed a shape. Count it rather than fail the whole dataset.
            return RecordFacts.invalid(InvalidReason.UNPROCESSABLE);
        }
    }

    RecordFacts inspect(JsonNode record) {
        if (record == null || !record.isObject()) {
            return RecordFacts.invalid(InvalidReason.NOT_AN_OBJECT);
        }
        InvalidReason invalid = formatViolation(record);
        if (invalid != null) {
            return RecordFacts.invalid(invalid);
        }
        JsonNode firstMessage = record.get("response").get("choices").get(0).get("message");
        JsonNode firstCalls = firstMessage.get("tool_calls");
        boolean toolCalls = firstCalls != null && firstCalls.isArray() && !firstCalls.isEmpty();
        return new RecordFacts(null, toolCalls, toolLabel(firstCalls), toolFilter(record), dedupKey(record),
                EpochTimestamps.read(record.get("timestamp")));
    }

    /** The reference's OpenAI chat-completion format check, plus object-shape checks it relied on. */
    private InvalidReason formatViolation(JsonNode record) {
        JsonNode request = record.get("request");
        JsonNode response = record.get("response");
        if (request == null || !request.isObject()) {
            return InvalidReason.MISSING_REQUEST;
        }
        if (response == null || !response.isObject()) {
            return InvalidReason.MISSING_RESPONSE;
        }
        JsonNode messages = request.get("messages");
        if (messages == null || !messages.isArray()) {
            return InvalidReason.MESSAGES_NOT_A_LIST;
        }
        if (messages.isEmpty()) {
            return InvalidReason.MESSAGES_EMPTY;
        }
        for (JsonNode message : messages) {
            if (!message.isObject()) {
                return InvalidReason.MESSAGE_NOT_AN_OBJECT;
            }
        }
        if (tooManyToolParameters(request.get("tools"))) {
            return InvalidReason.TOO_MANY_TOOL_PARAMETERS;
        }
        JsonNode choices = response.get("choices");
        if (choices == null || !choices.isArray()) {
            return InvalidReason.CHOICES_NOT_A_LIST;
        }
        if (choices.isEmpty()) {
            return InvalidReason.CHOICES_EMPTY;
        }
        for (JsonNode choice : choices) {
            if (!choice.isObject() || !choice.has("message")) {
                return InvalidReason.CHOICE_WITHOUT_MESSAGE;
            }
            if (!choice.get("message").isObject()) {
                return InvalidReason.MESSAGE_NOT_AN_OBJECT;
            }
        }
        return null;
    }

    private boolean tooManyToolParameters(JsonNode tools) {
        if (tools == null || !tools.isArray()) {
            return false;
        }
        for (JsonNode tool : tools) {
            JsonNode properties = tool.path("function").path("parameters").path("properties");
            if (properties.isObject() && properties.size() > maxToolParameters) {
                return true;
            }
        }
        return false;
    }

    private static String toolLabel(JsonNode firstCalls) {
        if (firstCalls == null || !firstCalls.isArray() || firstCalls.isEmpty()) {
            return RecordFacts.NO_TOOL;
        }
        JsonNode name = firstCalls.get(0).path("function").path("name");
        if (!name.isTextual() || name.textValue().isEmpty()) {
            return RecordFacts.NO_TOOL;
        }
        // Labels live in an in-heap dictionary; a pathological name must not blow it up.
        String label = name.textValue();
        return label.length() > 256 ? label.substring(0, 256) : label;
    }

    /** The reference's tool-calling quality filter and argument parsing, as a verdict (nothing is mutated). */
    private FilterReason toolFilter(JsonNode record) {
        JsonNode choices = record.get("response").get("choices");
        JsonNode firstWithCalls = null;
        for (JsonNode choice : choices) {
            JsonNode calls = choice.get("message").get("tool_calls");
            if (calls != null && calls.isArray() && !calls.isEmpty()) {
                firstWithCalls = calls;
                break;
            }
        }
        if (firstWithCalls == null) {
            return FilterReason.NO_TOOL_CALLS;
        }
        for (JsonNode call : firstWithCalls) {
            if (!"function".equals(call.path("type").asText(null))) {
                return FilterReason.TOOL_CALL_TYPE_NOT_FUNCTION;
            }
        }
        JsonNode tools = record.get("request").get("tools");
        if (tools == null || tools.isNull()) {
            return FilterReason.TOOLS_MISSING;
        }
        for (JsonNode choice : choices) {
            JsonNode calls = choice.get("message").get("tool_calls");
            if (calls == null || !calls.isArray()) {
                continue;
            }
            for (JsonNode call : calls) {
                JsonNode arguments = call.path("function").get("arguments");
                if (arguments == null || arguments.isNull()) {
                    return FilterReason.ARGUMENTS_MISSING;
                }
                if (parseFunctionArguments && arguments.isTextual() && !parsesAsJson(arguments.textValue())) {
                    return FilterReason.ARGUMENTS_UNPARSEABLE;
                }
            }
        }
        return FilterReason.NONE;
    }

    static boolean parsesAsJson(String text) {
        try {
            DatasetJson.parse(text);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The reference's dedup key: the content of every user message with truthy content, in order. Unlike the
     * reference, multimodal (list) content takes part too (it was unhashable there, so never deduplicated).
     */
    private RecordFacts.DedupKey dedupKey(JsonNode record) {
        sha256.reset();
        boolean any = false;
        for (JsonNode message : record.get("request").get("messages")) {
            JsonNode content = message.get("content");
            if (!"user".equals(message.path("role").asText(null)) || !PythonValues.isTruthy(content)) {
                continue;
            }
            any = true;
            // Tagged and length-prefixed so that ["ab"] and ["a", "b"] never collide.
            byte[] bytes = (content.isTextual() ? "s" + content.textValue() : "j" + PythonJson.dumps(content))
                    .getBytes(StandardCharsets.UTF_8);
            sha256.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
            sha256.update(bytes);
        }
        if (!any) {
            return null;
        }
        ByteBuffer digest = ByteBuffer.wrap(sha256.digest());
        return new RecordFacts.DedupKey(digest.getLong(), digest.getLong());
    }

    private static boolean isUtf8(byte[] raw) {
        if (isAscii(raw)) {
            return true; // most logs: checked eight bytes at a time, without decoding into a char buffer
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static boolean isAscii(byte[] raw) {
        int i = 0;
        for (; i + Long.BYTES <= raw.length; i += Long.BYTES) {
            if (((long) LONGS.get(raw, i) & 0x8080808080808080L) != 0) {
                return false;
            }
        }
        for (; i < raw.length; i++) {
            if (raw[i] < 0) {
                return false;
            }
        }
        return true;
    }
}
