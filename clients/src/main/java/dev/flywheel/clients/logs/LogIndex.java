package dev.flywheel.clients.logs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/**
 * The log index and its composable index template. The template matches the index name itself and
 * {@code <name>-*} (so rolled or per-environment indices such as {@code flywheel-prod} get the same mapping) and
 * maps:
 * <ul>
 *   <li>{@code client_id}, {@code workload_id}: {@code keyword} (exact filters);</li>
 *   <li>{@code timestamp}: {@code date} with format {@code epoch_millis} (the reference used a default {@code date}
 *       yet wrote epoch seconds, so its range filters would be 1000x off; producers here normalise via
 *       {@link Timestamps});</li>
 *   <li>{@code request}, {@code response}: {@code object} with {@code enabled: false}: kept in {@code _source},
 *       never parsed into fields, so arbitrary OpenAI payloads can neither explode nor conflict with the mapping;</li>
 *   <li>root {@code dynamic: false}: any other top-level field (free-form metadata such as a workload
 *       {@code description}) is accepted and stored, but not indexed. The reference's {@code strict} mapping rejected
 *       such documents.</li>
 * </ul>
 * An index that already exists (e.g. created by the reference with its strict mapping) keeps its mapping: templates
 * apply only at index creation.
 */
public final class LogIndex {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Above the built-in templates (100) so ours wins should a pattern ever overlap. */
    private static final int TEMPLATE_PRIORITY = 200;

    private final RestClient client;
    private final String name;

    public LogIndex(RestClient client, String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("index name must not be blank");
        }
        this.client = client;
        this.name = name;
    }

    /** The index name (default {@value LogFields#DEFAULT_INDEX}). */
    public String name() {
        return name;
    }

    /** The template's name: {@code <index>-logs}. */
    public String templateName() {
        return name + "-logs";
    }

    /** The index-template body that {@link #ensureTemplate()} puts. */
    public ObjectNode templateBody() {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("index_patterns").add(name).add(name + "-*");
        body.put("priority", TEMPLATE_PRIORITY);
        ObjectNode template = body.putObject("template");
        template.putObject("settings").put("index.mapping.total_fields.limit", 1000);
        ObjectNode mappings = template.putObject("mappings");
        mappings.put("dynamic", false);
        ObjectNode props = mappings.putObject("properties");
        props.putObject(LogFields.CLIENT_ID).put("type", "keyword");
        props.putObject(LogFields.WORKLOAD_ID).put("type", "keyword");
        props.putObject(LogFields.TIMESTAMP).put("type", "date").put("format", "epoch_millis");
        props.putObject(LogFields.REQUEST).put("type", "object").put("enabled", false);
        props.putObject(LogFields.RESPONSE).put("type", "object").put("enabled", false);
        body.putObject("_meta").put("description", "Flywheel LLM interaction logs").put("managed_by", "flywheel");
        return body;
    }

    /** Creates or replaces the index template (idempotent). */
    public CompletableFuture<Void> ensureTemplate() {
        return EsHttp.perform(client, EsHttp.request("PUT", "/_index_template/" + templateName(), bytes(templateBody())))
                .thenApply(r -> null);
    }

    /** {@link #ensureTemplate()}, then creates the index unless it exists already. */
    public CompletableFuture<Void> ensureIndex() {
        return ensureTemplate()
                .thenCompose(v -> EsHttp.perform(client, EsHttp.request("PUT", "/" + name, null)))
                .handle((r, e) -> {
                    if (e == null || isAlreadyExists(EsHttp.unwrap(e))) {
                        return null;
                    }
                    throw new java.util.concurrent.CompletionException(EsHttp.unwrap(e));
                });
    }

    /** Makes everything indexed so far visible to search. */
    public CompletableFuture<Void> refresh() {
        return EsHttp.perform(client, EsHttp.request("POST", "/" + name + "/_refresh", null)).thenApply(r -> null);
    }

    private static boolean isAlreadyExists(Throwable e) {
        return e instanceof ResponseException re && re.getResponse().getStatusLine().getStatusCode() == 400
                && re.getMessage().contains("resource_already_exists_exception");
    }

    static byte[] bytes(Object json) {
        try {
            return JSON.writeValueAsBytes(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
