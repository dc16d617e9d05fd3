package dev.flywheel.emulator.customizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.EmulatorContext;
import dev.flywheel.emulator.datastore.DataStore;
import dev.flywheel.emulator.entity.EntityStore;
import dev.flywheel.emulator.http.ApiException;
import dev.flywheel.emulator.http.Json;
import dev.flywheel.emulator.sim.LossCurve;
import dev.flywheel.emulator.sim.SkillModel;
import dev.flywheel.emulator.state.EntityCollection;
import dev.flywheel.emulator.state.Timestamps;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The emulated Customizer (nemo-api.md §7): targets and configs, and jobs that go
 * {@code created → pending → running → completed} in the background — validating the dataset files when training
 * starts, advancing steps/epochs/{@code percentage_done} with falling losses, then writing the adapter into the Data
 * Store, finalising the Entity Store model and registering the adapter so NIMs of the base model serve it.
 */
public final class Customizer {
    /** Base models provisioned "by Helm", as DFW's deploy script enables them. */
    private static final List<String> PROVISIONED = List.of(
            "meta/llama-3.2-1b-instruct", "meta/llama-3.2-3b-instruct", "meta/llama-3.1-8b-instruct",
            "meta/llama-3.3-70b-instruct");

    private final EmulatorContext ctx;
    private final EntityStore entities;
    private final DataStore dataStore;
    private final AdapterRegistry adapters;
    private final EntityCollection targets;
    private final EntityCollection configs;
    private final Map<String, CustomizationJob> jobs = new LinkedHashMap<>();

    public Customizer(EmulatorContext ctx, EntityStore entities, DataStore dataStore, AdapterRegistry adapters) {
        this.ctx = ctx;
        this.entities = entities;
        this.dataStore = dataStore;
        this.adapters = adapters;
        this.targets = new EntityCollection("Customization target", "cust-target", "customization_target",
                ctx.ids(), ctx.ledger());
        this.configs = new EntityCollection("Customization config", "cust-config", "customization_config",
                ctx.ids(), ctx.ledger());
        provision();
    }

    private void provision() {
        for (String model : PROVISIONED) {
            String org = model.substring(0, model.indexOf('/'));
            String name = model.substring(model.indexOf('/') + 1);
            ObjectNode t = Json.obj().put("name", name + "@2.0").put("namespace", org).put("base_model", model)
                    .put("enabled", true).put("num_parameters", (long) (1e9 * dev.flywheel.emulator.sim.ModelSize
                            .billions(model))).put("precision", "bf16-mixed").put("status", "ready");
            targets.create(t, false);
            ObjectNode c = Json.obj().put("name", name + "@v1.0.0+80GB").put("namespace", org)
                    .put("target", org + "/" + name + "@2.0").put("max_seq_length", 4096)
                    .put("training_precision", "bf16-mixed");
            c.putArray("training_options").addObject().put("training_type", "sft").put("finetuning_type", "lora")
                    .put("num_gpus", 1).put("micro_batch_size", 1).put("num_nodes", 1)
                    .put("tensor_parallel_size", 1);
            configs.create(c, false);
        }
    }

    public EntityCollection targets() {
        return targets;
    }

    public EntityCollection configs() {
        return configs;
    }

    // ---- configs ----

    public ObjectNode createConfig(ObjectNode body) {
        if (!body.path("max_seq_length").canConvertToInt() || !body.has("max_seq_length")) {
            throw ApiException.missing("max_seq_length");
        }
        JsonNode opts = body.get("training_options");
        if (opts == null || !opts.isArray() || opts.isEmpty()) {
            throw ApiException.missing("training_options");
        }
        for (int i = 0; i < opts.size(); i++) {
            for (String f : List.of("training_type", "finetuning_type", "num_gpus")) {
                if (!opts.get(i).has(f)) {
                    throw ApiException.unprocessable(List.of("body", "training_options", i, f), "Field required",
                            "missing");
                }
            }
            String ft = opts.get(i).path("finetuning_type").asText();
            if (!List.of("lora", "all_weights", "p_tuning").contains(ft)) {
                throw ApiException.unprocessable(List.of("body", "training_options", i, "finetuning_type"),
                        "Input should be 'lora', 'all_weights' or 'p_tuning'", "enum");
            }
        }
        return configs.create(body, true);
    }

