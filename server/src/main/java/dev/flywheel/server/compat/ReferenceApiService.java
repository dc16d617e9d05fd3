package dev.flywheel.server.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.annotation.Delete;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.Post;
import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.Customization;
import dev.flywheel.api.v1.DataSplitConfig;
import dev.flywheel.api.v1.Dataset;
import dev.flywheel.api.v1.Evaluation;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.ListJobsRequest;
import dev.flywheel.api.v1.ListJobsResponse;
import dev.flywheel.core.error.FieldViolation;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.server.api.GrpcErrors;
import dev.flywheel.server.job.JobService;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The reference blueprint's REST API under {@code /api}: the same five endpoints, JSON field names, status
 * strings and {@code {"detail": ...}} error bodies, so its notebooks and scripts work unchanged. Two
 * deliberate differences: create answers with the stored status ({@code pending}) instead of the literal
 * {@code "queued"}, and a request with unknown or mistyped fields is refused (422) instead of ignored.
 */
public final class ReferenceApiService {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> REQUEST_FIELDS = Set.of("client_id", "workload_id", "data_split_config",
            "job_type", "config_name");
    private static final int LIST_PAGE = 1000;

    private final JobService jobs;

    public ReferenceApiService(JobService jobs) {
        this.jobs = jobs;
    }

    @Post("/jobs")
    public CompletableFuture<HttpResponse> createJob(AggregatedHttpRequest request) {
        CreateJobRequest create;
        try {
            create = parseJobRequest(request.contentUtf8());
        } catch (FlywheelException e) {
            return CompletableFuture.completedFuture(unprocessable(e.violations()));
        }
        return handle(() -> jobs.create(create).thenApply(job -> {
            ObjectNode body = MAPPER.createObjectNode();
            body.put("id", job.getId());
            body.put("status", job.getStatus());
            body.put("message", "NIM workflow started");
            return json(HttpStatus.OK, body);
        }), null);
    }

    @Get("/jobs")
    public CompletableFuture<HttpResponse> listJobs() {
        // The reference returns every job; we page through the store so memory stays bounded per page.
        List<Job> all = new ArrayList<>();
        return handle(() -> collect("", all).thenApply(done -> {
            ObjectNode body = MAPPER.createObjectNode();
            ArrayNode list = body.putArray("jobs");
            for (Job job : all) {
                ObjectNode item = list.addObject();
                item.put("id", job.getId());
                item.put("workload_id", job.getWorkloadId());
                item.put("client_id", job.getClientId());
                item.put("status", job.getStatus());
                item.put("started_at", time(job.getCreatedAt()));
                putTime(item, "finished_at", job.hasFinishedAt() ? job.getFinishedAt() : null);
                datasets(item.putArray("datasets"), job);
                putError(item, job);
            }
            return json(HttpStatus.OK, body);
        }), null);
    }

    private CompletableFuture<Void> collect(String pageToken, List<Job> into) {
        return jobs.list(ListJobsRequest.newBuilder().setPageSize(LIST_PAGE).setPageToken(pageToken).build())
                .thenCompose((ListJobsResponse page) -> {
                    into.addAll(page.getJobsList());
                    return page.getNextPageToken().isEmpty() ? CompletableFuture.completedFuture(null)
                            : collect(page.getNextPageToken(), into);
                });
    }

    @Get("/jobs/{job_id}")
    public CompletableFuture<HttpResponse> getJob(@Param("job_id") String id) {
        return handle(() -> jobs.get(id).thenApply(job -> json(HttpStatus.OK, detail(job))), "Job not found");
    }

    @Delete("/jobs/{job_id}")
    public CompletableFuture<HttpResponse> deleteJob(@Param("job_id") String id) {
        return handle(() -> jobs.delete(id).thenApply(deleted -> message(id,
                "Job deletion started. Resources will be cleaned up in the background.")), "Job with ID " + id + " not found");
    }

    @Post("/jobs/{job_id}/cancel")
    public CompletableFuture<HttpResponse> cancelJob(@Param("job_id") String id) {
        return handle(() -> jobs.get(id).thenCompose(before -> {
            if (before.getStatus().equals("cancelled")) {
                return CompletableFuture.completedFuture(message(id, "Job is already cancelled."));
            }
            return jobs.cancel(id).thenApply(job -> message(id, "Job cancellation initiated successfully."));
        }), "Job with ID " + id + " not found");
    }

