package dev.flywheel.emulator.dms;

import dev.flywheel.emulator.http.ListEnvelope;
import dev.flywheel.emulator.http.Reply;
import dev.flywheel.emulator.http.Routes;

/** HTTP surface of Deployment Management under {@code /v1/deployment} on the platform host. */
public final class DeploymentApi {
    private static final String BASE = "/v1/deployment/model-deployments";
    private final Deployments deployments;

    public DeploymentApi(Deployments deployments) {
        this.deployments = deployments;
    }

    public void register(Routes r) {
        r.post(BASE, c -> Reply.ok(deployments.create(c.json())));
        r.get(BASE, c -> Reply.ok(ListEnvelope.of(deployments.list(), c.query())));
        r.get(BASE + "/{namespace}/{name}", c -> Reply.ok(deployments.get(c.path("namespace"), c.path("name"))));
        r.patch(BASE + "/{namespace}/{name}",
                c -> Reply.ok(deployments.patch(c.path("namespace"), c.path("name"), c.json())));
        r.delete(BASE + "/{namespace}/{name}", c -> Reply.ok(deployments.delete(c.path("namespace"), c.path("name"))));

        var configs = deployments.configs();
        r.post("/v1/deployment/configs", c -> Reply.ok(configs.create(c.json(), true)));
        r.get("/v1/deployment/configs", c -> Reply.ok(ListEnvelope.of(configs.all(), c.query())));
        r.get("/v1/deployment/configs/{namespace}/{name}", c -> Reply.ok(configs.get(c.path("namespace"),
                c.path("name"))));
        r.delete("/v1/deployment/configs/{namespace}/{name}", c -> Reply.ok(configs.delete(c.path("namespace"),
                c.path("name"))));
    }
}
