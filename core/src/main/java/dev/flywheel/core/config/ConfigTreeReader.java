package dev.flywheel.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.core.error.FieldViolation;
import dev.flywheel.core.error.FlywheelException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a job configuration written in the reference blueprint's config.yaml format (or the same shape as
 * JSON/HOCON) into a {@link JobConfig}. Unlike a generic JSON parser it reports every problem with the full
 * path of the bad key ({@code nims[0].gpus: expected an integer}), so a bad file fails at start with a
 * message the operator can act on.
 */
public final class ConfigTreeReader {

    /** Reference keys we accept so that users can bring their file, but do not act on. */
    public static final Set<String> IGNORED_TOP_LEVEL_KEYS = Set.of("mlflow_config");

    /** Keys that would hold secrets; secrets come from the environment or files, never from configuration. */
    private static final Set<String> SECRET_KEYS = Set.of("api_key", "apikey", "token", "password", "secret", "hf_token");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigTreeReader() {}

    public static JobConfig readYaml(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return readYaml(in, file.toString());
        } catch (IOException e) {
            throw new FlywheelException(FlywheelException.Kind.INVALID_ARGUMENT,
                    "cannot read job configuration " + file + ": " + e.getMessage(), List.of(), e);
        }
    }

    public static JobConfig readYaml(InputStream in, String source) {
        JsonNode tree;
        try {
            tree = YAML.readTree(in);
        } catch (IOException e) {
            throw FlywheelException.invalid(source, "not valid YAML: " + e.getMessage());
        }
        return read(tree == null ? YAML.createObjectNode() : tree, "");
    }

    /** Reads a tree; {@code prefix} is prepended to every reported path (e.g. "flywheel.job-config."). */
    public static JobConfig read(JsonNode tree, String prefix) {
        List<FieldViolation> violations = new ArrayList<>();
        JobConfig.Builder builder = JobConfig.newBuilder();
        if (!tree.isObject()) {
            violations.add(new FieldViolation(prefix.isEmpty() ? "(root)" : strip(prefix), "expected a mapping of keys"));
        } else {
            readMessage(tree, builder, prefix, violations, true);
        }
        if (!violations.isEmpty()) {
            throw FlywheelException.invalid(violations);
        }
        return builder.build();
    }

    private static void readMessage(JsonNode node, Message.Builder builder, String path, List<FieldViolation> out,
                                    boolean topLevel) {
        Descriptor type = builder.getDescriptorForType();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> entry = fields.next();
            String key = entry.getKey();
            String keyPath = path + key;
            if (topLevel && IGNORED_TOP_LEVEL_KEYS.contains(key)) {
                continue;
            }
            if (SECRET_KEYS.contains(key.toLowerCase())) {
                out.add(new FieldViolation(keyPath,
                        "secrets are not accepted in a job configuration; set them in the server's environment"));
                continue;
            }
            FieldDescriptor field = type.findFieldByName(key);
            if (field == null) {
                out.add(new FieldViolation(keyPath, "unknown key"));
                continue;
            }
            JsonNode value = entry.getValue();
            if (value == null || value.isNull()) {
                continue; // null means "not set", as in the reference's random_seed: null
            }
            if (field.isRepeated()) {
                if (!value.isArray()) {
                    out.add(new FieldViolation(keyPath, "expected a list"));
                    continue;
                }
                for (int i = 0; i < value.size(); i++) {
                    Object element = convert(field, value.get(i), builder, keyPath + "[" + i + "]", out);
                    if (element != null) {
                        builder.addRepeatedField(field, element);
                    }
                }
            } else {
                Object converted = convert(field, value, builder, keyPath, out);
                if (converted != null) {
                    builder.setField(field, converted);
                }
            }
        }
    }

    private static Object convert(FieldDescriptor field, JsonNode value, Message.Builder parent, String path,
                                  List<FieldViolation> out) {
        switch (field.getJavaType()) {
            case MESSAGE -> {
                if (!value.isObject()) {
                    out.add(new FieldViolation(path, "expected a mapping of keys"));
                    return null;
                }
                Message.Builder child = parent.newBuilderForField(field);
                readMessage(value, child, path + ".", out, false);
                return child.build();
            }
            case STRING -> {
                if (!value.isValueNode()) {
                    out.add(new FieldViolation(path, "expected a string"));
                    return null;
                }
                return value.asText(); // YAML may read an unquoted tag like 1.9 as a number; keep its text
            }
            case BOOLEAN -> {
                if (!value.isBoolean()) {
                    out.add(new FieldViolation(path, "expected true or false"));
                    return null;
                }
                return value.booleanValue();
            }
            case INT -> {
                if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                    out.add(new FieldViolation(path, "expected an integer"));
                    return null;
                }
                return value.intValue();
            }
            case LONG -> {
                if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                    out.add(new FieldViolation(path, "expected an integer"));
                    return null;
                }
                return value.longValue();
            }
            case DOUBLE, FLOAT -> {
                if (!value.isNumber()) {
                    out.add(new FieldViolation(path, "expected a number"));
                    return null;
                }
                return field.getJavaType() == FieldDescriptor.JavaType.FLOAT ? (Object) value.floatValue()
                        : (Object) value.doubleValue();
            }
            default -> {
                out.add(new FieldViolation(path, "unsupported field type " + field.getJavaType()));
                return null;
            }
        }
    }

    private static String strip(String prefix) {
        return prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }
}