    /** Base model of a config: its target's {@code base_model}, else the target name without {@code @version}. */
    private String baseModelOf(ObjectNode config) {
        JsonNode target = config.get("target");
        if (target != null && target.isObject()) {
            String b = Json.text(target, "base_model");
            if (b != null) {
                return b;
            }
            target = Json.obj().textNode(Json.text(target, "namespace") + "/" + Json.text(target, "name"));
        }
        if (target != null && target.isTextual()) {
            var found = targets.findRef(target.asText());
            if (found.isPresent() && Json.text(found.get(), "base_model") != null) {
                return Json.text(found.get(), "base_model");
            }
            String t = target.asText();
            return t.contains("@") ? t.substring(0, t.indexOf('@')) : t;
        }
        String name = Json.text(config, "name");
        String ns = Json.text(config, "namespace");
        String model = ns + "/" + name;
        return model.contains("@") ? model.substring(0, model.indexOf('@')) : model;
    }

    // ---- jobs ----

    public ObjectNode createJob(ObjectNode body) {
        JsonNode configRef = body.get("config");
        if (configRef == null || configRef.isNull()) {
            throw ApiException.missing("config");
        }
        JsonNode datasetRef = body.get("dataset");
        if (datasetRef == null || datasetRef.isNull()) {
            throw ApiException.missing("dataset");
        }
        JsonNode hp = body.get("hyperparameters");
        if (hp == null || !hp.isObject()) {
            throw ApiException.missing("hyperparameters");
        }
        if (Json.text(hp, "finetuning_type") == null) {
            throw ApiException.missing("hyperparameters", "finetuning_type");
        }
        ObjectNode config;
        if (configRef.isTextual()) {
            config = configs.findRef(configRef.asText()).orElseThrow(
                    () -> ApiException.notFound("Customization config " + configRef.asText() + " not found"));
        } else {
            config = (ObjectNode) configRef.deepCopy();
        }
        String dataset;
        String filesUrl;
        if (datasetRef.isObject() && Json.text(datasetRef, "files_url") != null) {
            filesUrl = Json.text(datasetRef, "files_url");
            dataset = filesUrl;
        } else {
            String ns = datasetRef.isTextual() ? datasetRef.asText().split("/", 2)[0]
                    : Json.text(datasetRef, "namespace") == null ? "default" : Json.text(datasetRef, "namespace");
            String name = datasetRef.isTextual() ? datasetRef.asText().split("/", 2)[datasetRef.asText()
                    .contains("/") ? 1 : 0] : Json.text(datasetRef, "name");
            if (name == null) {
                throw ApiException.missing("dataset", "name");
            }
            ObjectNode ds = entities.datasets().get(ns, name);
            dataset = ns + "/" + name;
            filesUrl = Json.text(ds, "files_url");
        }
        ObjectNode hyper = hp.deepCopy();
        hyper.put("training_type", hyper.path("training_type").asText("sft"));
        if (!hyper.has("epochs")) {
            hyper.put("epochs", 1);
        }
        if (!hyper.has("batch_size")) {
            hyper.put("batch_size", 8);
        }
        if (!hyper.has("learning_rate")) {
            hyper.put("learning_rate", 0.0001);
        }
        hyper.put("sequence_packing_enabled", hyper.path("sequence_packing_enabled").asBoolean(false));
        if ("lora".equals(Json.text(hyper, "finetuning_type"))) {
            ObjectNode lora = hyper.has("lora") && hyper.get("lora").isObject() ? (ObjectNode) hyper.get("lora")
                    : hyper.putObject("lora");
            if (!lora.has("alpha")) {
                lora.put("alpha", 16); // the one server default the recorded responses show
            }
        }
        if (hyper.path("epochs").asInt(0) < 1 || hyper.path("batch_size").asInt(0) < 1) {
            throw ApiException.unprocessable(List.of("body", "hyperparameters"),
                    "epochs and batch_size must be positive integers", "value_error");
        }
        String baseModel = baseModelOf(config);
        ObjectNode snapshot = Json.obj();
        snapshot.put("base_model", baseModel);
        snapshot.put("max_seq_length", config.path("max_seq_length").asInt(4096));
        snapshot.put("precision", config.path("training_precision").asText("bf16-mixed"));
        JsonNode option = config.path("training_options").path(0);
        snapshot.set("training_option", option.isMissingNode() ? Json.obj() : option.deepCopy());
        snapshot.set("prompt_template", config.has("prompt_template") ? config.get("prompt_template")
                : Json.obj().nullNode());
        snapshot.set("name", config.get("name"));
        snapshot.set("namespace", config.get("namespace"));

        synchronized (this) {
            String id = ctx.ids().next("cust");
            String output = null;
            String out = Json.text(body, "output_model");
            if (out != null) {
                if (!out.contains("/")) {
                    throw ApiException.unprocessable(List.of("body", "output_model"),
                            "output_model must be 'namespace/name'", "value_error");
                }
                output = out.contains("@") ? out : out + "@" + id;
            }
            String jobNs = Json.text(body, "namespace") == null ? "default" : Json.text(body, "namespace");
            CustomizationJob job = new CustomizationJob(id, jobNs, body.deepCopy(), configRef.deepCopy(), snapshot,
                    baseModel, dataset, filesUrl, output, hyper, ctx.clock().nowMillis());
            job.log("created", null);
            jobs.put(id, job);
            ctx.ledger().created("customization_job", id, Json.text(body, "name") == null ? id
                    : Json.text(body, "name"));
            ctx.clock().after(ctx.timings().customizationToPending(), () -> toPending(job));
            return job.toJson();
        }
    }

