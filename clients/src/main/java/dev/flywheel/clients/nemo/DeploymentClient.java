package dev.flywheel.clients.nemo;

import dev.flywheel.clients.nemo.CommonTypes.Created;
import dev.flywheel.clients.nemo.DeploymentTypes.CreateDeployment;
import dev.flywheel.clients.nemo.DeploymentTypes.DeploymentList;
import dev.flywheel.clients.nemo.DeploymentTypes.ModelDeployment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * NeMo Deployment Management ({@code nemo_base_url}/v1/deployment): create, read, list and delete NIM model
 * deployments (nemo-api.md §4).
 *
 * <p>DMS answers a create of an existing deployment with HTTP 500 "model deployment already exists" (a DMS bug the
 * reference works around by substring match). With deterministic names (see {@link NemoNames#deployment}) that answer
 * means "ours, from an earlier attempt", so it is adopted: the existing deployment is read back and returned. Plain
 * 500s on create are therefore not retried automatically (they may be that duplicate); after any ambiguous failure
 * (5xx, lost answer, timeout) the deployment is looked up by name and adopted if the create did land; otherwise the
 * caller sees {@link NemoException#isRetryable()}.
 */
public final class DeploymentClient {

    private static final Logger log = LoggerFactory.getLogger(DeploymentClient.class);
    private static final String BASE = "/v1/deployment/model-deployments";

    private final NemoHttp http;

    public DeploymentClient(NemoHttp http) {
        this.http = Objects.requireNonNull(http);
    }

    /** Creates the deployment, or adopts the existing one of the same name (409 or DMS's duplicate 500). */
    public CompletableFuture<Created<ModelDeployment>> createDeployment(CreateDeployment request) {
        return http.post("createDeployment", BASE)
                .json(request).retrySafe().duplicateIs500()
                .as(ModelDeployment.class)
                .thenApply(d -> new Created<>(d, false))
                .exceptionallyCompose(e -> {
                    NemoException ne = Futures.nemo(e);
                    if (ne != null && ne.isAlreadyExists()) {
                        http.countAdopted("createDeployment");
                        return getDeployment(request.namespace(), request.name()).thenApply(existing -> {
                            String model = existing.configModel();
                            if (model != null && !model.equals(request.config().model())) {
                                // Same deterministic name, different model: a naming bug upstream, worth a warning.
                                log.warn("adopted deployment {}/{} serves {} but {} was requested",
                                        request.namespace(), request.name(), model, request.config().model());
                            }
                            return new Created<>(existing, true);
                        });
                    }
                    if (ne != null && ne.isRetryable() && ne.kind() != NemoException.Kind.CIRCUIT_OPEN) {
                        // Ambiguous (5xx, lost answer, timeout): the create may have landed. Look before failing.
                        return findDeployment(request.namespace(), request.name()).thenCompose(found -> {
                            if (found.isPresent()) {
                                http.countAdopted("createDeployment");
                                return CompletableFuture.completedFuture(new Created<>(found.get(), true));
                            }
                            return CompletableFuture.failedFuture(ne);
                        });
                    }
                    return CompletableFuture.failedFuture(Futures.propagate(e));
                });
    }

    public CompletableFuture<ModelDeployment> getDeployment(String namespace, String name) {
        return http.get("getDeployment", NemoPaths.join(BASE, namespace, name)).as(ModelDeployment.class);
    }

    /** Empty on 404 (never created, or deleted). */
    public CompletableFuture<Optional<ModelDeployment>> findDeployment(String namespace, String name) {
        return Futures.optional(getDeployment(namespace, name));
    }

    public CompletableFuture<List<ModelDeployment>> listDeployments() {
        return http.get("listDeployments", BASE).as(DeploymentList.class).thenApply(DeploymentList::data);
    }

    /** Deletes; false when it was already gone. Pods outlive the 404 for a while (nemo-api.md §4.5). */
    public CompletableFuture<Boolean> deleteDeployment(String namespace, String name) {
        return Futures.deleted(http.delete("deleteDeployment", NemoPaths.join(BASE, namespace, name)).discard());
    }
}
