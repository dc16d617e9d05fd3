package dev.flywheel.core.dataset;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The one JSON reader of the dataset pipeline. Strict like Python's {@code json.loads}: trailing content after
 * the value is an error (Jackson ignores it by default), and duplicate keys keep the last value in the first
 * key's position, as a Python dict does.
 */
final class DatasetJson {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // Error messages must not echo record content (logs may hold personal data).
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    /**
     * Parsers for the streaming paths (validation, training lines): the same limits as {@link #MAPPER}, but a
     * repeated key is an error. Those paths do not reproduce a tree's Python-dict handling of repeated keys, so a
     * record that has any goes to the tree path instead.
     */
    static final JsonFactory STREAMING = MAPPER.getFactory().rebuild()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private DatasetJson() {}

    static JsonNode parse(byte[] utf8) throws IOException {
        return MAPPER.readTree(utf8);
    }

    /** Python {@code json.loads} of a string; empty/blank text is an error there too. */
    static JsonNode parse(String text) throws IOException {
        JsonNode node = MAPPER.readTree(text);
        if (node == null || node.isMissingNode()) {
            throw new IOException("no JSON value");
        }
        return node;
    }
}