    private synchronized void toPending(CustomizationJob job) {
        if (job.terminal() || job.status.equals("cancelling")) {
            return;
        }
        job.log("PVCCreated", null);
        if (job.outputModel != null) {
            createOutputModel(job);
            job.log("EntityHandler_0_Created", null);
        }
        job.setStatus("pending");
        job.log("EntityHandler_0_Pending", null);
        ctx.clock().after(ctx.timings().customizationPendingToRunning(), () -> toRunning(job));
    }

    private void createOutputModel(CustomizationJob job) {
        String ns = job.outputModel.substring(0, job.outputModel.indexOf('/'));
        String name = job.outputModel.substring(job.outputModel.indexOf('/') + 1);
        ObjectNode m = Json.obj().put("name", name).put("namespace", ns).put("description", "None");
        m.putObject("spec").put("num_parameters", (long) (1e9 * dev.flywheel.emulator.sim.ModelSize
                .billions(job.baseModel))).put("context_size", 4096).put("num_virtual_tokens", 0)
                .put("is_chat", true);
        m.putObject("artifact").put("gpu_arch", "Ampere").put("precision", "bf16-mixed")
                .put("tensor_parallelism", 1).put("backend_engine", "nemo").put("status", "created")
                .put("files_url", "hf://" + job.outputModel);
        m.put("base_model", job.baseModel);
        m.putObject("peft").put("finetuning_type", job.hyperparameters.path("finetuning_type").asText("lora"));
        try {
            entities.models().create(m, true);
        } catch (ApiException e) {
            job.log("EntityHandler_0_Failed", "Output model " + job.outputModel + " already exists");
        }
    }

