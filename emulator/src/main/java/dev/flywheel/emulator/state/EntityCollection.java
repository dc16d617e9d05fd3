package dev.flywheel.emulator.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.http.ApiException;
import dev.flywheel.emulator.http.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A thread-safe collection of named NeMo entities keyed by {@code namespace/name}, with the shared entity envelope
 * (nemo-api.md §1.2), duplicate detection (409), NeMo-style 404s, shallow PATCH and the ledger hook. Used for
 * datasets, models, customization configs/targets, evaluation configs/targets and deployment configs. Objects are
 * returned as deep copies so callers can never mutate stored state by accident.
 */
public final class EntityCollection {
    private final String label;
    private final String idPrefix;
    private final String ledgerKind;
    private final Ids ids;
    private final Ledger ledger;
    private final Map<String, ObjectNode> byKey = new LinkedHashMap<>();

    /**
     * @param label human name used in error texts ("Dataset")
     * @param idPrefix id prefix ("dataset"), or null when the entity has no generated id
     * @param ledgerKind ledger kind, or null to not record client creations
     */
    public EntityCollection(String label, String idPrefix, String ledgerKind, Ids ids, Ledger ledger) {
        this.label = label;
        this.idPrefix = idPrefix;
        this.ledgerKind = ledgerKind;
        this.ids = ids;
        this.ledger = ledger;
    }

    public static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    /**
     * Stores a new entity. Fills id, name (defaults to the id), namespace (defaults to {@code default}), timestamps
     * and the envelope defaults. 409 when the name is taken.
     */
    public synchronized ObjectNode create(ObjectNode body, boolean recordInLedger) {
        ObjectNode e = body.deepCopy();
        String id = idPrefix == null ? null : ids.next(idPrefix);
        if (id != null) {
            e.put("id", id);
        }
        if (Json.text(e, "name") == null) {
            e.put("name", id);
        }
        if (Json.text(e, "namespace") == null) {
            e.put("namespace", "default");
        }
        String key = key(e.get("namespace").asText(), e.get("name").asText());
        if (byKey.containsKey(key)) {
            throw ApiException.conflict(label + " " + key + " already exists");
        }
        String now = Timestamps.now();
        e.put("created_at", now);
        e.put("updated_at", now);
        putIfAbsentNull(e, "description");
        putIfAbsentNull(e, "project");
        putIfAbsentNull(e, "ownership");
        if (!e.has("custom_fields") || e.get("custom_fields").isNull()) {
            e.putObject("custom_fields");
        }
        e.put("schema_version", "1.0");
        if (idPrefix != null) {
            e.put("type_prefix", idPrefix);
        }
        byKey.put(key, e);
        if (recordInLedger && ledgerKind != null) {
            ledger.created(ledgerKind, id == null ? key : id, key);
        }
        return e.deepCopy();
    }

    public synchronized Optional<ObjectNode> find(String namespace, String name) {
        ObjectNode e = byKey.get(key(namespace, name));
        return Optional.ofNullable(e == null ? null : e.deepCopy());
    }

    /** By {@code ns/name} reference; names may themselves contain {@code @} and {@code +} but no slash. */
    public Optional<ObjectNode> findRef(String ref) {
        int slash = ref.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        return find(ref.substring(0, slash), ref.substring(slash + 1));
    }

    public ObjectNode get(String namespace, String name) {
        return find(namespace, name).orElseThrow(() -> notFound(namespace, name));
    }

    public ApiException notFound(String namespace, String name) {
        return ApiException.notFound(label + " " + key(namespace, name) + " not found");
    }

    /** Shallow merge; null or absent fields in the patch keep the old value (SDK: "keep the old value"). */
    public synchronized ObjectNode patch(String namespace, String name, ObjectNode patch) {
        ObjectNode e = byKey.get(key(namespace, name));
        if (e == null) {
            throw notFound(namespace, name);
        }
        patch.fields().forEachRemaining(f -> {
            String k = f.getKey();
            if (k.equals("id") || k.equals("name") || k.equals("namespace") || k.equals("created_at")) {
                return;
            }
            JsonNode v = f.getValue();
            if (v != null && !v.isNull()) {
                e.set(k, v.deepCopy());
            }
        });
        e.put("updated_at", Timestamps.now());
        return e.deepCopy();
    }

    /** Replaces stored fields from inside the emulator (e.g. artifact status), without touching the ledger. */
    public synchronized void update(String namespace, String name, java.util.function.Consumer<ObjectNode> change) {
        ObjectNode e = byKey.get(key(namespace, name));
        if (e != null) {
            change.accept(e);
            e.put("updated_at", Timestamps.now());
        }
    }

    /** Deletes and returns NeMo's DeleteResponse. */
    public synchronized ObjectNode delete(String namespace, String name) {
        ObjectNode e = byKey.remove(key(namespace, name));
        if (e == null) {
            throw notFound(namespace, name);
        }
        String id = e.has("id") ? e.get("id").asText() : key(namespace, name);
        if (ledgerKind != null) {
            ledger.deleted(ledgerKind, id);
        }
        ObjectNode out = Json.obj();
        out.put("id", id);
        out.put("deleted_at", Timestamps.now());
        out.put("message", "Resource deleted successfully.");
        return out;
    }

    public synchronized List<ObjectNode> all() {
        List<ObjectNode> out = new ArrayList<>();
        byKey.values().forEach(e -> out.add(e.deepCopy()));
        return out;
    }

    private static void putIfAbsentNull(ObjectNode e, String field) {
        if (!e.has(field)) {
            e.putNull(field);
        }
    }
}
