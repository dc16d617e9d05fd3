package dev.flywheel.clients.nemo;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

import static dev.flywheel.clients.nemo.CommonTypes.map;
import static dev.flywheel.clients.nemo.CommonTypes.require;

/** Evaluator wire types (nemo-api.md §6). */
public final class EvaluationTypes {

    private EvaluationTypes() {
    }

    /**
     * {@code POST /v1/evaluation/jobs}: {@code config} and {@code target} are {@code "ns/name"} strings or inline
     * objects (see {@link EvaluationConfigs}); {@code custom_fields} carries our idempotency key.
     */
    public record CreateEvaluationJob(String namespace, Object config, Object target, String description,
                                      Map<String, Object> customFields) {
        public CreateEvaluationJob {
            require(config, "config");
            require(target, "target");
        }
    }

    /** An evaluation job; {@code config}/{@code target} come back as expanded entities. */
    public record EvaluationJob(String id, String namespace, String description, String status,
                                EvaluationStatusDetails statusDetails, JsonNode config, JsonNode target,
                                String result, String outputFilesUrl, Map<String, Object> customFields,
                                String createdAt, String updatedAt) {
        public EvaluationJob {
            require(id, "id");
            require(status, "status");
            customFields = map(customFields);
            // A remote judge's key is inside config/target; never let it reach our own records.
            config = NemoJson.scrub(config);
            target = NemoJson.scrub(target);
        }

        public NemoStatus statusValue() {
            return NemoStatus.parse(status);
        }

        public NemoStatus.Phase phase() {
            return statusValue().forJob();
        }

        /** Progress 0–100 when known. */
        public Double progress() {
            return statusDetails == null ? null : statusDetails.progress();
        }
    }

    /** {@code status_details}, and the whole answer of {@code GET …/jobs/{id}/status}. */
    public record EvaluationStatusDetails(String message, Double progress, Map<String, String> taskStatus) {
        public EvaluationStatusDetails {
            taskStatus = map(taskStatus);
        }
    }

    /** {@code GET …/jobs/{id}/results}: {@code tasks.<task>.metrics.<metric>.scores.<score>.value}. */
    public record EvaluationResult(String id, String job, Map<String, TaskResult> tasks, Map<String, JsonNode> groups,
                                   String namespace, String filesUrl, String createdAt, String updatedAt) {
        public EvaluationResult {
            tasks = map(require(tasks, "tasks"));
            groups = map(groups);
        }
    }

    public record TaskResult(Map<String, MetricResult> metrics) {
        public TaskResult {
            metrics = map(metrics);
        }
    }

    public record MetricResult(Map<String, Score> scores) {
        public MetricResult {
            scores = map(scores);
        }
    }

    /** {@code value} is the aggregate; it need not equal {@code stats.mean} (seen on real servers). */
    public record Score(Double value, ScoreStats stats) {
        public Score {
            require(value, "value");
        }
    }

    public record ScoreStats(Long count, Double sum, Double mean, Double min, Double max, Double stddev,
                             Double stderr, Double sumSquared, Double variance) {
    }
}
