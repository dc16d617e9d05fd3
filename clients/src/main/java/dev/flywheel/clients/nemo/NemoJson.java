package dev.flywheel.clients.nemo;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.IOException;
import java.util.regex.Pattern;

/**
 * The one Jackson mapper for NeMo wire formats, plus redaction of text that may hold credentials.
 *
 * <p>Why a dedicated mapper: NeMo uses snake_case (the Hugging Face API camelCase, declared explicitly on those
 * records), adds fields between releases (unknown fields are ignored; the fields we need are checked in the records'
 * constructors), and request bodies may carry a {@link Secret} that only this mapper knows how to write.
 */
public final class NemoJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .addModule(new SimpleModule("nemo-secrets").addSerializer(Secret.class, new SecretSerializer()))
            .build();

    // "api_key": "…", "apiKey":"…", "Authorization: Bearer …", "hf_token": "…" — replaced before text is kept anywhere.
    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)(\"(?:api_key|apikey|api-key|token|hf_token|password|secret|authorization)\"\\s*:\\s*\")([^\"]*)(\")");
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");

    private NemoJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Masks values of credential-like JSON keys and bearer tokens in {@code text}. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = KEY_VALUE.matcher(text).replaceAll("$1******$3");
        return BEARER.matcher(out).replaceAll("$1******");
    }

    private static final java.util.Set<String> SECRET_FIELDS = java.util.Set.of(
            "api_key", "apikey", "api-key", "token", "hf_token", "password", "secret", "authorization");

    /**
     * A copy of {@code node} with the values of credential-like fields replaced by {@code "******"}. NeMo masks echoed
     * keys itself; this makes sure a server that does not (or an emulator) cannot get a key into our job snapshots.
     */
    public static com.fasterxml.jackson.databind.JsonNode scrub(com.fasterxml.jackson.databind.JsonNode node) {
        if (node == null || !node.isContainerNode()) {
            return node;
        }
        com.fasterxml.jackson.databind.JsonNode copy = node.deepCopy();
        scrubInPlace(copy);
        return copy;
    }

    private static void scrubInPlace(com.fasterxml.jackson.databind.JsonNode node) {
        if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode obj) {
            var it = obj.fields();
            java.util.List<String> mask = new java.util.ArrayList<>();
            while (it.hasNext()) {
                var e = it.next();
                if (SECRET_FIELDS.contains(e.getKey().toLowerCase(java.util.Locale.ROOT)) && e.getValue().isTextual()) {
                    mask.add(e.getKey());
                } else {
                    scrubInPlace(e.getValue());
                }
            }
            mask.forEach(k -> obj.put(k, "******"));
        } else if (node != null && node.isArray()) {
            node.forEach(NemoJson::scrubInPlace);
        }
    }

    /** Writes the clear value; registered on {@link #MAPPER} only, so no other mapper can serialise a secret. */
    private static final class SecretSerializer extends JsonSerializer<Secret> {
        @Override
        public void serialize(Secret value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(value.reveal());
        }
    }
}