    private void toRunning(CustomizationJob job) {
        TreeMap<String, byte[]> files;
        TrainingDataValidator.Counts counts;
        synchronized (this) {
            if (job.terminal() || job.status.equals("cancelling")) {
                return;
            }
            if (ctx.faults().plan().customizationStuckPending()) {
                if (!job.notEnoughResourcesLogged) {
                    job.log("NotEnoughResources", "0/1 nodes are available: 1 Insufficient nvidia.com/gpu.");
                    job.notEnoughResourcesLogged = true;
                }
                ctx.clock().after(ctx.timings().stuckRecheck(), () -> toRunning(job));
                return;
            }
        }
        try {
            files = dataStore.resolve(job.datasetFilesUrl.endsWith("/") ? job.datasetFilesUrl
                    : job.datasetFilesUrl + "/");
            counts = TrainingDataValidator.validate(files);
        } catch (ApiException e) {
            fail(job, "Dataset " + job.dataset + " could not be read: " + e.body().path("detail").asText());
            return;
        } catch (TrainingDataValidator.Invalid e) {
            fail(job, "Dataset validation failed: " + e.getMessage());
            return;
        }
        synchronized (this) {
            if (job.terminal() || job.status.equals("cancelling")) {
                return;
            }
            job.trainRecords = counts.training();
            job.valRecords = counts.validation();
            job.stepsPerEpoch = (int) Math.ceil(counts.training() / (double) job.batchSize());
            job.totalSteps = job.stepsPerEpoch * job.epochs();
            double finalSkill = SkillModel.withLora(SkillModel.base(job.baseModel), job.trainRecords, job.epochs());
            job.curve = new LossCurve(ctx.seed(), job.id, finalSkill, job.totalSteps);
            job.log("EntityHandler_0_Completed", null);
            job.log("TrainingJobCreated", null);
            job.setStatus("running");
            job.log("TrainingJobRunning", null);
        }
        ctx.clock().after(ctx.timings().trainingTick(), () -> tick(job));
    }

    private void tick(CustomizationJob job) {
        synchronized (this) {
            if (!job.status.equals("running")) {
                return;
            }
            int per = Math.max(1, (int) Math.ceil(job.totalSteps / 40.0));
            Integer failAt = ctx.faults().plan().customizationFailAtPercent();
            for (int i = 0; i < per && job.stepsCompleted < job.totalSteps; i++) {
                int step = job.stepsCompleted; // 0-based index of the step being finished
                job.stepsCompleted++;
                String now = Timestamps.now();
                if ((step + 1) % 10 == 0 || job.stepsCompleted == job.totalSteps) {
                    job.trainLoss = job.curve.trainLoss(step);
                    job.trainPoints.add(new CustomizationJob.Point(job.trainLoss, step, now));
                }
                if (job.stepsCompleted % job.stepsPerEpoch == 0) {
                    job.epochsCompleted++;
                    job.valLoss = job.curve.valLoss(step);
                    job.valPoints.add(new CustomizationJob.Point(job.valLoss, step, now));
                    job.bestEpoch = bestEpoch(job);
                    job.percentageDone = Math.round(job.epochsCompleted * 10000.0 / job.epochs()) / 100.0;
                }
                if (failAt != null && job.stepsCompleted * 100.0 / job.totalSteps >= failAt) {
                    job.log("TrainingJobFailed", "Training failed at step " + job.stepsCompleted + " of "
                            + job.totalSteps + ": injected fault (CUDA error: an illegal memory access was "
                            + "encountered)");
                    job.setStatus("failed");
                    return;
                }
            }
            job.updatedAt = Timestamps.now();
            job.statusUpdatedAt = job.updatedAt;
            if (job.stepsCompleted < job.totalSteps) {
                ctx.clock().after(ctx.timings().trainingTick(), () -> tick(job));
                return;
            }
            job.log("TrainingJobCompleted", null);
            job.log("EntityHandler_1_Created", null);
            job.log("EntityHandler_1_Running", null);
        }
        ctx.clock().after(ctx.timings().artifactUpload(), () -> finish(job));
    }

    private static int bestEpoch(CustomizationJob job) {
        int best = 0;
        for (int i = 1; i < job.valPoints.size(); i++) {
            if (job.valPoints.get(i).value() < job.valPoints.get(best).value()) {
                best = i;
            }
        }
        return best;
    }

