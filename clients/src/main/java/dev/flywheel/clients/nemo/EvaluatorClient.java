package dev.flywheel.clients.nemo;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.clients.nemo.CommonTypes.Created;
import dev.flywheel.clients.nemo.CommonTypes.Page;
import dev.flywheel.clients.nemo.EvaluationTypes.CreateEvaluationJob;
import dev.flywheel.clients.nemo.EvaluationTypes.EvaluationJob;
import dev.flywheel.clients.nemo.EvaluationTypes.EvaluationResult;
import dev.flywheel.clients.nemo.EvaluationTypes.EvaluationStatusDetails;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * NeMo Evaluator ({@code nemo_base_url}/v1/evaluation): evaluation jobs — create, read, status, results, cancel,
 * delete (nemo-api.md §6).
 *
 * <p>Evaluation jobs have no client-chosen name (NeMo assigns {@code eval-…} ids), so a create is never blindly
 * resent. Instead {@link #createOrAdoptJob} tags the job with {@code custom_fields.flywheel_key} (a deterministic
 * name from {@link NemoNames}), looks for that key before creating, and after an ambiguous failure (timeout, 5xx,
 * broken connection) looks again before reporting the error — so a job is created at most once per key.
 */
public final class EvaluatorClient {

    /** The custom field carrying our idempotency key. */
    public static final String KEY_FIELD = "flywheel_key";

    private static final String JOBS = "/v1/evaluation/jobs";
    private static final TypeReference<Page<EvaluationJob>> JOB_PAGE = new TypeReference<>() { };
    private static final int SEARCH_PAGE_SIZE = 100;
    private static final int SEARCH_MAX_PAGES = 10;

    private final NemoHttp http;

    public EvaluatorClient(NemoHttp http) {
        this.http = Objects.requireNonNull(http);
    }

    /** Plain create; not retried once it may have reached the server. */
    public CompletableFuture<EvaluationJob> createJob(CreateEvaluationJob request) {
        return http.post("createJob", JOBS).json(request).as(EvaluationJob.class);
    }

    /** Creates the job tagged with {@code key}, or returns the job already carrying it. */
    public CompletableFuture<Created<EvaluationJob>> createOrAdoptJob(String key, CreateEvaluationJob request) {
        Map<String, Object> fields = new LinkedHashMap<>(request.customFields() == null ? Map.of() : request.customFields());
        fields.put(KEY_FIELD, key);
        CreateEvaluationJob tagged = new CreateEvaluationJob(request.namespace(), request.config(), request.target(),
                request.description(), fields);
        return findJobByKey(request.namespace(), key).thenCompose(found -> {
            if (found.isPresent()) {
                http.countAdopted("createJob");
                return CompletableFuture.completedFuture(new Created<>(found.get(), true));
            }
            return createJob(tagged).thenApply(j -> new Created<>(j, false))
                    .exceptionallyCompose(e -> {
                        NemoException ne = Futures.nemo(e);
                        if (ne == null || !ne.isRetryable()) {
                            return CompletableFuture.failedFuture(Futures.propagate(e));
                        }
                        // Ambiguous: the job may exist. Look before reporting, never re-POST blindly.
                        return findJobByKey(request.namespace(), key).thenCompose(again -> again.isPresent()
                                ? CompletableFuture.completedFuture(new Created<>(again.get(), true))
                                : CompletableFuture.failedFuture(ne));
                    });
        });
    }

    /** The newest job whose {@code custom_fields.flywheel_key} is {@code key} (searches the newest 1000 jobs). */
    public CompletableFuture<Optional<EvaluationJob>> findJobByKey(String namespace, String key) {
        return searchPage(namespace, key, 1);
    }

    private CompletableFuture<Optional<EvaluationJob>> searchPage(String namespace, String key, int page) {
        return listJobs(namespace, page, SEARCH_PAGE_SIZE).thenCompose(p -> {
            Optional<EvaluationJob> hit = p.data().stream()
                    .filter(j -> key.equals(String.valueOf(j.customFields().get(KEY_FIELD))))
                    .findFirst();
            if (hit.isPresent() || !p.hasMore() || page >= SEARCH_MAX_PAGES) {
                return CompletableFuture.completedFuture(hit);
            }
            return searchPage(namespace, key, page + 1);
        });
    }

    /** {@code GET /v1/evaluation/jobs?sort=-created_at[&filter[namespace]=…]}. */
    public CompletableFuture<Page<EvaluationJob>> listJobs(String namespace, int page, int pageSize) {
        return http.get("listJobs", JOBS).query("filter[namespace]", namespace).query("sort", "-created_at")
                .query("page", page).query("page_size", pageSize).as(JOB_PAGE);
    }

    public CompletableFuture<EvaluationJob> getJob(String jobId) {
        return http.get("getJob", NemoPaths.join(JOBS, jobId)).as(EvaluationJob.class);
    }

    /** {@code GET …/{id}/status}: only message, progress, task_status — no {@code status} field. */
    public CompletableFuture<EvaluationStatusDetails> getJobStatus(String jobId) {
        return http.get("getJobStatus", NemoPaths.join(JOBS, jobId) + "/status").as(EvaluationStatusDetails.class);
    }

    public CompletableFuture<EvaluationResult> getResults(String jobId) {
        return http.get("getResults", NemoPaths.join(JOBS, jobId) + "/results").as(EvaluationResult.class);
    }

    /** The results ZIP (config files, logs, per-sample results). */
    public CompletableFuture<byte[]> downloadResults(String jobId) {
        return http.get("downloadResults", NemoPaths.join(JOBS, jobId) + "/download-results")
                .header("Accept", "application/zip").send().thenApply(NemoHttp.Response::body);
    }

    /** {@code POST …/{id}/cancel}; cancelling twice is harmless, so it is retried. */
    public CompletableFuture<JsonNode> cancelJob(String jobId) {
        return http.post("cancelJob", NemoPaths.join(JOBS, jobId) + "/cancel").retrySafe().asTree();
    }

    /** False when it did not exist. */
    public CompletableFuture<Boolean> deleteJob(String jobId) {
        return Futures.deleted(http.delete("deleteJob", NemoPaths.join(JOBS, jobId)).header("Accept", "*/*").discard());
    }
}