    private static ObjectNode detail(Job job) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("id", job.getId());
        body.put("workload_id", job.getWorkloadId());
        body.put("client_id", job.getClientId());
        body.put("status", job.getStatus());
        body.put("started_at", time(job.getCreatedAt()));
        putTime(body, "finished_at", job.hasFinishedAt() ? job.getFinishedAt() : null);
        body.put("num_records", job.getNumRecords());
        if (job.hasLlmJudge()) {
            ObjectNode judge = body.putObject("llm_judge");
            judge.put("model_name", job.getLlmJudge().getModelName());
            judge.put("type", job.getLlmJudge().getType());
            judge.put("deployment_status", orPending(job.getLlmJudge().getDeploymentStatus()));
            putText(judge, "error", job.getLlmJudge().getError());
        } else {
            body.putNull("llm_judge");
        }
        ArrayNode nims = body.putArray("nims");
        for (CandidateModel c : job.getCandidatesList()) {
            ObjectNode nim = nims.addObject();
            nim.put("model_name", c.getModelName());
            nim.put("status", c.getStatus());
            nim.put("deployment_status", orPending(c.getDeploymentStatus()));
            nim.put("runtime_seconds", c.getRuntimeSeconds());
            ArrayNode evals = nim.putArray("evaluations");
            for (Evaluation e : c.getEvaluationsList()) {
                ObjectNode eval = evals.addObject();
                eval.put("eval_type", e.getEvalType());
                ObjectNode scores = eval.putObject("scores");
                e.getScoresMap().forEach(scores::put);
                putTime(eval, "started_at", e.hasStartedAt() ? e.getStartedAt() : null);
                putTime(eval, "finished_at", e.hasFinishedAt() ? e.getFinishedAt() : null);
                eval.put("runtime_seconds", e.getRuntimeSeconds());
                eval.put("progress", e.getProgress());
                putText(eval, "nmp_uri", e.getNmpUri());
                eval.putNull("mlflow_uri");
                putText(eval, "error", e.getError());
            }
            ArrayNode customizations = nim.putArray("customizations");
            for (Customization cu : c.getCustomizationsList()) {
                ObjectNode item = customizations.addObject();
                putTime(item, "started_at", cu.hasStartedAt() ? cu.getStartedAt() : null);
                putTime(item, "finished_at", cu.hasFinishedAt() ? cu.getFinishedAt() : null);
                item.put("runtime_seconds", cu.getRuntimeSeconds());
                item.put("progress", cu.getProgress());
                item.put("epochs_completed", cu.getEpochsCompleted());
                item.put("steps_completed", cu.getStepsCompleted());
                putText(item, "nmp_uri", cu.getNmpUri());
                putText(item, "customized_model", cu.getCustomizedModel());
                putText(item, "error", cu.getError());
            }
            putText(nim, "error", c.getError());
        }
        datasets(body.putArray("datasets"), job);
        putError(body, job);
        return body;
    }

    private static void datasets(ArrayNode out, Job job) {
        for (Dataset d : job.getDatasetsList()) {
            ObjectNode item = out.addObject();
            item.put("name", d.getName());
            item.put("num_records", d.getNumRecords());
            putText(item, "nmp_uri", d.getUri());
        }
    }

    private static void putError(ObjectNode node, Job job) {
        putText(node, "error", job.hasError() ? job.getError().getMessage() : "");
    }

    /** The reference's JobRequest: ids required, data_split_config optional, unknown fields refused. */
    static CreateJobRequest parseJobRequest(String body) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw FlywheelException.invalid("body", "JSON decode error: " + e.getOriginalMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw FlywheelException.invalid("body", "Input should be a valid dictionary");
        }
        List<FieldViolation> violations = new ArrayList<>();
        CreateJobRequest.Builder request = CreateJobRequest.newBuilder();
        for (Iterator<String> names = tree.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!REQUEST_FIELDS.contains(name)) {
                violations.add(new FieldViolation(name, "Extra inputs are not permitted"));
            }
        }
        request.setClientId(text(tree, "client_id", true, violations));
        request.setWorkloadId(text(tree, "workload_id", true, violations));
        request.setJobType(text(tree, "job_type", false, violations));
        request.setConfigName(text(tree, "config_name", false, violations));
        JsonNode split = tree.get("data_split_config");
        if (split != null && !split.isNull()) {
            request.setDataSplitConfig(parseSplit(split, violations));
        }
        if (!violations.isEmpty()) {
            throw FlywheelException.invalid(violations);
        }
        return request.build();
    }

    private static DataSplitConfig parseSplit(JsonNode split, List<FieldViolation> violations) {
        DataSplitConfig.Builder b = DataSplitConfig.newBuilder();
        if (!split.isObject()) {
            violations.add(new FieldViolation("data_split_config", "Input should be a valid dictionary"));
            return b.build();
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = split.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = "data_split_config." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            switch (e.getKey()) {
                case "eval_size" -> { if (isInt(v, path, violations)) b.setEvalSize(v.intValue()); }
                case "min_total_records" -> { if (isInt(v, path, violations)) b.setMinTotalRecords(v.intValue()); }
                case "limit" -> { if (isInt(v, path, violations)) b.setLimit(v.intValue()); }
                case "random_seed" -> { if (isInt(v, path, violations)) b.setRandomSeed(v.longValue()); }
                case "val_ratio" -> {
                    if (v.isNumber()) {
                        b.setValRatio(v.doubleValue());
                    } else {
                        violations.add(new FieldViolation(path, "Input should be a valid number"));
                    }
                }
                case "parse_function_arguments" -> {
                    if (v.isBoolean()) {
                        b.setParseFunctionArguments(v.booleanValue());
                    } else {
                        violations.add(new FieldViolation(path, "Input should be a valid boolean"));
                    }
                }
                default -> violations.add(new FieldViolation(path, "Extra inputs are not permitted"));
            }
        }
        return b.build();
    }

    private static boolean isInt(JsonNode v, String path, List<FieldViolation> violations) {
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return true;
        }
        violations.add(new FieldViolation(path, "Input should be a valid integer"));
        return false;
    }

    private static String text(JsonNode tree, String field, boolean required, List<FieldViolation> violations) {
        JsonNode v = tree.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                violations.add(new FieldViolation(field, "Field required"));
            }
            return "";
        }
        if (!v.isTextual()) {
            violations.add(new FieldViolation(field, "Input should be a valid string"));
            return "";
        }
        return v.textValue();
    }

    /**
     * Runs a call and renders failures the reference's way: validation as 422 with a pydantic-style list,
     * a malformed id as 400 "Invalid job_id format", a missing job as 404 with {@code notFoundDetail}.
     */
    private static CompletableFuture<HttpResponse> handle(java.util.function.Supplier<CompletableFuture<HttpResponse>> call,
                                                         String notFoundDetail) {
        CompletableFuture<HttpResponse> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        return future.exceptionally(error -> {
            Throwable cause = GrpcErrors.unwrap(error);
            if (!(cause instanceof FlywheelException e)) {
                throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
            }
            return switch (e.kind()) {
                case INVALID_ARGUMENT -> e.violations().stream().anyMatch(v -> v.field().equals("id"))
                        ? detail(HttpStatus.BAD_REQUEST, "Invalid job_id format")
                        : unprocessable(e.violations());
                case NOT_FOUND -> detail(HttpStatus.NOT_FOUND, notFoundDetail != null ? notFoundDetail : e.getMessage());
                case FAILED_PRECONDITION -> detail(HttpStatus.BAD_REQUEST, e.getMessage().startsWith("Cannot cancel")
                        ? "Cannot cancel a job that has already finished."
                        : e.getMessage().startsWith("Cannot delete")
                                ? "Cannot delete a running job. Please cancel the job first." : e.getMessage());
                case ALREADY_EXISTS, ABORTED -> detail(HttpStatus.CONFLICT, e.getMessage());
                case RESOURCE_EXHAUSTED -> detail(HttpStatus.TOO_MANY_REQUESTS, e.getMessage());
                case UNAVAILABLE -> detail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
                default -> detail(HttpStatus.INTERNAL_SERVER_ERROR, e.getMessage());
            };
        });
    }

    private static HttpResponse unprocessable(List<FieldViolation> violations) {
        ObjectNode body = MAPPER.createObjectNode();
        ArrayNode list = body.putArray("detail");
        for (FieldViolation v : violations) {
            ObjectNode item = list.addObject();
            item.put("type", v.description().equals("Field required") ? "missing" : "value_error");
            ArrayNode loc = item.putArray("loc");
            loc.add("body");
            for (String part : v.field().split("\\.")) {
                loc.add(part);
            }
            item.put("msg", v.description());
        }
        return json(HttpStatus.UNPROCESSABLE_ENTITY, body);
    }

    private static HttpResponse detail(HttpStatus status, String detail) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("detail", detail);
        return json(status, body);
    }

    private static HttpResponse message(String id, String message) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("id", id);
        body.put("message", message);
        return json(HttpStatus.OK, body);
    }

    private static HttpResponse json(HttpStatus status, JsonNode body) {
        return HttpResponse.of(status, MediaType.JSON_UTF_8, body.toString());
    }

    private static String orPending(String status) {
        return status.isEmpty() ? "pending" : status;
    }

    private static String time(Timestamp ts) {
        return Timestamps.toString(ts);
    }

    private static void putTime(ObjectNode node, String field, Timestamp ts) {
        if (ts == null) {
            node.putNull(field);
        } else {
            node.put(field, time(ts));
        }
    }

    private static void putText(ObjectNode node, String field, String value) {
        if (value.isEmpty()) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }
}