    private void finish(CustomizationJob job) {
        synchronized (this) {
            if (!job.status.equals("running")) {
                return;
            }
        }
        if (job.outputModel != null) {
            uploadAdapter(job);
        }
        synchronized (this) {
            if (!job.status.equals("running")) {
                return;
            }
            job.log("EntityHandler_1_Pending", null);
            job.log("EntityHandler_1_Completed", null);
            job.setStatus("completed");
            if (job.outputModel != null) {
                adapters.register(new AdapterRegistry.Adapter(job.outputModel, job.baseModel, job.trainRecords,
                        job.epochs(), ctx.clock().nowMillis()));
            }
        }
    }

    /** Writes adapter files to the model repo {@code ns/name} at revision {@code cust-<id>} and finalises the model. */
    private void uploadAdapter(CustomizationJob job) {
        String ns = job.outputModel.substring(0, job.outputModel.indexOf('/'));
        String nameAtRev = job.outputModel.substring(job.outputModel.indexOf('/') + 1);
        String name = nameAtRev.substring(0, nameAtRev.indexOf('@'));
        String rev = nameAtRev.substring(nameAtRev.indexOf('@') + 1);
        dataStore.ensureNamespace(ns);
        if (!dataStore.hasRepo("model", ns, name)) {
            dataStore.createRepo("model", ns, name, false);
        }
        ObjectNode adapterConfig = Json.obj().put("base_model_name_or_path", job.baseModel).put("peft_type", "LORA")
                .put("r", job.hyperparameters.path("lora").path("adapter_dim").asInt(8))
                .put("lora_alpha", job.hyperparameters.path("lora").path("alpha").asInt(16));
        List<DataStore.FileOp> ops = new ArrayList<>();
        ops.add(new DataStore.FileOp("adapter_config.json", Json.write(adapterConfig)
                .getBytes(StandardCharsets.UTF_8), false));
        ops.add(new DataStore.FileOp("adapter_model.safetensors", ("emulated adapter " + job.id)
                .getBytes(StandardCharsets.UTF_8), false));
        dataStore.commit("model", ns, name, rev, ops);
        entities.models().update(ns, nameAtRev, m -> ((ObjectNode) m.get("artifact"))
                .put("status", "upload_completed"));
    }

    private synchronized void fail(CustomizationJob job, String detail) {
        if (job.terminal()) {
            return;
        }
        job.log("TrainingJobFailed", detail);
        job.setStatus("failed");
    }

    private CustomizationJob job(String id) {
        CustomizationJob j = jobs.get(id);
        if (j == null) {
            throw ApiException.notFound("Customization job " + id + " not found");
        }
        return j;
    }

    public synchronized ObjectNode get(String id) {
        return job(id).toJson();
    }

    public synchronized ObjectNode status(String id) {
        return job(id).statusJson();
    }

    public synchronized List<ObjectNode> list() {
        List<ObjectNode> out = new ArrayList<>();
        jobs.values().forEach(j -> out.add(j.toJson()));
        return out;
    }

    public synchronized ObjectNode cancel(String id) {
        CustomizationJob job = job(id);
        if (job.terminal()) {
            throw ApiException.conflict("Customization job " + id + " is already " + job.status);
        }
        if (!job.status.equals("cancelling")) {
            job.setStatus("cancelling");
            job.log("JobCancelling", null);
            ctx.clock().after(ctx.timings().cancelDelay(), () -> {
                synchronized (this) {
                    job.setStatus("cancelled");
                    job.log("JobCancelled", null);
                }
            });
        }
        return job.toJson();
    }

    public synchronized ObjectNode delete(String id) {
        CustomizationJob job = job(id);
        jobs.remove(id);
        if (!job.terminal()) {
            job.setStatus("cancelled");
        }
        ctx.ledger().deleted("customization_job", id);
        return Json.obj().put("id", id).put("deleted_at", Timestamps.now())
                .put("message", "Resource deleted successfully.");
    }

    public synchronized ObjectNode containerLogs(String id) {
        CustomizationJob job = job(id);
        ObjectNode out = Json.obj();
        var entries = out.putArray("entries");
        for (CustomizationJob.Log l : job.logs) {
            entries.addObject().put("timestamp", l.at()).put("message", l.message()
                    + (l.detail() == null ? "" : ": " + l.detail()));
        }
        return out;
    }
}
