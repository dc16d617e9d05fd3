package dev.flywheel.emulator.dms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.http.Json;

/**
 * One model deployment and its lifecycle state ({@code created → pending → ready}, nemo-api.md §4.4). Mutated only
 * under the {@link Deployments} lock.
 */
final class Deployment {
    final String namespace;
    final String name;
    final String id;
    final ObjectNode request; // the create body with an inline config
    final String createdAt;
    String updatedAt;
    String status = "created";
    String description = "Deployment created";
    boolean deleted;
    long readyAtMillis = -1;

    Deployment(String namespace, String name, String id, ObjectNode request, String createdAt) {
        this.namespace = namespace;
        this.name = name;
        this.id = id;
        this.request = request;
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
    }

    ObjectNode config() {
        return (ObjectNode) request.get("config");
    }

    /** The model id the NIM serves: {@code config.model} as a string, or the inline model's namespace/name. */
    String modelId() {
        JsonNode m = config().get("model");
        if (m == null || m.isNull()) {
            return null;
        }
        if (m.isTextual()) {
            return m.asText();
        }
        String ns = Json.text(m, "namespace");
        String n = Json.text(m, "name");
        return ns == null ? n : ns + "/" + n;
    }

    boolean loraEnabled() {
        return !config().path("nim_deployment").path("disable_lora_support").asBoolean(false);
    }

    ObjectNode toJson() {
        ObjectNode out = Json.obj();
        out.put("name", name);
        out.put("namespace", namespace);
        out.set("description", request.has("description") ? request.get("description") : Json.obj().nullNode());
        out.set("config", config().deepCopy());
        ObjectNode sd = out.putObject("status_details");
        sd.put("status", status);
        sd.put("description", description);
        out.put("url", "http://modeldeployment-" + namespace + "-" + name.replace('.', '-') + "." + namespace
                + ".svc.cluster.local:8000");
        out.put("deployed", "ready".equals(status));
        out.put("async_enabled", request.path("async_enabled").asBoolean(false));
        String model = modelId();
        if (request.has("models") && request.get("models").isArray()) {
            out.set("models", request.get("models").deepCopy());
        } else {
            out.putArray("models").add(model);
        }
        out.put("created_at", createdAt);
        out.put("updated_at", updatedAt);
        out.put("schema_version", "1.0");
        out.set("custom_fields", request.has("custom_fields") ? request.get("custom_fields") : Json.obj());
        out.set("project", request.has("project") ? request.get("project") : Json.obj().nullNode());
        out.set("ownership", request.has("ownership") ? request.get("ownership") : Json.obj().nullNode());
        return out;
    }
}
