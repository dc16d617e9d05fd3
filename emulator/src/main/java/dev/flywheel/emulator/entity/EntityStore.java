package dev.flywheel.emulator.entity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.EmulatorContext;
import dev.flywheel.emulator.http.ApiException;
import dev.flywheel.emulator.http.Json;
import dev.flywheel.emulator.state.EntityCollection;
import dev.flywheel.emulator.state.Timestamps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * State of the Entity Store (nemo-api.md §2): namespaces, projects, dataset registrations and models. Namespaces have
 * no generated id (their id is their name); the others share {@link EntityCollection}.
 */
public final class EntityStore {
    private final EmulatorContext ctx;
    private final Map<String, ObjectNode> namespaces = new LinkedHashMap<>();
    private final EntityCollection projects;
    private final EntityCollection datasets;
    private final EntityCollection models;

    public EntityStore(EmulatorContext ctx) {
        this.ctx = ctx;
        this.projects = new EntityCollection("Project", "project", "project", ctx.ids(), ctx.ledger());
        this.datasets = new EntityCollection("Dataset", "dataset", "dataset", ctx.ids(), ctx.ledger());
        this.models = new EntityCollection("Model", "model", "model", ctx.ids(), ctx.ledger());
    }

    public EntityCollection projects() {
        return projects;
    }

    public EntityCollection datasets() {
        return datasets;
    }

    public EntityCollection models() {
        return models;
    }

    public synchronized ObjectNode createNamespace(ObjectNode body) {
        String id = Json.text(body, "id");
        if (id == null || id.isBlank()) {
            throw ApiException.missing("id");
        }
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw ApiException.unprocessable(List.of("body", "id"),
                    "Namespace id must contain only letters, digits, '.', '_' and '-'", "value_error");
        }
        if (namespaces.containsKey(id)) {
            throw ApiException.conflict("Namespace " + id + " already exists");
        }
        ObjectNode ns = Json.obj();
        String now = Timestamps.now();
        ns.put("id", id);
        ns.put("created_at", now);
        ns.put("updated_at", now);
        ns.set("description", body.has("description") ? body.get("description") : Json.obj().nullNode());
        ns.set("project", body.has("project") ? body.get("project") : Json.obj().nullNode());
        ns.set("custom_fields", body.has("custom_fields") ? body.get("custom_fields") : Json.obj());
        ns.set("ownership", body.has("ownership") ? body.get("ownership") : Json.obj().nullNode());
        namespaces.put(id, ns);
        ctx.ledger().created("namespace", id, id);
        return ns.deepCopy();
    }

    public synchronized ObjectNode namespace(String id) {
        ObjectNode ns = namespaces.get(id);
        if (ns == null) {
            throw ApiException.notFound("Namespace " + id + " not found");
        }
        return ns.deepCopy();
    }

    public synchronized boolean hasNamespace(String id) {
        return namespaces.containsKey(id);
    }

    public synchronized ObjectNode patchNamespace(String id, ObjectNode patch) {
        ObjectNode ns = namespaces.get(id);
        if (ns == null) {
            throw ApiException.notFound("Namespace " + id + " not found");
        }
        for (String f : List.of("description", "project", "custom_fields", "ownership")) {
            if (patch.hasNonNull(f)) {
                ns.set(f, patch.get(f));
            }
        }
        ns.put("updated_at", Timestamps.now());
        return ns.deepCopy();
    }

    public synchronized ObjectNode deleteNamespace(String id) {
        if (namespaces.remove(id) == null) {
            throw ApiException.notFound("Namespace " + id + " not found");
        }
        ctx.ledger().deleted("namespace", id);
        return Json.obj().put("id", id).put("deleted_at", Timestamps.now())
                .put("message", "Resource deleted successfully.");
    }

    public synchronized List<ObjectNode> namespaces() {
        List<ObjectNode> out = new ArrayList<>();
        namespaces.values().forEach(n -> out.add(n.deepCopy()));
        return out;
    }
}
