package dev.flywheel.emulator.customizer;

import dev.flywheel.emulator.http.ListEnvelope;
import dev.flywheel.emulator.http.Reply;
import dev.flywheel.emulator.http.Routes;
import dev.flywheel.emulator.state.EntityCollection;

/** HTTP surface of the Customizer under {@code /v1/customization} on the platform host. */
public final class CustomizerApi {
    private static final String JOBS = "/v1/customization/jobs";
    private final Customizer customizer;

    public CustomizerApi(Customizer customizer) {
        this.customizer = customizer;
    }

    public void register(Routes r) {
        EntityCollection configs = customizer.configs();
        r.post("/v1/customization/configs", c -> Reply.ok(customizer.createConfig(c.json())));
        crudByName(r, "/v1/customization/configs", configs);
        EntityCollection targets = customizer.targets();
        r.post("/v1/customization/targets", c -> Reply.ok(targets.create(c.json(), true)));
        crudByName(r, "/v1/customization/targets", targets);

        r.post(JOBS, c -> Reply.ok(customizer.createJob(c.json())));
        r.get(JOBS, c -> Reply.ok(ListEnvelope.of(customizer.list(), c.query())));
        r.get(JOBS + "/{id}", c -> Reply.ok(customizer.get(c.path("id"))));
        r.get(JOBS + "/{id}/status", c -> Reply.ok(customizer.status(c.path("id"))));
        r.post(JOBS + "/{id}/cancel", c -> Reply.ok(customizer.cancel(c.path("id"))));
        r.get(JOBS + "/{id}/container-logs", c -> Reply.ok(customizer.containerLogs(c.path("id"))));
        r.delete(JOBS + "/{id}", c -> Reply.ok(customizer.delete(c.path("id"))));
    }

    private static void crudByName(Routes r, String base, EntityCollection coll) {
        r.get(base, c -> Reply.ok(ListEnvelope.of(coll.all(), c.query())));
        r.get(base + "/{namespace}/{name}", c -> Reply.ok(coll.get(c.path("namespace"), c.path("name"))));
        r.patch(base + "/{namespace}/{name}", c -> Reply.ok(coll.patch(c.path("namespace"), c.path("name"),
                c.json())));
        r.delete(base + "/{namespace}/{name}", c -> Reply.ok(coll.delete(c.path("namespace"), c.path("name"))));
    }
}
