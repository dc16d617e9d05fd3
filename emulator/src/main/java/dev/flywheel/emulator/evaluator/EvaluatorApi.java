package dev.flywheel.emulator.evaluator;

import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import dev.flywheel.emulator.http.ListEnvelope;
import dev.flywheel.emulator.http.Reply;
import dev.flywheel.emulator.http.Routes;
import dev.flywheel.emulator.state.EntityCollection;

/** HTTP surface of the Evaluator under {@code /v1/evaluation} on the platform host. */
public final class EvaluatorApi {
    private static final String JOBS = "/v1/evaluation/jobs";
    private final Evaluator evaluator;

    public EvaluatorApi(Evaluator evaluator) {
        this.evaluator = evaluator;
    }

    public void register(Routes r) {
        r.post("/v1/evaluation/configs", c -> Reply.ok(evaluator.createConfig(c.json())));
        crudByName(r, "/v1/evaluation/configs", evaluator.configs());
        r.post("/v1/evaluation/targets", c -> Reply.ok(evaluator.createTarget(c.json())));
        crudByName(r, "/v1/evaluation/targets", evaluator.targets());

        r.post(JOBS, c -> Reply.ok(evaluator.createJob(c.json())));
        r.get(JOBS, c -> Reply.ok(ListEnvelope.of(evaluator.list(), c.query())));
        r.get(JOBS + "/{id}", c -> Reply.ok(evaluator.get(c.path("id"))));
        r.get(JOBS + "/{id}/status", c -> Reply.ok(evaluator.status(c.path("id"))));
        r.get(JOBS + "/{id}/results", c -> Reply.ok(evaluator.results(c.path("id"))));
        r.get(JOBS + "/{id}/download-results", c -> Reply.bytes(HttpStatus.OK, MediaType.ZIP,
                evaluator.downloadResults(c.path("id"))));
        r.get(JOBS + "/{id}/logs", c -> Reply.bytes(HttpStatus.OK, MediaType.ZIP, evaluator.logs(c.path("id"))));
        r.post(JOBS + "/{id}/cancel", c -> Reply.ok(evaluator.cancel(c.path("id"))));
        r.delete(JOBS + "/{id}", c -> {
            evaluator.delete(c.path("id"));
            return Reply.noContent();
        });
        r.get("/v1/evaluation/results", c -> Reply.ok(ListEnvelope.of(evaluator.allResults(), c.query())));
        r.get("/v1/evaluation/results/{id}", c -> Reply.ok(evaluator.result(c.path("id"))));
    }

    private static void crudByName(Routes r, String base, EntityCollection coll) {
        r.get(base, c -> Reply.ok(ListEnvelope.of(coll.all(), c.query())));
        r.get(base + "/{namespace}/{name}", c -> Reply.ok(coll.get(c.path("namespace"), c.path("name"))));
        r.patch(base + "/{namespace}/{name}", c -> Reply.ok(coll.patch(c.path("namespace"), c.path("name"),
                c.json())));
        r.delete(base + "/{namespace}/{name}", c -> Reply.ok(coll.delete(c.path("namespace"), c.path("name"))));
    }
}
