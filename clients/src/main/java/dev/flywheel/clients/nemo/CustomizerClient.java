package dev.flywheel.clients.nemo;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.flywheel.clients.nemo.CommonTypes.Created;
import dev.flywheel.clients.nemo.CommonTypes.Page;
import dev.flywheel.clients.nemo.CustomizationTypes.CreateConfig;
import dev.flywheel.clients.nemo.CustomizationTypes.CreateJob;
import dev.flywheel.clients.nemo.CustomizationTypes.CustomizationConfig;
import dev.flywheel.clients.nemo.CustomizationTypes.CustomizationJob;
import dev.flywheel.clients.nemo.CustomizationTypes.CustomizationStatus;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * NeMo Customizer ({@code nemo_base_url}/v1/customization): training configs and customization jobs (nemo-api.md §7).
 *
 * <p>Configs adopt on 409, as the reference does. Jobs: a create is not resent blindly; {@link #createOrAdoptJob}
 * looks for a job with the same deterministic name first and again after an ambiguous failure. Cancel uses the
 * documented {@code POST /v1/customization/jobs/{id}/cancel} — the reference called
 * {@code /v1/customizations/{id}/cancel}, which 404s, so its training was never cancelled (anchor §11.2 item 6).
 */
public final class CustomizerClient {

    private static final String CONFIGS = "/v1/customization/configs";
    private static final String JOBS = "/v1/customization/jobs";
    private static final TypeReference<Page<CustomizationJob>> JOB_PAGE = new TypeReference<>() { };
    private static final int SEARCH_PAGE_SIZE = 100;
    private static final int SEARCH_MAX_PAGES = 10;

    private final NemoHttp http;

    public CustomizerClient(NemoHttp http) {
        this.http = Objects.requireNonNull(http);
    }

    // ---- configs ------------------------------------------------------------------------------------------------

    /** Creates the config (200) or adopts the existing one (409), read back by name. */
    public CompletableFuture<Created<CustomizationConfig>> createConfig(CreateConfig request) {
        return http.post("createConfig", CONFIGS).json(request).retrySafe()
                .as(CustomizationConfig.class)
                .thenApply(c -> new Created<>(c, false))
                .exceptionallyCompose(e -> {
                    NemoException ne = Futures.nemo(e);
                    if (ne != null && ne.isConflict()) {
                        http.countAdopted("createConfig");
                        return getConfig(request.namespace(), request.name()).thenApply(c -> new Created<>(c, true));
                    }
                    return CompletableFuture.failedFuture(Futures.propagate(e));
                });
    }

    /** {@code name} like {@code fw-…@v1.0.0+a1} goes into the path unencoded. */
    public CompletableFuture<CustomizationConfig> getConfig(String namespace, String name) {
        return http.get("getConfig", NemoPaths.join(CONFIGS, namespace, name)).as(CustomizationConfig.class);
    }

    /** False when it did not exist. */
    public CompletableFuture<Boolean> deleteConfig(String namespace, String name) {
        return Futures.deleted(http.delete("deleteConfig", NemoPaths.join(CONFIGS, namespace, name)).discard());
    }

    // ---- jobs ---------------------------------------------------------------------------------------------------

    /** Plain create (exactly one POST). */
    public CompletableFuture<CustomizationJob> createJob(CreateJob request) {
        return http.post("createJob", JOBS).json(request).as(CustomizationJob.class);
    }

    /** Creates the job, or returns the existing job of the same (deterministic) name. */
    public CompletableFuture<Created<CustomizationJob>> createOrAdoptJob(CreateJob request) {
        String name = Objects.requireNonNull(request.name(), "a job name is required to adopt");
        return findJobByName(name).thenCompose(found -> {
            if (found.isPresent()) {
                http.countAdopted("createJob");
                return CompletableFuture.completedFuture(new Created<>(found.get(), true));
            }
            return createJob(request).thenApply(j -> new Created<>(j, false))
                    .exceptionallyCompose(e -> {
                        NemoException ne = Futures.nemo(e);
                        if (ne == null || !(ne.isRetryable() || ne.isConflict())) {
                            return CompletableFuture.failedFuture(Futures.propagate(e));
                        }
                        return findJobByName(name).thenCompose(again -> again.isPresent()
                                ? CompletableFuture.completedFuture(new Created<>(again.get(), true))
                                : CompletableFuture.failedFuture(ne));
                    });
        });
    }

    /** The newest job called {@code name} among the newest 1000 jobs. */
    public CompletableFuture<Optional<CustomizationJob>> findJobByName(String name) {
        return searchPage(name, 1);
    }

    private CompletableFuture<Optional<CustomizationJob>> searchPage(String name, int page) {
        return listJobs(page, SEARCH_PAGE_SIZE).thenCompose(p -> {
            Optional<CustomizationJob> hit = p.data().stream().filter(j -> name.equals(j.name())).findFirst();
            if (hit.isPresent() || !p.hasMore() || page >= SEARCH_MAX_PAGES) {
                return CompletableFuture.completedFuture(hit);
            }
            return searchPage(name, page + 1);
        });
    }

    public CompletableFuture<Page<CustomizationJob>> listJobs(int page, int pageSize) {
        return http.get("listJobs", JOBS).query("sort", "-created_at").query("page", page)
                .query("page_size", pageSize).as(JOB_PAGE);
    }

    public CompletableFuture<CustomizationJob> getJob(String jobId) {
        return http.get("getJob", NemoPaths.join(JOBS, jobId)).as(CustomizationJob.class);
    }

    /** {@code GET …/{id}/status}: the flat progress record the reference polls every 30 s. */
    public CompletableFuture<CustomizationStatus> getJobStatus(String jobId) {
        return http.get("getJobStatus", NemoPaths.join(JOBS, jobId) + "/status").as(CustomizationStatus.class);
    }

    /** {@code POST /v1/customization/jobs/{id}/cancel}; returns the job. Cancelling twice is harmless: retried. */
    public CompletableFuture<CustomizationJob> cancelJob(String jobId) {
        return http.post("cancelJob", NemoPaths.join(JOBS, jobId) + "/cancel").retrySafe()
                .as(CustomizationJob.class);
    }
}
