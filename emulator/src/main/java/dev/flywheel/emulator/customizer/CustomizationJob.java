package dev.flywheel.emulator.customizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.http.Json;
import dev.flywheel.emulator.sim.LossCurve;
import dev.flywheel.emulator.state.Timestamps;
import java.util.ArrayList;
import java.util.List;

/**
 * One customization job: its request, training progress and status logs, and its two JSON views — the job object and
 * the flat status object (nemo-api.md §7.6, §7.7). Mutated only under the {@link Customizer} lock.
 */
final class CustomizationJob {
    record Log(String at, String message, String detail) {}

    record Point(double value, int step, String at) {}

    final String id;
    final String namespace;
    final String createdAt;
    final ObjectNode request;
    final JsonNode configOut; // the reference string, or the inline config
    final ObjectNode configSnapshot;
    final String baseModel;
    final String dataset; // "ns/name"
    final String datasetFilesUrl;
    final String outputModel; // "ns/name@cust-..." or null
    final ObjectNode hyperparameters;
    final long startedMillis;

    String updatedAt;
    String status = "created";
    String statusCreatedAt;
    String statusUpdatedAt;
    int trainRecords;
    int valRecords;
    int stepsPerEpoch;
    int totalSteps;
    int stepsCompleted;
    int epochsCompleted;
    double percentageDone;
    Integer bestEpoch;
    Double trainLoss;
    Double valLoss;
    LossCurve curve;
    boolean notEnoughResourcesLogged;
    final List<Point> trainPoints = new ArrayList<>();
    final List<Point> valPoints = new ArrayList<>();
    final List<Log> logs = new ArrayList<>();

    CustomizationJob(String id, String namespace, ObjectNode request, JsonNode configOut, ObjectNode configSnapshot,
                     String baseModel, String dataset, String datasetFilesUrl, String outputModel,
                     ObjectNode hyperparameters, long startedMillis) {
        this.id = id;
        this.namespace = namespace;
        this.request = request;
        this.configOut = configOut;
        this.configSnapshot = configSnapshot;
        this.baseModel = baseModel;
        this.dataset = dataset;
        this.datasetFilesUrl = datasetFilesUrl;
        this.outputModel = outputModel;
        this.hyperparameters = hyperparameters;
        this.startedMillis = startedMillis;
        this.createdAt = Timestamps.now();
        this.updatedAt = createdAt;
        this.statusCreatedAt = createdAt;
        this.statusUpdatedAt = createdAt;
    }

    int epochs() {
        return hyperparameters.path("epochs").asInt(1);
    }

    int batchSize() {
        return hyperparameters.path("batch_size").asInt(8);
    }

    boolean terminal() {
        return status.equals("completed") || status.equals("failed") || status.equals("cancelled");
    }

    void log(String message, String detail) {
        String now = Timestamps.now();
        logs.add(new Log(now, message, detail));
        statusUpdatedAt = now;
        updatedAt = now;
    }

    void setStatus(String s) {
        status = s;
        statusUpdatedAt = Timestamps.now();
        updatedAt = statusUpdatedAt;
    }

    ObjectNode statusJson() {
        ObjectNode s = Json.obj();
        s.put("created_at", statusCreatedAt);
        s.put("updated_at", statusUpdatedAt);
        s.put("status", status);
        s.put("steps_completed", stepsCompleted);
        s.put("epochs_completed", epochsCompleted);
        s.put("percentage_done", percentageDone);
        putNullable(s, "best_epoch", bestEpoch);
        putNullable(s, "train_loss", trainLoss);
        putNullable(s, "val_loss", valLoss);
        s.put("elapsed_time", Math.round((System.currentTimeMillis() - startedMillis) / 10.0) / 100.0);
        s.put("steps_per_epoch", stepsPerEpoch);
        ObjectNode metrics = s.putObject("metrics");
        metrics.putArray("keys").add("train_loss").add("val_loss");
        ObjectNode m = metrics.putObject("metrics");
        points(m.putArray("train_loss"), trainPoints);
        points(m.putArray("val_loss"), valPoints);
        ArrayNode logsNode = s.putArray("status_logs");
        for (Log l : logs) {
            ObjectNode n = logsNode.addObject().put("updated_at", l.at()).put("message", l.message());
            if (l.detail() == null) {
                n.putNull("detail");
            } else {
                n.put("detail", l.detail());
            }
        }
        return s;
    }

    ObjectNode toJson() {
        ObjectNode j = Json.obj();
        j.put("id", id);
        j.put("created_at", createdAt);
        j.put("updated_at", updatedAt);
        j.put("namespace", namespace);
        j.set("name", request.has("name") ? request.get("name") : Json.obj().nullNode());
        j.set("description", request.has("description") ? request.get("description") : Json.obj().nullNode());
        j.set("project", request.has("project") ? request.get("project") : Json.obj().nullNode());
        j.set("ownership", request.has("ownership") ? request.get("ownership") : Json.obj().nullNode());
        j.set("custom_fields", request.has("custom_fields") ? request.get("custom_fields") : Json.obj());
        j.put("dataset", dataset);
        if (outputModel == null) {
            j.putNull("output_model");
        } else {
            j.put("output_model", outputModel);
        }
        j.set("config", configOut.deepCopy());
        j.set("config_snapshot", configSnapshot.deepCopy());
        j.set("hyperparameters", hyperparameters.deepCopy());
        j.set("dataset_parameters", request.has("dataset_parameters") ? request.get("dataset_parameters")
                : Json.obj().nullNode());
        j.set("integrations", request.has("integrations") ? request.get("integrations") : Json.arr());
        j.putArray("warnings");
        j.put("status", status);
        j.set("status_details", statusJson());
        return j;
    }

    private static void points(ArrayNode arr, List<Point> pts) {
        for (Point p : pts) {
            arr.addObject().put("value", p.value()).put("step", p.step()).put("timestamp", p.at());
        }
    }

    private static void putNullable(ObjectNode n, String f, Number v) {
        if (v == null) {
            n.putNull(f);
        } else if (v instanceof Integer i) {
            n.put(f, i);
        } else {
            n.put(f, v.doubleValue());
        }
    }
}
