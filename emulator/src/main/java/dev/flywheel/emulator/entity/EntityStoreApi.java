package dev.flywheel.emulator.entity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.http.ApiException;
import dev.flywheel.emulator.http.Json;
import dev.flywheel.emulator.http.ListEnvelope;
import dev.flywheel.emulator.http.Reply;
import dev.flywheel.emulator.http.Routes;
import dev.flywheel.emulator.state.EntityCollection;

/**
 * HTTP surface of the Entity Store on the platform host: {@code /v1/namespaces}, {@code /v1/projects},
 * {@code /v1/datasets}, {@code /v1/models}. Creates answer 200 (as recorded for namespaces), duplicates 409.
 */
public final class EntityStoreApi {
    private final EntityStore store;

    public EntityStoreApi(EntityStore store) {
        this.store = store;
    }

    public void register(Routes r) {
        r.post("/v1/namespaces", c -> Reply.ok(store.createNamespace(c.json())));
        r.get("/v1/namespaces", c -> Reply.ok(ListEnvelope.of(store.namespaces(), c.query())));
        r.get("/v1/namespaces/{id}", c -> Reply.ok(store.namespace(c.path("id"))));
        r.patch("/v1/namespaces/{id}", c -> Reply.ok(store.patchNamespace(c.path("id"), c.json())));
        r.delete("/v1/namespaces/{id}", c -> Reply.ok(store.deleteNamespace(c.path("id"))));

        crud(r, "/v1/projects", store.projects(), false);
        crud(r, "/v1/datasets", store.datasets(), true);
        crud(r, "/v1/models", store.models(), false);
    }

    private void crud(Routes r, String base, EntityCollection coll, boolean datasets) {
        r.post(base, c -> {
            ObjectNode body = c.json();
            if (datasets && Json.text(body, "files_url") == null) {
                throw ApiException.missing("files_url");
            }
            if (datasets) {
                for (String f : new String[] {"format", "hf_endpoint", "split", "limit"}) {
                    if (!body.has(f)) {
                        body.putNull(f);
                    }
                }
            }
            requireNamespace(body);
            return Reply.ok(coll.create(body, true));
        });
        r.get(base, c -> Reply.ok(ListEnvelope.of(coll.all(), c.query())));
        r.get(base + "/{namespace}/{name}", c -> Reply.ok(coll.get(c.path("namespace"), c.path("name"))));
        r.patch(base + "/{namespace}/{name}",
                c -> Reply.ok(coll.patch(c.path("namespace"), c.path("name"), c.json())));
        r.delete(base + "/{namespace}/{name}", c -> Reply.ok(coll.delete(c.path("namespace"), c.path("name"))));
    }

    /** Entities may only be created in an existing namespace ("default" always exists implicitly). */
    private void requireNamespace(ObjectNode body) {
        String ns = Json.text(body, "namespace");
        if (ns != null && !ns.equals("default") && !store.hasNamespace(ns)) {
            throw ApiException.notFound("Namespace " + ns + " not found");
        }
    }
}
