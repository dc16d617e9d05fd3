package dev.flywheel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a request or configuration from a YAML or JSON file into a message, with the HTTP API's rules:
 * snake_case names, unknown fields rejected.
 */
final class RequestFiles {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFormat.Parser STRICT = JsonFormat.parser();

    private RequestFiles() {}

    static <B extends Message.Builder> B read(Path file, B builder) {
        JsonNode tree;
        try {
            String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            tree = (name.endsWith(".yaml") || name.endsWith(".yml") ? YAML : JSON).readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": " + firstLine(e.getMessage()));
        }
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException(file + ": expected an object at the top level");
        }
        try {
            STRICT.merge(JSON.writeValueAsString(tree), builder);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(file + ": " + firstLine(e.getMessage()));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
        return builder;
    }

    /** The same value as YAML, for people reading a configuration. */
    static String toYaml(Message message) {
        try {
            return YAML.writeValueAsString(JSON.readTree(Format.json(message))).replaceFirst("^---\\s*\\n", "");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
