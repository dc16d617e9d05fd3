package dev.flywheel.emulator.evaluator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.EmulatorContext;
import dev.flywheel.emulator.datastore.DataStore;
import dev.flywheel.emulator.http.ApiException;
import dev.flywheel.emulator.http.Json;
import dev.flywheel.emulator.nim.InferenceEngine;
import dev.flywheel.emulator.state.EntityCollection;
import dev.flywheel.emulator.state.Timestamps;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The emulated Evaluator (nemo-api.md §6): configs, targets and jobs that go {@code created → running → completed}
 * (never {@code pending}, which DFW would treat as a failure). A running job reads its task datasets from the Data
 * Store, asks the target model for each item in small batches (progress rises), scores every sample for real, and
 * on completion stores an {@code evaluation_result-…} entity and writes {@code results.json} plus per-sample rows
 * under {@code hf://datasets/evaluation-results/<job id>}.
 */
public final class Evaluator {
    private static final Set<String> TASK_TYPES = Set.of("chat-completion", "completion");
    private static final Set<String> METRIC_TYPES = Set.of("tool-calling", "llm-judge", "string-check");
    static final String RESULTS_NAMESPACE = "evaluation-results";

    private final EmulatorContext ctx;
    private final DataStore dataStore;
    private final InferenceEngine engine;
    private final SampleScorer scorer;
    private final EntityCollection configs;
    private final EntityCollection targets;
    private final Map<String, ObjectNode> results = new LinkedHashMap<>();
    private final Map<String, EvaluationJob> jobs = new LinkedHashMap<>();

    public Evaluator(EmulatorContext ctx, DataStore dataStore, InferenceEngine engine) {
        this.ctx = ctx;
        this.dataStore = dataStore;
        this.engine = engine;
        this.scorer = new SampleScorer(engine);
        this.configs = new EntityCollection("Evaluation config", "eval-config", "evaluation_config", ctx.ids(),
                ctx.ledger());
        this.targets = new EntityCollection("Evaluation target", "eval-target", "evaluation_target", ctx.ids(),
                ctx.ledger());
    }

    public EntityCollection configs() {
        return configs;
    }

    public EntityCollection targets() {
        return targets;
    }

    // ---- validation and materialisation ----

    public ObjectNode createConfig(ObjectNode body) {
        validateConfig(body, List.of("body"));
        return configs.create(materialiseDatasets(body), true);
    }

    public ObjectNode createTarget(ObjectNode body) {
        validateTarget(body, List.of("body"));
        return targets.create(maskSecrets(body), true);
    }

    private static List<Object> loc(List<Object> base, Object... more) {
        List<Object> l = new ArrayList<>(base);
        l.addAll(List.of(more));
        return l;
    }

    private void validateConfig(JsonNode config, List<Object> at) {
        String type = Json.text(config, "type");
        if (type == null) {
            throw ApiException.unprocessable(loc(at, "type"), "Field required", "missing");
        }
        if (!type.equals("custom")) {
            throw ApiException.unprocessable(loc(at, "type"), "Evaluation type '" + type
                    + "' is not supported by the emulator (only 'custom')", "value_error");
        }
        JsonNode tasks = config.path("tasks");
        if (!tasks.isObject() || tasks.isEmpty()) {
            throw ApiException.unprocessable(loc(at, "tasks"), "A custom evaluation needs at least one task",
                    "value_error");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = tasks.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> t = it.next();
            JsonNode task = t.getValue();
            if (!TASK_TYPES.contains(task.path("type").asText())) {
                throw ApiException.unprocessable(loc(at, "tasks", t.getKey(), "type"),
                        "Input should be 'chat-completion' or 'completion'", "enum");
            }
            JsonNode ds = task.get("dataset");
            if (ds == null || (ds.isObject() && Json.text(ds, "files_url") == null)) {
                throw ApiException.unprocessable(loc(at, "tasks", t.getKey(), "dataset", "files_url"),
                        "Field required", "missing");
            }
            for (Iterator<Map.Entry<String, JsonNode>> mi = task.path("metrics").fields(); mi.hasNext(); ) {
                Map.Entry<String, JsonNode> m = mi.next();
                if (!METRIC_TYPES.contains(m.getValue().path("type").asText())) {
                    throw ApiException.unprocessable(loc(at, "tasks", t.getKey(), "metrics", m.getKey(), "type"),
                            "Metric type must be one of " + METRIC_TYPES + " in the emulator", "enum");
                }
            }
        }
    }

    private void validateTarget(JsonNode target, List<Object> at) {
        String type = Json.text(target, "type");
        if (type == null) {
            throw ApiException.unprocessable(loc(at, "type"), "Field required", "missing");
        }
        if (!type.equals("model")) {
            throw ApiException.unprocessable(loc(at, "type"), "Target type '" + type
                    + "' is not supported by the emulator (only 'model')", "value_error");
        }
        JsonNode model = target.get("model");
        if (model == null || model.isNull()) {
            throw ApiException.unprocessable(loc(at, "model"), "Field required", "missing");
        }
        if (model.isObject() && !model.has("api_endpoint") && Json.text(model, "name") == null) {
            throw ApiException.unprocessable(loc(at, "model", "api_endpoint"), "Field required", "missing");
        }
    }

    /** Inline task datasets become dataset entities in namespace {@code default}, as the real service shows them. */
    private ObjectNode materialiseDatasets(ObjectNode config) {
        ObjectNode c = config.deepCopy();
        c.putIfAbsent("params", Json.obj().nullNode());
        c.putIfAbsent("groups", Json.obj().nullNode());
        for (Iterator<Map.Entry<String, JsonNode>> it = c.path("tasks").fields(); it.hasNext(); ) {
            ObjectNode task = (ObjectNode) it.next().getValue();
            JsonNode ds = task.get("dataset");
            if (ds != null && ds.isObject()) {
                ObjectNode d = ((ObjectNode) ds).deepCopy();
                String id = ctx.ids().next("dataset");
                d.put("id", id);
                d.putIfAbsent("name", Json.obj().textNode(id));
                d.putIfAbsent("namespace", Json.obj().textNode("default"));
                d.put("version_id", "main");
                d.putArray("version_tags");
                for (String f : List.of("format", "hf_endpoint", "split", "limit")) {
                    d.putIfAbsent(f, Json.obj().nullNode());
                }
                task.set("dataset", d);
            }
        }
        return c;
    }

    private static ObjectNode maskSecrets(JsonNode target) {
        ObjectNode t = target.deepCopy();
        JsonNode model = t.get("model");
        if (model != null && model.isObject() && model.path("api_endpoint").has("api_key")) {
            ((ObjectNode) model.get("api_endpoint")).put("api_key", "******");
        }
        if (model != null && model.isObject() && model.has("api_endpoint")) {
            ((ObjectNode) model.get("api_endpoint")).putIfAbsent("format", Json.obj().textNode("nim"));
        }
        return t;
    }

    /** NeMo never echoes a key back: every {@code api_key} or {@code hf_token} (e.g. a remote judge's key in a config) reads "******". */
    private static JsonNode maskApiKeys(JsonNode node) {
        if (node instanceof ObjectNode object) {
            var names = new java.util.ArrayList<String>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if ((name.equals("api_key") || name.equals("hf_token")) && object.get(name).isTextual()) {
                    object.put(name, "******");
                } else {
                    maskApiKeys(object.get(name));
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(Evaluator::maskApiKeys);
        }
        return node;
    }

    private ObjectNode inlineEntity(ObjectNode body, String prefix) {
        ObjectNode e = body.deepCopy();
        String id = ctx.ids().next(prefix);
        String now = Timestamps.now();
        e.put("schema_version", "1.0");
        e.put("id", id);
        e.put("type_prefix", prefix);
        e.putIfAbsent("namespace", Json.obj().textNode("default"));
        e.putIfAbsent("name", Json.obj().textNode(id));
        e.putIfAbsent("description", Json.obj().nullNode());
        e.putIfAbsent("project", Json.obj().nullNode());
        e.putIfAbsent("ownership", Json.obj().nullNode());
        e.putIfAbsent("custom_fields", Json.obj());
        e.put("created_at", now);
        e.put("updated_at", now);
        return e;
    }

    // ---- jobs ----

    public ObjectNode createJob(ObjectNode body) {
        JsonNode configIn = body.get("config");
        JsonNode targetIn = body.get("target");
        if (configIn == null || configIn.isNull()) {
            throw ApiException.missing("config");
        }
        if (targetIn == null || targetIn.isNull()) {
            throw ApiException.missing("target");
        }
        ObjectNode config;
        if (configIn.isTextual()) {
            config = configs.findRef(configIn.asText())
                    .orElseThrow(() -> ApiException.notFound("Evaluation config " + configIn.asText() + " not found"));
        } else {
            validateConfig(configIn, List.of("body", "config"));
            config = inlineEntity(materialiseDatasets((ObjectNode) maskApiKeys(configIn.deepCopy())), "eval-config");
        }
        ObjectNode target;
        if (targetIn.isTextual()) {
            target = targets.findRef(targetIn.asText())
                    .orElseThrow(() -> ApiException.notFound("Evaluation target " + targetIn.asText() + " not found"));
        } else {
            validateTarget(targetIn, List.of("body", "target"));
            ObjectNode t = maskSecrets(targetIn);
            for (String f : List.of("cached_outputs", "retriever", "rag")) {
                t.putIfAbsent(f, Json.obj().nullNode());
            }
            if (t.get("model").isObject() && t.get("model").has("api_endpoint")) {
                t.set("model", inlineEntity((ObjectNode) t.get("model"), "model"));
            }
            target = inlineEntity(t, "eval-target");
        }
        synchronized (this) {
            String id = ctx.ids().next("eval");
            String ns = Json.text(body, "namespace") == null ? "default" : Json.text(body, "namespace");
            EvaluationJob job = new EvaluationJob(id, ns, (ObjectNode) maskApiKeys(body.deepCopy()), config, target);
            jobs.put(id, job);
            ctx.ledger().created("evaluation_job", id, id);
            ctx.clock().after(ctx.timings().evaluationToRunning(), () -> start(job));
            return job.toJson();
        }
    }

    /** The model the target names, and whether it must be served by the NIM proxy (false for external endpoints). */
    private static String targetModel(ObjectNode target) {
        JsonNode m = target.get("model");
        if (m.isTextual()) {
            return m.asText();
        }
        JsonNode ep = m.get("api_endpoint");
        if (ep != null && Json.text(ep, "model_id") != null) {
            return Json.text(ep, "model_id");
        }
        String ns = Json.text(m, "namespace");
        return ns == null || ns.equals("default") ? Json.text(m, "name") : ns + "/" + Json.text(m, "name");
    }

    private static boolean servedTarget(ObjectNode target) {
        JsonNode m = target.get("model");
        return m.isTextual() || !m.has("api_endpoint");
    }

    private void start(EvaluationJob job) {
        synchronized (this) {
            if (job.terminal()) {
                return;
            }
        }
        List<EvaluationJob.Work> work = new ArrayList<>();
        try {
            String model = targetModel(job.target);
            if (servedTarget(job.target) && !engine.catalog().isServed(model)) {
                throw new IllegalStateException("Model " + model + " is not available through the NIM proxy");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = job.config.path("tasks").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> t = it.next();
                checkJudges(t.getValue());
                List<JsonNode> rows = loadDataset(t.getValue().get("dataset"));
                for (int i = 0; i < rows.size(); i++) {
                    work.add(new EvaluationJob.Work(t.getKey(), i, rows.get(i)));
                }
            }
        } catch (ApiException e) {
            fail(job, "Failed to prepare evaluation: " + e.body().path("detail").asText(e.body().toString()));
            return;
        } catch (RuntimeException e) {
            fail(job, "Failed to prepare evaluation: " + e.getMessage());
            return;
        }
        synchronized (this) {
            if (job.terminal()) {
                return;
            }
            job.queue.addAll(work);
            job.status = "running";
            job.progress = 0.0;
            job.message = "Job is running.";
            job.config.path("tasks").fieldNames().forEachRemaining(t -> job.taskStatus.put(t, "running"));
            job.touch();
        }
        ctx.clock().after(ctx.timings().evaluationTick(), () -> tick(job));
    }

    /** A judge given as a model id must be served; an {@code api_endpoint} judge is simulated. */
    private void checkJudges(JsonNode task) {
        for (JsonNode metric : task.path("metrics")) {
            JsonNode judge = metric.path("params").get("model");
            if ("llm-judge".equals(metric.path("type").asText()) && judge != null && judge.isTextual()
                    && !engine.catalog().isServed(judge.asText())) {
                throw new IllegalStateException("Judge model " + judge.asText()
                        + " is not available through the NIM proxy");
            }
        }
    }

    private List<JsonNode> loadDataset(JsonNode ds) {
        String filesUrl = ds.isTextual() ? null : Json.text(ds, "files_url");
        if (filesUrl == null) {
            throw new IllegalStateException("Dataset references by name are not supported by the emulator; use "
                    + "files_url");
        }
        TreeMap<String, byte[]> files = dataStore.resolve(filesUrl);
        List<JsonNode> rows = new ArrayList<>();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            String text = new String(f.getValue(), StandardCharsets.UTF_8);
            if (f.getKey().endsWith(".json") && text.trim().startsWith("[")) {
                Json.parse(text).forEach(rows::add);
            } else if (f.getKey().endsWith(".jsonl") || f.getKey().endsWith(".json")) {
                int n = 0;
                for (String line : text.split("\n")) {
                    n++;
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode row = Json.tryParse(line);
                    if (row == null) {
                        throw new IllegalStateException(f.getKey() + " line " + n + " is not valid JSON");
                    }
                    rows.add(row);
                }
            }
        }
        int limit = ds.path("limit").asInt(0);
        if (limit > 0 && rows.size() > limit) {
            return new ArrayList<>(rows.subList(0, limit));
        }
        if (rows.isEmpty()) {
            throw new IllegalStateException("Dataset " + filesUrl + " has no rows");
        }
        return rows;
    }

    private void tick(EvaluationJob job) {
        List<EvaluationJob.Work> batch;
        synchronized (this) {
            if (!job.status.equals("running")) {
                return;
            }
            int per = Math.max(1, (int) Math.ceil(job.queue.size() / 10.0));
            batch = new ArrayList<>(job.queue.subList(job.done, Math.min(job.queue.size(), job.done + per)));
        }
        String model = targetModel(job.target);
        boolean served = servedTarget(job.target);
        List<SampleScorer.Scored> scored = new ArrayList<>();
        try {
            for (EvaluationJob.Work w : batch) {
                scored.add(scorer.score(w.index(), job.config.path("tasks").get(w.task()), w.item(), model, served));
            }
        } catch (ApiException e) {
            fail(job, "Inference failed for model " + model + ": " + e.status().code() + " "
                    + e.body().path("detail").asText());
            return;
        }
        boolean finished;
        synchronized (this) {
            if (!job.status.equals("running")) {
                return;
            }
            for (int i = 0; i < batch.size(); i++) {
                accumulate(job, batch.get(i).task(), scored.get(i));
            }
            job.done += batch.size();
            job.progress = Math.round(job.done * 10000.0 / job.queue.size()) / 100.0;
            job.touch();
            Integer failAt = ctx.faults().plan().evaluationFailAtPercent();
            if (failAt != null && job.progress >= failAt) {
                job.taskStatus.replaceAll((k, v) -> "failed");
                job.status = "failed";
                job.message = "Job failed: injected fault at " + failAt + "% (inference request timed out)";
                return;
            }
            finished = job.done >= job.queue.size();
        }
        if (finished) {
            complete(job);
        } else {
            ctx.clock().after(ctx.timings().evaluationTick(), () -> tick(job));
        }
    }

    private static void accumulate(EvaluationJob job, String task, SampleScorer.Scored s) {
        job.rows.computeIfAbsent(task, t -> new ArrayList<>()).add(s.row());
        Map<String, Map<String, EvaluationJob.Acc>> metrics = job.sums.computeIfAbsent(task, t -> new LinkedHashMap<>());
        s.scores().forEach((metric, scores) -> {
            Map<String, EvaluationJob.Acc> accs = metrics.computeIfAbsent(metric, m -> new LinkedHashMap<>());
            scores.forEach((score, v) -> {
                EvaluationJob.Acc a = accs.computeIfAbsent(score, k -> new EvaluationJob.Acc());
                a.sum += v;
                a.count++;
            });
        });
    }

    private void complete(EvaluationJob job) {
        ObjectNode result;
        synchronized (this) {
            if (!job.status.equals("running")) {
                return;
            }
            result = Json.obj();
            String now = Timestamps.now();
            result.put("created_at", now);
            result.put("updated_at", now);
            result.put("id", ctx.ids().next("evaluation_result"));
            result.put("job", job.id);
            ObjectNode tasks = result.putObject("tasks");
            job.sums.forEach((task, metrics) -> {
                ObjectNode mNode = tasks.putObject(task).putObject("metrics");
                metrics.forEach((metric, scores) -> {
                    ObjectNode sNode = mNode.putObject(metric).putObject("scores");
                    scores.forEach((score, acc) -> {
                        double mean = acc.count == 0 ? 0 : acc.sum / acc.count;
                        ObjectNode v = sNode.putObject(score);
                        v.put("value", mean);
                        v.putObject("stats").put("count", acc.count).put("sum", acc.sum).put("mean", mean);
                    });
                });
            });
            result.putObject("groups");
            result.put("namespace", job.namespace);
            result.putNull("description");
            result.put("files_url", "hf://datasets/" + RESULTS_NAMESPACE + "/" + job.id);
            result.putObject("custom_fields");
            results.put(result.get("id").asText(), result);
        }
        writeResultFiles(job, result);
        synchronized (this) {
            if (!job.status.equals("running")) {
                return;
            }
            job.resultId = result.get("id").asText();
            job.outputFilesUrl = "hf://datasets/" + RESULTS_NAMESPACE + "/" + job.id;
            job.taskStatus.replaceAll((k, v) -> "completed");
            job.status = "completed";
            job.message = "Job completed successfully.";
            job.progress = 100.0;
            job.touch();
        }
    }

    private void writeResultFiles(EvaluationJob job, ObjectNode result) {
        dataStore.ensureNamespace(RESULTS_NAMESPACE);
        if (!dataStore.hasRepo("dataset", RESULTS_NAMESPACE, job.id)) {
            dataStore.createRepo("dataset", RESULTS_NAMESPACE, job.id, false);
        }
        dataStore.commit("dataset", RESULTS_NAMESPACE, job.id, "main", List.of(
                new DataStore.FileOp("results.json", Json.write(result).getBytes(StandardCharsets.UTF_8), false),
                new DataStore.FileOp("outputs.jsonl", samplesJsonl(job).getBytes(StandardCharsets.UTF_8), false)));
    }

    private synchronized String samplesJsonl(EvaluationJob job) {
        StringBuilder sb = new StringBuilder();
        job.rows.forEach((task, rows) -> rows.forEach(r -> {
            ObjectNode line = r.deepCopy();
            line.put("task", task);
            sb.append(Json.write(line)).append('\n');
        }));
        return sb.toString();
    }

    private synchronized void fail(EvaluationJob job, String message) {
        if (job.terminal()) {
            return;
        }
        job.status = "failed";
        job.message = message;
        job.taskStatus.replaceAll((k, v) -> "failed");
        job.touch();
    }

    private EvaluationJob job(String id) {
        EvaluationJob j = jobs.get(id);
        if (j == null) {
            throw ApiException.notFound("Evaluation job " + id + " not found");
        }
        return j;
    }

    public synchronized ObjectNode get(String id) {
        return job(id).toJson();
    }

    public synchronized ObjectNode status(String id) {
        return job(id).statusDetails();
    }

    public synchronized List<ObjectNode> list() {
        List<ObjectNode> out = new ArrayList<>();
        jobs.values().forEach(j -> out.add(j.toJson()));
        return out;
    }

    public synchronized ObjectNode results(String id) {
        EvaluationJob job = job(id);
        if (job.resultId == null) {
            throw ApiException.notFound("Results for evaluation job " + id + " not found (status: " + job.status + ")");
        }
        return results.get(job.resultId).deepCopy();
    }

    public synchronized ObjectNode result(String resultId) {
        ObjectNode r = results.get(resultId);
        if (r == null) {
            throw ApiException.notFound("Evaluation result " + resultId + " not found");
        }
        return r.deepCopy();
    }

    public synchronized List<ObjectNode> allResults() {
        List<ObjectNode> out = new ArrayList<>();
        results.values().forEach(r -> out.add(r.deepCopy()));
        return out;
    }

    /** ZIP with {@code results.json}, {@code outputs.jsonl} (one row per sample) and the job's config. */
    public byte[] downloadResults(String id) {
        ObjectNode result = results(id);
        ObjectNode jobJson = get(id);
        String samples;
        synchronized (this) {
            samples = samplesJsonl(job(id));
        }
        return zip(Map.of("results.json", Json.write(result), "outputs.jsonl", samples,
                "config.json", Json.write(jobJson.get("config"))));
    }

    public byte[] logs(String id) {
        ObjectNode jobJson = get(id);
        String text = "job " + id + " status " + jobJson.get("status").asText() + "\n"
                + Json.write(jobJson.get("status_details")) + "\n";
        return zip(Map.of("logs/evaluation.log", text));
    }

    private static byte[] zip(Map<String, String> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, String> e : new TreeMap<>(entries).entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    public synchronized ObjectNode cancel(String id) {
        EvaluationJob job = job(id);
        if (job.terminal()) {
            throw ApiException.conflict("Evaluation job " + id + " is already " + job.status);
        }
        job.status = "cancelled";
        job.message = "Job cancelled.";
        job.touch();
        return job.toJson();
    }

    public synchronized void delete(String id) {
        EvaluationJob job = job(id);
        jobs.remove(id);
        if (!job.terminal()) {
            job.status = "cancelled";
        }
        ctx.ledger().deleted("evaluation_job", id);
    }
}
