package dev.flywheel.core.dataset;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * The training line of a spooled record — {@code json.dumps(formatter.trainingLine(formatter.normalize(record)))}
 * — written in one streaming pass over the record's bytes: {@code request.messages}, {@code request.tools} and
 * {@code response.choices[0].message} are copied into the line as they are met, with {@link RecordFormatter}'s
 * rules applied on the way, instead of parsing a tree, deep-copying parts of it and serialising the copies. The tree
 * route cost about 30 µs a line and was most of {@code build()}'s time on a million records.
 *
 * <p>The tree route stays the definition: a record this pass cannot render exactly — a repeated key anywhere (a
 * tree keeps the last value in the first key's place), a part missing or of an unexpected shape — is refused
 * ({@link #append} returns false) and the caller formats it with {@link RecordFormatter}. Tests compare both routes.
 * One instance per thread.
 */
final class StreamingTrainingLines {

    private final boolean toolCalling;
    private final boolean parseFunctionArguments;
    private final AsciiBuffer messages = new AsciiBuffer(4096);
    private final AsciiBuffer tools = new AsciiBuffer(2048);
    private final AsciiBuffer response = new AsciiBuffer(1024);
    private int messageCount;
    private boolean sawMessages;
    private boolean sawTools;
    private boolean sawResponseMessage;

    StreamingTrainingLines(WorkloadType workload, boolean parseFunctionArguments) {
        this.toolCalling = workload == WorkloadType.TOOL_CALLING;
        this.parseFunctionArguments = parseFunctionArguments;
    }

    /**
     * Appends the record's training line to {@code line}; returns false, with {@code line} unchanged, when the
     * record must take the tree route.
     */
    boolean append(byte[] record, int offset, int length, AsciiBuffer line) {
        messages.clear();
        tools.clear();
        response.clear();
        messageCount = 0;
        sawMessages = false;
        sawTools = false;
        sawResponseMessage = false;
        try (JsonParser p = DatasetJson.STREAMING.createParser(record, offset, length)) {
            if (!readRecord(p)) {
                return false;
            }
        } catch (IOException | RuntimeException e) {
            return false; // a repeated key, or something the tree route must judge
        }
        // Key order as the tree builds the line: "tools" is set before "messages".
        if (toolCalling) {
            line.append("{\"tools\": ");
            line.append(tools);
            line.append(", \"messages\": [");
        } else {
            line.append("{\"messages\": [");
        }
        line.append(messages);
        if (messageCount > 0) {
            line.append(", ");
        }
        line.append(response);
        line.append("]}");
        return true;
    }

    private boolean readRecord(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return false;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if ("request".equals(name)) {
                if (value != JsonToken.START_OBJECT || !readRequest(p)) {
                    return false;
                }
            } else if ("response".equals(name)) {
                if (value != JsonToken.START_OBJECT || !readResponse(p)) {
                    return false;
                }
            } else {
                p.skipChildren();
            }
        }
        if (p.nextToken() != null) {
            return false; // trailing content: the tree parse rejects it
        }
        return sawMessages && sawResponseMessage && (sawTools || !toolCalling);
    }

    private boolean readRequest(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if ("messages".equals(name)) {
                if (value != JsonToken.START_ARRAY) {
                    return false;
                }
                sawMessages = true;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (p.currentToken() != JsonToken.START_OBJECT) {
                        return false;
                    }
                    if (messageCount++ > 0) {
                        messages.append(", ");
                    }
                    copyHistoryMessage(p);
                }
            } else if ("tools".equals(name) && toolCalling) {
                sawTools = true;
                PythonJson.copy(p, tools);
            } else {
                p.skipChildren();
            }
        }
        return true;
    }

    /** A request message as it is, except that an assistant message's {@code content: null} becomes {@code ""}. */
    private void copyHistoryMessage(JsonParser p) throws IOException {
        messages.append('{');
        boolean first = true;
        boolean assistant = false;
        int nullContentAt = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            if (!first) {
                messages.append(", ");
            }
            first = false;
            String name = p.currentName();
            PythonJson.writeString(name, messages);
            messages.append(": ");
            JsonToken value = p.nextToken();
            if ("role".equals(name)) {
                assistant = value == JsonToken.VALUE_STRING && "assistant".equals(p.getText());
            } else if ("content".equals(name) && value == JsonToken.VALUE_NULL) {
                nullContentAt = messages.length();
            }
            PythonJson.copy(p, messages);
        }
        messages.append('}');
        // The role may come after the content, so the null is patched once the whole message was read.
        if (assistant && nullContentAt >= 0) {
            messages.replace(nullContentAt, "null".length(), "\"\"");
        }
    }

    private boolean readResponse(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if ("choices".equals(name)) {
                if (value != JsonToken.START_ARRAY || p.nextToken() != JsonToken.START_OBJECT
                        || !readFirstChoice(p)) {
                    return false;
                }
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    // Later choices are not part of the line, but normalize() walks them and needs their message.
                    if (normalizesArguments() && (p.currentToken() != JsonToken.START_OBJECT || !hasKey(p, "message"))) {
                        return false;
                    }
                    p.skipChildren();
                }
            } else {
                p.skipChildren();
            }
        }
        return true;
    }

    private boolean normalizesArguments() {
        return toolCalling && parseFunctionArguments;
    }

    /** Reads the object at the parser to its end; whether it has {@code key}. */
    private static boolean hasKey(JsonParser p, String key) throws IOException {
        boolean found = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            found |= key.equals(p.currentName());
            p.nextToken();
            p.skipChildren();
        }
        return found;
    }

    private boolean readFirstChoice(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if ("message".equals(name)) {
                if (value != JsonToken.START_OBJECT) {
                    return false;
                }
                sawResponseMessage = true;
                copyResponseMessage(p);
            } else {
                p.skipChildren();
            }
        }
        return true;
    }

    /**
     * {@code choices[0].message}; for tool-calling workloads with its {@code content} forced to {@code ""} (in
     * place, or appended when absent, as {@code ObjectNode.put} does) and, with {@code parse_function_arguments},
     * its tool calls' string arguments parsed.
     */
    private void copyResponseMessage(JsonParser p) throws IOException {
        response.append('{');
        boolean first = true;
        boolean sawContent = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            first = writeKey(p, first);
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (toolCalling && "content".equals(name)) {
                response.append("\"\"");
                p.skipChildren();
                sawContent = true;
            } else if (normalizesArguments() && "tool_calls".equals(name)
                    && value == JsonToken.START_ARRAY) {
                copyToolCalls(p);
            } else {
                PythonJson.copy(p, response);
            }
        }
        if (toolCalling && !sawContent) {
            if (!first) {
                response.append(", ");
            }
            response.append("\"content\": \"\"");
        }
        response.append('}');
    }

    /** A {@code tool_calls} array where each object call's object {@code function} has its arguments parsed. */
    private void copyToolCalls(JsonParser p) throws IOException {
        response.append('[');
        boolean first = true;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (!first) {
                response.append(", ");
            }
            first = false;
            if (p.currentToken() == JsonToken.START_OBJECT) {
                copyToolCall(p);
            } else {
                PythonJson.copy(p, response);
            }
        }
        response.append(']');
    }

    private void copyToolCall(JsonParser p) throws IOException {
        response.append('{');
        boolean first = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            first = writeKey(p, first);
            JsonToken value = p.nextToken();
            if ("function".equals(p.currentName()) && value == JsonToken.START_OBJECT) {
                copyFunction(p);
            } else {
                PythonJson.copy(p, response);
            }
        }
        response.append('}');
    }

    private void copyFunction(JsonParser p) throws IOException {
        response.append('{');
        boolean first = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            first = writeKey(p, first);
            JsonToken value = p.nextToken();
            if ("arguments".equals(p.currentName()) && value == JsonToken.VALUE_STRING) {
                appendParsedArguments(p.getText());
            } else {
                PythonJson.copy(p, response);
            }
        }
        response.append('}');
    }

    /** Writes the current field name and its separators to {@code response}; returns the new "first" flag. */
    private boolean writeKey(JsonParser p, boolean first) throws IOException {
        if (!first) {
            response.append(", ");
        }
        PythonJson.writeString(p.currentName(), response);
        response.append(": ");
        return false;
    }

    /**
     * {@link RecordFormatter#normalize}'s parse of string arguments: JSON that parses replaces the string, anything
     * else keeps it. Streamed when the text is exactly one JSON value without repeated keys; otherwise decided by
     * the same tree parse as normalize().
     */
    private void appendParsedArguments(String text) {
        int mark = response.length();
        try (JsonParser arguments = DatasetJson.STREAMING.createParser(text)) {
            if (arguments.nextToken() != null) {
                PythonJson.copy(arguments, response);
                if (arguments.nextToken() == null) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not JSON, or a repeated key: the tree parse below decides
        }
        response.truncate(mark);
        JsonNode parsed;
        try {
            parsed = DatasetJson.parse(text);
        } catch (IOException e) {
            PythonJson.writeString(text, response);
            return;
        }
        response.append(PythonJson.dumps(parsed));
    }
}
