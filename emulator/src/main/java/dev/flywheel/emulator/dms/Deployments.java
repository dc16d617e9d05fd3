package dev.flywheel.emulator.dms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpStatus;
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
 * Deployment Management state and lifecycle (nemo-api.md §4): validates creates, reproduces the duplicate-create 500
 * quirk, moves deployments {@code created → pending → ready} in the background (or keeps them {@code pending} with
 * {@code NotEnoughResources} while that fault is set), and tells the NIM proxy which models are served.
 */
public final class Deployments {
    /** A model served by a ready deployment and the time (epoch ms) it becomes visible through the NIM proxy. */
    public record Served(String modelId, long readyAtMillis, long visibleAtMillis, boolean loraEnabled) {}

    private final EmulatorContext ctx;
    private final EntityCollection configs;
    private final Map<String, Deployment> byKey = new LinkedHashMap<>();

    public Deployments(EmulatorContext ctx) {
        this.ctx = ctx;
        this.configs = new EntityCollection("Deployment config", "deployment-config", "deployment_config",
                ctx.ids(), ctx.ledger());
    }

    public EntityCollection configs() {
        return configs;
    }

    public ObjectNode create(ObjectNode body) {
        String name = Json.text(body, "name");
        if (name == null || name.isBlank()) {
            throw ApiException.missing("name");
        }
        if (name.contains("/")) {
            throw ApiException.unprocessable(List.of("body", "name"), "Deployment names cannot contain '/'",
                    "value_error");
        }
        String ns = Json.text(body, "namespace") == null ? "default" : Json.text(body, "namespace");
        ObjectNode request = body.deepCopy();
        request.set("config", resolveConfig(body.get("config")));
        synchronized (this) {
            String key = ns + "/" + name;
            if (byKey.containsKey(key)) {
                // DMS bug reproduced on purpose: DFW and others detect an existing deployment by this 500's text.
                throw ApiException.detail(HttpStatus.INTERNAL_SERVER_ERROR, "model deployment already exists");
            }
            String id = ctx.ids().next("deployment");
            Deployment d = new Deployment(ns, name, id, request, Timestamps.now());
            byKey.put(key, d);
            ctx.ledger().created("deployment", id, key);
            ctx.clock().after(ctx.timings().deploymentToPending(), () -> toPending(d));
            return d.toJson();
        }
    }

    private ObjectNode resolveConfig(JsonNode config) {
        if (config == null || config.isNull()) {
            throw ApiException.missing("config");
        }
        if (config.isTextual()) {
            return configs.findRef(config.asText())
                    .orElseThrow(() -> ApiException.notFound("Deployment config " + config.asText() + " not found"));
        }
        if (!config.isObject()) {
            throw ApiException.unprocessable(List.of("body", "config"), "Input should be a valid dictionary or string",
                    "model_type");
        }
        JsonNode model = config.get("model");
        if (model == null || model.isNull()) {
            throw ApiException.missing("config", "model");
        }
        JsonNode nim = config.get("nim_deployment");
        if (nim != null && nim.isObject()) {
            if (!nim.path("gpu").canConvertToInt() || !nim.has("gpu")) {
                throw ApiException.missing("config", "nim_deployment", "gpu");
            }
            for (String f : List.of("image_name", "image_tag")) {
                if (Json.text(nim, f) == null) {
                    throw ApiException.missing("config", "nim_deployment", f);
                }
            }
        } else if (!config.has("external_endpoint")) {
            throw ApiException.unprocessable(List.of("body", "config"),
                    "One of nim_deployment or external_endpoint is required", "value_error");
        }
        return (ObjectNode) config.deepCopy();
    }

    private synchronized void toPending(Deployment d) {
        if (d.deleted) {
            return;
        }
        set(d, "pending", "Deployment is pending: waiting for the NIM pod to start");
        ctx.clock().after(ctx.timings().deploymentPendingToReady(), () -> toReady(d));
    }

    private synchronized void toReady(Deployment d) {
        if (d.deleted) {
            return;
        }
        if (ctx.faults().plan().deploymentStuckPending()) {
            set(d, "pending", "NotEnoughResources: 0/1 nodes are available: 1 Insufficient nvidia.com/gpu.");
            ctx.clock().after(ctx.timings().stuckRecheck(), () -> toReady(d));
            return;
        }
        set(d, "ready", "Deployment is ready");
        d.readyAtMillis = ctx.clock().nowMillis();
    }

    private void set(Deployment d, String status, String description) {
        d.status = status;
        d.description = description;
        d.updatedAt = Timestamps.now();
    }

    public synchronized ObjectNode get(String ns, String name) {
        return find(ns, name).toJson();
    }

    private Deployment find(String ns, String name) {
        Deployment d = byKey.get(ns + "/" + name);
        if (d == null) {
            throw ApiException.notFound("Model deployment " + ns + "/" + name + " not found");
        }
        return d;
    }

    public synchronized ObjectNode patch(String ns, String name, ObjectNode patch) {
        Deployment d = find(ns, name);
        patch.fields().forEachRemaining(f -> {
            if (f.getKey().equals("config")) {
                d.request.set("config", resolveConfig(f.getValue()));
            } else if (!f.getKey().equals("name") && !f.getKey().equals("namespace") && !f.getValue().isNull()) {
                d.request.set(f.getKey(), f.getValue());
            }
        });
        d.updatedAt = Timestamps.now();
        return d.toJson();
    }

    public synchronized ObjectNode delete(String ns, String name) {
        Deployment d = find(ns, name);
        d.deleted = true;
        byKey.remove(ns + "/" + name);
        ctx.ledger().deleted("deployment", d.id);
        return Json.obj().put("id", d.id).put("deleted_at", Timestamps.now())
                .put("message", "Model deployment " + ns + "/" + name + " deleted");
    }

    public synchronized List<ObjectNode> list() {
        List<ObjectNode> out = new ArrayList<>();
        byKey.values().forEach(d -> out.add(d.toJson()));
        return out;
    }

    /** Models of ready deployments, with the proxy's sync lag applied. */
    public synchronized List<Served> served() {
        List<Served> out = new ArrayList<>();
        long lag = ctx.clock().realMillis(ctx.timings().nimModelSync());
        for (Deployment d : byKey.values()) {
            if ("ready".equals(d.status) && d.modelId() != null) {
                out.add(new Served(d.modelId(), d.readyAtMillis, d.readyAtMillis + lag, d.loraEnabled()));
            }
        }
        return out;
    }
}
