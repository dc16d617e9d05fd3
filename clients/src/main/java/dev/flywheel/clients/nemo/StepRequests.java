package dev.flywheel.clients.nemo;

import dev.flywheel.api.v1.EmbeddingConfig;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.LlmJudgeConfig;
import dev.flywheel.api.v1.NimConfig;
import dev.flywheel.clients.nemo.CustomizationTypes.CreateConfig;
import dev.flywheel.clients.nemo.CustomizationTypes.CreateJob;
import dev.flywheel.clients.nemo.CustomizationTypes.DatasetRef;
import dev.flywheel.clients.nemo.CustomizationTypes.Hyperparameters;
import dev.flywheel.clients.nemo.CustomizationTypes.LoraParameters;
import dev.flywheel.clients.nemo.CustomizationTypes.TrainingOption;
import dev.flywheel.clients.nemo.DeploymentTypes.CreateDeployment;
import dev.flywheel.clients.nemo.DeploymentTypes.DeploymentConfig;
import dev.flywheel.clients.nemo.DeploymentTypes.NimDeployment;
import dev.flywheel.clients.nemo.EvaluationConfigs.JudgeModel;
import dev.flywheel.clients.nemo.EvaluationConfigs.LocalJudge;
import dev.flywheel.clients.nemo.EvaluationConfigs.RemoteJudge;
import dev.flywheel.clients.nemo.EvaluationTypes.CreateEvaluationJob;
import java.util.Map;
import java.util.Optional;

/**
 * The NeMo requests of one job step, built from the job's effective configuration the way the reference builds
 * them (anchor §6): NIM deployments, evaluation jobs and customization configs/jobs. Names come from
 * {@link NemoNames} so that a repeated step finds what an earlier attempt created.
 */
public final class StepRequests {

    private StepRequests() {}

    /** The deployment of a candidate NIM (LoRA support on: customized adapters are served by it). */
    public static CreateDeployment candidateDeployment(String namespace, String name, NimConfig nim) {
        return deployment(namespace, name, nim.getModelName(), nim.getRegistryBase(), nim.getTag(), nim.getPvcSize(),
                nim.getGpus(), null);
    }

    /** The deployment of a local LLM judge. */
    public static CreateDeployment judgeDeployment(String namespace, String name, LlmJudgeConfig judge) {
        return deployment(namespace, name, judge.getModelName(), judge.getRegistryBase(), judge.getTag(),
                judge.getPvcSize(), judge.getGpus(), true);
    }

    /** The deployment of a local embedding NIM (semantic-similarity ICL). */
    public static CreateDeployment embeddingDeployment(String namespace, String name, EmbeddingConfig embedding) {
        return deployment(namespace, name, embedding.getModelName(), embedding.getRegistryBase(), embedding.getTag(),
                embedding.getPvcSize(), embedding.getGpus(), true);
    }

    private static CreateDeployment deployment(String namespace, String name, String model, String registry, String tag,
                                               String pvc, int gpus, Boolean disableLora) {
        String image = (registry.isEmpty() ? "nvcr.io/nim" : registry) + "/" + model;
        return new CreateDeployment(name, namespace, new DeploymentConfig(model,
                new NimDeployment(image, tag.isEmpty() ? "latest" : tag, pvc.isEmpty() ? null : pvc, Math.max(gpus, 1),
                        Map.of("NIM_GUIDED_DECODING_BACKEND", "outlines"), disableLora)),
                "flywheel");
    }

    /** Whether the job's judge is a local deployment (else a remote endpoint). */
    public static boolean localJudge(JobConfig config) {
        return !"remote".equals(config.getLlmJudgeConfig().getDeploymentType());
    }

    /** Whether the dataset stage needs a local embedding NIM. */
    public static boolean localEmbedding(JobConfig config) {
        return "semantic_similarity".equals(config.getIclConfig().getExampleSelection())
                && !"remote".equals(config.getIclConfig().getSimilarityConfig().getEmbeddingNimConfig().getDeploymentType());
    }

    /** The judge inside evaluation metrics; a remote judge's key is read from the environment, never stored. */
    public static JudgeModel judge(JobConfig config, Optional<Secret> remoteKey) {
        LlmJudgeConfig judge = config.getLlmJudgeConfig();
        if (localJudge(config)) {
            return new LocalJudge(judge.getModelName());
        }
        return new RemoteJudge(judge.getUrl(), judge.getModelName(), remoteKey.orElse(null));
    }

    /**
     * An evaluation job of {@code evalFileUrl} (a dataset's {@code eval_data.jsonl}) against {@code targetModel}.
     * The sample cap is the job's own {@code limit} (the reference used the global one).
     */
    public static CreateEvaluationJob evaluation(String namespace, String evalFileUrl, String targetModel,
                                                 boolean toolCalling, JobConfig config, JudgeModel judge) {
        Integer limit = config.getDataSplitConfig().hasLimit() ? config.getDataSplitConfig().getLimit() : null;
        Object evalConfig = toolCalling
                ? EvaluationConfigs.toolCalling(evalFileUrl, limit, judge)
                : EvaluationConfigs.llmJudgeSimilarity(evalFileUrl, limit, judge, false);
        return new CreateEvaluationJob(namespace, evalConfig, EvaluationConfigs.modelTarget(targetModel), "flywheel", null);
    }

    /** The customization config of a candidate (one per job and attempt, so no run deletes another's). */
    public static CreateConfig customizationConfig(String namespace, String name, NimConfig nim) {
        var c = nim.getCustomizerConfigs();
        return new CreateConfig(name, namespace, c.getTarget(),
                java.util.List.of(new TrainingOption("sft", "lora", c.getGpus(), c.getNumNodes(), c.getTensorParallelSize(),
                        null, c.getDataParallelSize(), c.getUseSequenceParallel(), c.getMicroBatchSize())),
                c.getTrainingPrecision().isEmpty() ? null : c.getTrainingPrecision(), c.getMaxSeqLength(), "flywheel");
    }

    /** The customization job that trains {@code trainDataset} into {@code outputModel}. */
    public static CreateJob customizationJob(String name, String outputModel, CreateConfig config, String namespace,
                                             String trainDataset, JobConfig job) {
        var t = job.getTrainingConfig();
        var lora = job.getLoraConfig();
        return new CreateJob(name, outputModel, config.ref(), new DatasetRef(trainDataset, namespace),
                new Hyperparameters(t.getTrainingType(), t.getFinetuningType(), t.getEpochs(), t.getBatchSize(),
                        t.getLearningRate(), new LoraParameters(lora.getAdapterDim(), lora.getAdapterDropout(), null)),
                "flywheel");
    }
}
