package dev.flywheel.core.dataset;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * {@link RecordInspector}'s verdict on a record from one streaming pass over its bytes, without building a tree:
 * the pass notes the few facts the rules need (shapes, counts, the first choice's tool calls, argument states, the
 * user messages' content, the timestamp) and skips everything else; the rules then run on those facts in the
 * reference's order. Parsing every record into a tree was most of the first pass's cost.
 *
 * <p>The tree route stays the definition: whatever this pass cannot judge exactly is refused ({@link #inspect}
 * returns null) and {@link RecordInspector} inspects it with the tree — malformed JSON, a root that is not an
 * object, trailing content, a repeated key anywhere (a tree keeps the last value in the first key's place), and
 * strings long enough to meet the parser's length limit, which only the tree route applies to strings this pass
 * skips. Values whose exact tree form matters (non-text content, the timestamp) are read as small trees.
 * Tests compare both routes. Not thread-safe (a reusable digest).
 */
final class StreamingRecordInspector {

    /** Reads one value in the middle of a record as a tree, exactly as the whole-record parse would build it. */
    private static final ObjectReader VALUE_READER = DatasetJson.MAPPER.readerFor(JsonNode.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Records at least this long go to the tree route (see the class comment). */
    private static final int MAX_STREAMED_BYTES =
            DatasetJson.STREAMING.streamReadConstraints().getMaxStringLength();

    private enum Shape { ABSENT, OBJECT, ARRAY, OTHER }

    private final int maxToolParameters;
    private final boolean parseFunctionArguments;
    private final MessageDigest sha256;
    private final byte[] lengthPrefix = new byte[4];

    // What the pass learned about the current record.
    private Shape request;
    private Shape response;
    private Shape messages;
    private int messageCount;
    private boolean messagesAllObjects;
    private boolean toolsPresent;
    private boolean tooManyToolParameters;
    private Shape choices;
    private int choiceCount;
    private InvalidReason firstBadChoice;
    private boolean firstChoiceHasCalls;
    private String label;
    private boolean someChoiceHasCalls;
    private boolean firstCallsAllFunctions;
    private FilterReason argumentProblem;
    private boolean anyUserContent;
    private Optional<EpochTimestamps.EpochTimestamp> timestamp;

    StreamingRecordInspector(int maxToolParameters, boolean parseFunctionArguments) {
        this.maxToolParameters = maxToolParameters;
        this.parseFunctionArguments = parseFunctionArguments;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory on every JVM", e);
        }
    }

    /**
     * The facts of a record that is valid UTF-8 (the caller checked), or null when the tree route must judge it.
     */
    RecordFacts inspect(byte[] raw) {
        if (raw.length >= MAX_STREAMED_BYTES) {
            return null;
        }
        reset();
        try (JsonParser p = DatasetJson.STREAMING.createParser(raw)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "request" -> request = value == JsonToken.START_OBJECT ? readRequest(p) : skip(p);
                    case "response" -> response = value == JsonToken.START_OBJECT ? readResponse(p) : skip(p);
                    case "timestamp" -> timestamp = EpochTimestamps.read(VALUE_READER.readTree(p));
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                return null; // trailing content
            }
        } catch (IOException | RuntimeException e) {
            return null; // malformed, a repeated key, a limit: the tree route decides
        }
        return facts();
    }

    private void reset() {
        request = Shape.ABSENT;
        response = Shape.ABSENT;
        messages = Shape.ABSENT;
        messageCount = 0;
        messagesAllObjects = true;
        toolsPresent = false;
        tooManyToolParameters = false;
        choices = Shape.ABSENT;
        choiceCount = 0;
        firstBadChoice = null;
        firstChoiceHasCalls = false;
        label = RecordFacts.NO_TOOL;
        someChoiceHasCalls = false;
        firstCallsAllFunctions = true;
        argumentProblem = FilterReason.NONE;
        anyUserContent = false;
        timestamp = Optional.empty();
        sha256.reset();
    }

    /** The tree route's rules, in its order, on the noted facts. */
    private RecordFacts facts() {
        InvalidReason invalid = formatViolation();
        if (invalid != null) {
            return RecordFacts.invalid(invalid);
        }
        FilterReason filter;
        if (!someChoiceHasCalls) {
            filter = FilterReason.NO_TOOL_CALLS;
        } else if (!firstCallsAllFunctions) {
            filter = FilterReason.TOOL_CALL_TYPE_NOT_FUNCTION;
        } else if (!toolsPresent) {
            filter = FilterReason.TOOLS_MISSING;
        } else {
            filter = argumentProblem;
        }
        RecordFacts.DedupKey dedupKey = null;
        if (anyUserContent) {
            ByteBuffer digest = ByteBuffer.wrap(sha256.digest());
            dedupKey = new RecordFacts.DedupKey(digest.getLong(), digest.getLong());
        }
        return new RecordFacts(null, firstChoiceHasCalls, label, filter, dedupKey, timestamp);
    }

    private InvalidReason formatViolation() {
        if (request != Shape.OBJECT) {
            return InvalidReason.MISSING_REQUEST;
        }
        if (response != Shape.OBJECT) {
            return InvalidReason.MISSING_RESPONSE;
        }
        if (messages != Shape.ARRAY) {
            return InvalidReason.MESSAGES_NOT_A_LIST;
        }
        if (messageCount == 0) {
            return InvalidReason.MESSAGES_EMPTY;
        }
        if (!messagesAllObjects) {
            return InvalidReason.MESSAGE_NOT_AN_OBJECT;
        }
        if (tooManyToolParameters) {
            return InvalidReason.TOO_MANY_TOOL_PARAMETERS;
        }
        if (choices != Shape.ARRAY) {
            return InvalidReason.CHOICES_NOT_A_LIST;
        }
        if (choiceCount == 0) {
            return InvalidReason.CHOICES_EMPTY;
        }
        return firstBadChoice;
    }

    private static Shape skip(JsonParser p) throws IOException {
        p.skipChildren();
        return Shape.OTHER;
    }

    private Shape readRequest(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if ("messages".equals(name)) {
                messages = value == JsonToken.START_ARRAY ? readMessages(p) : skip(p);
            } else if ("tools".equals(name)) {
                toolsPresent = value != JsonToken.VALUE_NULL;
                if (value == JsonToken.START_ARRAY) {
                    readTools(p);
                } else {
                    p.skipChildren();
                }
            } else {
                p.skipChildren();
            }
        }
        return Shape.OBJECT;
    }

    private Shape readMessages(JsonParser p) throws IOException {
        while (p.nextToken() != JsonToken.END_ARRAY) {
            messageCount++;
            if (p.currentToken() == JsonToken.START_OBJECT) {
                readMessage(p);
            } else {
                messagesAllObjects = false;
                p.skipChildren();
            }
        }
        return Shape.ARRAY;
    }

    /** Adds a user message's truthy content to the dedup digest (role and content may come in either order). */
    private void readMessage(JsonParser p) throws IOException {
        Boolean user = null;
        String text = null;
        JsonNode nonText = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if ("role".equals(name)) {
                user = value == JsonToken.VALUE_STRING && "user".equals(p.getText());
            } else if ("content".equals(name) && !Boolean.FALSE.equals(user)) {
                if (value == JsonToken.VALUE_STRING) {
                    text = p.getText();
                } else {
                    nonText = VALUE_READER.readTree(p);
                }
            } else {
                p.skipChildren();
            }
        }
        if (!Boolean.TRUE.equals(user)) {
            return;
        }
        // The same bytes as the tree route's key: tagged and length-prefixed.
        if (text != null && !text.isEmpty()) {
            addToDigest("s" + text);
        } else if (nonText != null && PythonValues.isTruthy(nonText)) {
            addToDigest("j" + PythonJson.dumps(nonText));
        }
    }

    private void addToDigest(String taggedContent) {
        byte[] bytes = taggedContent.getBytes(StandardCharsets.UTF_8);
        int n = bytes.length;
        lengthPrefix[0] = (byte) (n >>> 24);
        lengthPrefix[1] = (byte) (n >>> 16);
        lengthPrefix[2] = (byte) (n >>> 8);
        lengthPrefix[3] = (byte) n;
        sha256.update(lengthPrefix);
        sha256.update(bytes);
        anyUserContent = true;
    }

    /** The NIM workaround: a tool whose {@code function.parameters.properties} has too many keys. */
    private void readTools(JsonParser p) throws IOException {
        while (p.nextToken() != JsonToken.END_ARRAY) {
            // Objects entered on the way down (tool, function, parameters) whose other fields are still to skip.
            int entered = 0;
            if (enterObjectField(p, "function")) {
                entered++;
                if (enterObjectField(p, "parameters")) {
                    entered++;
                    if (enterObjectField(p, "properties")) {
                        entered++;
                        int properties = 0;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            properties++;
                            p.nextToken();
                            p.skipChildren();
                        }
                        tooManyToolParameters |= properties > maxToolParameters;
                    }
                }
            }
            for (; entered > 0; entered--) {
                skipRestOfObject(p);
            }
        }
    }

    /**
     * At a value's start: when it is an object with an object under {@code key}, moves to that inner object's start
     * and returns true; otherwise skips the whole value and returns false.
     */
    private static boolean enterObjectField(JsonParser p, String key) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return false;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (key.equals(name) && value == JsonToken.START_OBJECT) {
                return true;
            }
            p.skipChildren();
        }
        return false;
    }

    /** Inside an object: skips its remaining fields up to and including its end. */
    private static void skipRestOfObject(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            p.nextToken();
            p.skipChildren();
        }
    }

    private Shape readResponse(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if ("choices".equals(name)) {
                choices = value == JsonToken.START_ARRAY ? readChoices(p) : skip(p);
            } else {
                p.skipChildren();
            }
        }
        return Shape.OBJECT;
    }

    private Shape readChoices(JsonParser p) throws IOException {
        while (p.nextToken() != JsonToken.END_ARRAY) {
            int index = choiceCount++;
            InvalidReason bad = p.currentToken() == JsonToken.START_OBJECT ? readChoice(p, index)
                    : skipBadChoice(p);
            if (bad != null && firstBadChoice == null) {
                firstBadChoice = bad;
            }
        }
        return Shape.ARRAY;
    }

    private static InvalidReason skipBadChoice(JsonParser p) throws IOException {
        p.skipChildren();
        return InvalidReason.CHOICE_WITHOUT_MESSAGE;
    }

    /** Reads one choice object; returns why it is invalid, or null. */
    private InvalidReason readChoice(JsonParser p, int index) throws IOException {
        InvalidReason bad = InvalidReason.CHOICE_WITHOUT_MESSAGE;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if ("message".equals(name) && value == JsonToken.START_OBJECT) {
                readResponseMessage(p, index);
                bad = null;
            } else if ("message".equals(name)) {
                p.skipChildren();
                bad = InvalidReason.MESSAGE_NOT_AN_OBJECT;
            } else {
                p.skipChildren();
            }
        }
        return bad;
    }

    private void readResponseMessage(JsonParser p, int choiceIndex) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if ("tool_calls".equals(name) && value == JsonToken.START_ARRAY) {
                readToolCalls(p, choiceIndex);
            } else {
                p.skipChildren();
            }
        }
    }

    /**
     * One choice's {@code tool_calls} array: the workload vote and split label (choice 0), the type check (the
     * first choice with calls) and the arguments check (every choice, first problem wins).
     */
    private void readToolCalls(JsonParser p, int choiceIndex) throws IOException {
        boolean firstWithCalls = false;
        int calls = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (calls++ == 0 && !someChoiceHasCalls) {
                someChoiceHasCalls = true;
                firstWithCalls = true;
            }
            boolean isFunction = false;
            FilterReason arguments = FilterReason.ARGUMENTS_MISSING;
            String name = null;
            if (p.currentToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if ("type".equals(field)) {
                        isFunction = value == JsonToken.VALUE_STRING && "function".equals(p.getText());
                    } else if ("function".equals(field) && value == JsonToken.START_OBJECT) {
                        FunctionFacts function = readFunction(p);
                        arguments = function.arguments;
                        name = function.name;
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
            if (firstWithCalls && !isFunction) {
                firstCallsAllFunctions = false;
            }
            if (choiceIndex == 0 && calls == 1 && name != null && !name.isEmpty()) {
                // Labels live in an in-heap dictionary; a pathological name must not blow it up.
                label = name.length() > 256 ? name.substring(0, 256) : name;
            }
            if (argumentProblem == FilterReason.NONE && arguments != FilterReason.NONE) {
                argumentProblem = arguments;
            }
        }
        if (choiceIndex == 0) {
            firstChoiceHasCalls = calls > 0;
        }
    }

    /** A call's function: its name when textual, and the arguments' verdict. */
    private record FunctionFacts(String name, FilterReason arguments) {}

    private FunctionFacts readFunction(JsonParser p) throws IOException {
        String name = null;
        FilterReason arguments = FilterReason.ARGUMENTS_MISSING;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if ("name".equals(field)) {
                name = value == JsonToken.VALUE_STRING ? p.getText() : null;
                p.skipChildren();
            } else if ("arguments".equals(field)) {
                if (value == JsonToken.VALUE_NULL) {
                    arguments = FilterReason.ARGUMENTS_MISSING;
                } else if (value == JsonToken.VALUE_STRING && parseFunctionArguments
                        && !RecordInspector.parsesAsJson(p.getText())) {
                    arguments = FilterReason.ARGUMENTS_UNPARSEABLE;
                } else {
                    arguments = FilterReason.NONE;
                    p.skipChildren();
                }
            } else {
                p.skipChildren();
            }
        }
        return new FunctionFacts(name, arguments);
    }
}
