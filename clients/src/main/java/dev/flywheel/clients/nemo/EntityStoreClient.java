package dev.flywheel.clients.nemo;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.flywheel.clients.nemo.CommonTypes.Created;
import dev.flywheel.clients.nemo.CommonTypes.Page;
import dev.flywheel.clients.nemo.EntityTypes.CreateNamespace;
import dev.flywheel.clients.nemo.EntityTypes.Dataset;
import dev.flywheel.clients.nemo.EntityTypes.DatasetRequest;
import dev.flywheel.clients.nemo.EntityTypes.Model;
import dev.flywheel.clients.nemo.EntityTypes.Namespace;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * NeMo Entity Store ({@code nemo_base_url}): namespaces, datasets, models (nemo-api.md §2).
 *
 * <p>Creates are idempotent: namespaces adopt on 409 (the reference also accepted 422, which hides real validation
 * errors — we do not); {@link #upsertDataset} reads first and PATCHes or POSTs as the reference does, adopting a 409
 * from a concurrent creator.
 */
public final class EntityStoreClient {

    private static final TypeReference<Page<Dataset>> DATASET_PAGE = new TypeReference<>() { };
    private static final TypeReference<Page<Model>> MODEL_PAGE = new TypeReference<>() { };
    private static final TypeReference<Page<Namespace>> NAMESPACE_PAGE = new TypeReference<>() { };

    private final NemoHttp http;

    public EntityStoreClient(NemoHttp http) {
        this.http = Objects.requireNonNull(http);
    }

    // ---- namespaces ---------------------------------------------------------------------------------------------

    /** {@code POST /v1/namespaces {"id": ns}}: 200 created, 409 adopted (then read back). */
    public CompletableFuture<Created<Namespace>> createNamespace(String namespace) {
        return http.post("createNamespace", "/v1/namespaces")
                .json(new CreateNamespace(namespace, null)).retrySafe()
                .as(Namespace.class)
                .thenApply(ns -> new Created<>(ns, false))
                .exceptionallyCompose(e -> {
                    NemoException ne = Futures.nemo(e);
                    if (ne != null && ne.isConflict()) {
                        http.countAdopted("createNamespace");
                        return getNamespace(namespace).thenApply(ns -> new Created<>(ns, true));
                    }
                    return CompletableFuture.failedFuture(Futures.propagate(e));
                });
    }

    public CompletableFuture<Namespace> getNamespace(String namespace) {
        return http.get("getNamespace", NemoPaths.join("/v1/namespaces", namespace)).as(Namespace.class);
    }

    public CompletableFuture<Page<Namespace>> listNamespaces(int page, int pageSize) {
        return http.get("listNamespaces", "/v1/namespaces").query("page", page).query("page_size", pageSize)
                .as(NAMESPACE_PAGE);
    }

    /** False when it did not exist. */
    public CompletableFuture<Boolean> deleteNamespace(String namespace) {
        return Futures.deleted(http.delete("deleteNamespace", NemoPaths.join("/v1/namespaces", namespace)).discard());
    }

    // ---- datasets -----------------------------------------------------------------------------------------------

    public CompletableFuture<Dataset> createDataset(DatasetRequest request) {
        return http.post("createDataset", "/v1/datasets").json(request).retrySafe().as(Dataset.class);
    }

    public CompletableFuture<Dataset> getDataset(String namespace, String name) {
        return http.get("getDataset", NemoPaths.join("/v1/datasets", namespace, name)).as(Dataset.class);
    }

    /** Empty on 404. */
    public CompletableFuture<Optional<Dataset>> findDataset(String namespace, String name) {
        return Futures.optional(getDataset(namespace, name));
    }

    public CompletableFuture<Dataset> updateDataset(DatasetRequest request) {
        return http.patch("updateDataset", NemoPaths.join("/v1/datasets", request.namespace(), request.name()))
                .json(request).retrySafe().as(Dataset.class);
    }

    /**
     * Registers the dataset: PATCH when it exists, else POST; a 409 on POST (someone created it meanwhile) turns
     * into a PATCH. {@code adopted} is true when it existed.
     */
    public CompletableFuture<Created<Dataset>> upsertDataset(DatasetRequest request) {
        return findDataset(request.namespace(), request.name()).thenCompose(existing -> {
            if (existing.isPresent()) {
                http.countAdopted("createDataset");
                return updateDataset(request).thenApply(d -> new Created<>(d, true));
            }
            return createDataset(request).thenApply(d -> new Created<>(d, false))
                    .exceptionallyCompose(e -> {
                        NemoException ne = Futures.nemo(e);
                        if (ne != null && ne.isConflict()) {
                            http.countAdopted("createDataset");
                            return updateDataset(request).thenApply(d -> new Created<>(d, true));
                        }
                        return CompletableFuture.failedFuture(Futures.propagate(e));
                    });
        });
    }

    /** {@code GET /v1/datasets?filter[namespace]=…&sort=-created_at}. */
    public CompletableFuture<Page<Dataset>> listDatasets(String namespace, int page, int pageSize) {
        return http.get("listDatasets", "/v1/datasets").query("filter[namespace]", namespace)
                .query("sort", "-created_at").query("page", page).query("page_size", pageSize)
                .as(DATASET_PAGE);
    }

    /** False when it did not exist. */
    public CompletableFuture<Boolean> deleteDataset(String namespace, String name) {
        return Futures.deleted(http.delete("deleteDataset", NemoPaths.join("/v1/datasets", namespace, name)).discard());
    }

    // ---- models -------------------------------------------------------------------------------------------------

    /** {@code GET /v1/models/{ns}/{name}}; {@code name} may carry {@code @version}, sent unencoded. */
    public CompletableFuture<Model> getModel(String namespace, String name) {
        return http.get("getModel", NemoPaths.join("/v1/models", namespace, name)).as(Model.class);
    }

    /** By {@code "namespace/name[@version]"}, e.g. a customization job's {@code output_model}. */
    public CompletableFuture<Model> getModel(String modelRef) {
        return http.get("getModel", NemoPaths.ref("/v1/models", modelRef)).as(Model.class);
    }

    /** Empty on 404. */
    public CompletableFuture<Optional<Model>> findModel(String modelRef) {
        return Futures.optional(getModel(modelRef));
    }

    public CompletableFuture<Page<Model>> listModels(String namespace, int page, int pageSize) {
        return http.get("listModels", "/v1/models").query("filter[namespace]", namespace)
                .query("sort", "-created_at").query("page", page).query("page_size", pageSize)
                .as(MODEL_PAGE);
    }

    /** Deletes {@code "namespace/name[@version]"}; false when it did not exist. */
    public CompletableFuture<Boolean> deleteModel(String modelRef) {
        return Futures.deleted(http.delete("deleteModel", NemoPaths.ref("/v1/models", modelRef)).discard());
    }
}
