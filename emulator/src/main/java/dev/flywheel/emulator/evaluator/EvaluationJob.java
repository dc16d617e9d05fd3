package dev.flywheel.emulator.evaluator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.http.Json;
import dev.flywheel.emulator.state.Timestamps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One evaluation job: materialised config and target, per-task work queue, running score sums, per-sample rows and
 * its JSON view (nemo-api.md §6.2, §6.3). Mutated only under the {@link Evaluator} lock.
 */
final class EvaluationJob {
    /** One unit of work: an item of a task. */
    record Work(String task, int index, JsonNode item) {}

    /** Sum and count of one score across samples. */
    static final class Acc {
        double sum;
        int count;
    }

    final String id;
    final String namespace;
    final ObjectNode request;
    final ObjectNode config;
    final ObjectNode target;
    final String createdAt;
    String updatedAt;
    String status = "created";
    String message;
    Double progress;
    final Map<String, String> taskStatus = new LinkedHashMap<>();
    String resultId;
    String outputFilesUrl;
    final List<Work> queue = new ArrayList<>();
    int done;
    /** task → metric → score → accumulator. */
    final Map<String, Map<String, Map<String, Acc>>> sums = new LinkedHashMap<>();
    final Map<String, List<ObjectNode>> rows = new LinkedHashMap<>();

    EvaluationJob(String id, String namespace, ObjectNode request, ObjectNode config, ObjectNode target) {
        this.id = id;
        this.namespace = namespace;
        this.request = request;
        this.config = config;
        this.target = target;
        this.createdAt = Timestamps.now();
        this.updatedAt = createdAt;
    }

    boolean terminal() {
        return status.equals("completed") || status.equals("failed") || status.equals("cancelled");
    }

    void touch() {
        updatedAt = Timestamps.now();
    }

    ObjectNode statusDetails() {
        ObjectNode s = Json.obj();
        if (message == null) {
            s.putNull("message");
        } else {
            s.put("message", message);
        }
        ObjectNode ts = s.putObject("task_status");
        taskStatus.forEach(ts::put);
        if (progress == null) {
            s.putNull("progress");
        } else {
            s.put("progress", progress);
        }
        return s;
    }

    ObjectNode toJson() {
        ObjectNode j = Json.obj();
        j.put("created_at", createdAt);
        j.put("updated_at", updatedAt);
        j.put("id", id);
        j.put("namespace", namespace);
        j.set("description", request.has("description") ? request.get("description") : Json.obj().nullNode());
        j.set("target", target.deepCopy());
        j.set("config", config.deepCopy());
        if (resultId == null) {
            j.putNull("result");
        } else {
            j.put("result", resultId);
        }
        if (outputFilesUrl == null) {
            j.putNull("output_files_url");
        } else {
            j.put("output_files_url", outputFilesUrl);
        }
        j.set("status_details", statusDetails());
        j.put("status", status);
        j.set("project", request.has("project") ? request.get("project") : Json.obj().nullNode());
        j.set("custom_fields", request.has("custom_fields") ? request.get("custom_fields") : Json.obj());
        j.set("ownership", request.has("ownership") ? request.get("ownership") : Json.obj().nullNode());
        return j;
    }
}
