package dev.flywheel.core.config;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.flywheel.api.v1.DataSplitConfig;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.NimConfig;
import dev.flywheel.core.error.FieldViolation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Layering, validation and hashing of job configurations. A job's effective configuration is the built-in
 * defaults, then the server's configuration, then a named configuration, then the request's data split
 * overrides; each layer replaces only the fields it sets (and a layer that lists {@code nims} replaces the
 * whole list). The result is validated once and stored on the job.
 */
public final class JobConfigs {

    private static final String BUILT_IN = "default-job-config.yaml";
    private static final JobConfig BUILT_IN_DEFAULTS = loadBuiltIn();

    private JobConfigs() {}

    /** The reference blueprint's shipped config.yaml values. */
    public static JobConfig builtInDefaults() {
        return BUILT_IN_DEFAULTS;
    }

    private static JobConfig loadBuiltIn() {
        try (InputStream in = JobConfigs.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + BUILT_IN);
            }
            return ConfigTreeReader.readYaml(in, BUILT_IN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code overlay} over {@code base}: set fields win, nested messages merge, a non-empty nims list replaces. */
    public static JobConfig merge(JobConfig base, JobConfig overlay) {
        JobConfig.Builder merged = base.toBuilder();
        if (overlay.getNimsCount() > 0) {
            merged.clearNims();
        }
        return merged.mergeFrom(overlay).build();
    }

    /** Applies a request's data split overrides field by field (the reference fell back to class defaults). */
    public static JobConfig withSplitOverrides(JobConfig config, DataSplitConfig overrides) {
        JobConfig.Builder builder = config.toBuilder();
        builder.getDataSplitConfigBuilder().mergeFrom(overrides);
        return builder.build();
    }

    /** Range checks on a data split, by itself (used on request overrides before layering). */
    public static List<FieldViolation> validateSplit(DataSplitConfig split, String path) {
        List<FieldViolation> out = new ArrayList<>();
        if (split.hasEvalSize() && split.getEvalSize() <= 0) {
            out.add(new FieldViolation(path + "eval_size", "must be greater than 0"));
        }
        if (split.hasLimit() && split.getLimit() <= 0) {
            out.add(new FieldViolation(path + "limit", "must be greater than 0"));
        }
        if (split.hasMinTotalRecords() && split.getMinTotalRecords() <= 0) {
            out.add(new FieldViolation(path + "min_total_records", "must be greater than 0"));
        }
        if (split.hasValRatio() && !(split.getValRatio() >= 0 && split.getValRatio() < 1)) {
            out.add(new FieldViolation(path + "val_ratio", "must be in [0, 1)"));
        }
        if (split.getEvalSize() > 0 && split.getLimit() > 0 && split.getEvalSize() > split.getLimit()) {
            out.add(new FieldViolation(path + "eval_size", "must not be greater than limit (" + split.getLimit() + ")"));
        }
        return out;
    }

    /**
     * Checks a complete (effective) configuration; every violation names the key path under {@code path}.
     * Cross-field rules are the reference's: max_examples &lt;= eval_size, at least one candidate,
     * customization needs a customizer target, semantic similarity needs an embedding model.
     */
    public static List<FieldViolation> validate(JobConfig config, String path) {
        List<FieldViolation> out = new ArrayList<>(validateSplit(config.getDataSplitConfig(), path + "data_split_config."));
        requireText(config.getNmpConfig().getNemoBaseUrl(), path + "nmp_config.nemo_base_url", out);
        requireText(config.getNmpConfig().getNimBaseUrl(), path + "nmp_config.nim_base_url", out);
        requireText(config.getNmpConfig().getDatastoreBaseUrl(), path + "nmp_config.datastore_base_url", out);
        requireText(config.getNmpConfig().getNmpNamespace(), path + "nmp_config.nmp_namespace", out);
        for (String key : List.of("nemo_base_url", "nim_base_url", "datastore_base_url")) {
            String url = (String) config.getNmpConfig().getField(
                    config.getNmpConfig().getDescriptorForType().findFieldByName(key));
            if (!url.isEmpty() && !(url.startsWith("http://") || url.startsWith("https://"))) {
                out.add(new FieldViolation(path + "nmp_config." + key, "must be an http:// or https:// URL"));
            }
        }
        if (config.hasJobType() && !config.getJobType().equals("llm_job") && !config.getJobType().equals("embedding_job")) {
            out.add(new FieldViolation(path + "job_type", "must be llm_job or embedding_job"));
        }
        if (config.getNimsCount() == 0) {
            out.add(new FieldViolation(path + "nims", "at least one candidate model is required"));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < config.getNimsCount(); i++) {
            NimConfig nim = config.getNims(i);
            String nimPath = path + "nims[" + i + "].";
            if (nim.getModelName().isBlank()) {
                out.add(new FieldViolation(nimPath + "model_name", "is required"));
            } else if (!names.add(nim.getModelName())) {
                out.add(new FieldViolation(nimPath + "model_name", "duplicate candidate " + nim.getModelName()));
            }
            if (nim.hasGpus() && nim.getGpus() <= 0) {
                out.add(new FieldViolation(nimPath + "gpus", "must be greater than 0"));
            }
            if (nim.getCustomizationEnabled() && nim.getCustomizerConfigs().getTarget().isBlank()) {
                out.add(new FieldViolation(nimPath + "customizer_configs.target",
                        "is required when customization_enabled is true"));
            }
        }
        String judgeType = config.getLlmJudgeConfig().getDeploymentType();
        if (!judgeType.equals("remote") && !judgeType.equals("local")) {
            out.add(new FieldViolation(path + "llm_judge_config.deployment_type", "must be remote or local"));
        } else if (judgeType.equals("remote") && config.getLlmJudgeConfig().getUrl().isBlank()) {
            out.add(new FieldViolation(path + "llm_judge_config.url", "is required for a remote judge"));
        }
        requireText(config.getLlmJudgeConfig().getModelName(), path + "llm_judge_config.model_name", out);
        var icl = config.getIclConfig();
        String selection = icl.getExampleSelection();
        if (!selection.equals("uniform_distribution") && !selection.equals("semantic_similarity")) {
            out.add(new FieldViolation(path + "icl_config.example_selection",
                    "must be uniform_distribution or semantic_similarity"));
        } else if (selection.equals("semantic_similarity")
                && icl.getSimilarityConfig().getEmbeddingNimConfig().getModelName().isBlank()) {
            out.add(new FieldViolation(path + "icl_config.similarity_config.embedding_nim_config.model_name",
                    "is required for semantic_similarity"));
        }
        if (icl.getMaxExamples() < 0) {
            out.add(new FieldViolation(path + "icl_config.max_examples", "must not be negative"));
        } else if (config.getDataSplitConfig().hasEvalSize() && icl.getMaxExamples() > config.getDataSplitConfig().getEvalSize()) {
            out.add(new FieldViolation(path + "icl_config.max_examples",
                    "must not be greater than data_split_config.eval_size (" + config.getDataSplitConfig().getEvalSize() + ")"));
        }
        if (icl.getReservedTokens() >= icl.getMaxContextLength()) {
            out.add(new FieldViolation(path + "icl_config.reserved_tokens", "must be less than max_context_length"));
        }
        // Written so that NaN fails too (every comparison with NaN is false); JSON clients can send "NaN" and
        // "Infinity" for any double.
        double relevance = icl.getSimilarityConfig().getRelevanceRatio();
        if (!(relevance >= 0 && relevance <= 1)) {
            out.add(new FieldViolation(path + "icl_config.similarity_config.relevance_ratio", "must be in [0, 1]"));
        }
        if (config.getTrainingConfig().getEpochs() <= 0) {
            out.add(new FieldViolation(path + "training_config.epochs", "must be greater than 0"));
        }
        if (config.getTrainingConfig().getBatchSize() <= 0) {
            out.add(new FieldViolation(path + "training_config.batch_size", "must be greater than 0"));
        }
        double learningRate = config.getTrainingConfig().getLearningRate();
        if (!(learningRate > 0 && Double.isFinite(learningRate))) {
            out.add(new FieldViolation(path + "training_config.learning_rate", "must be a finite number greater than 0"));
        }
        double dropout = config.getLoraConfig().getAdapterDropout();
        if (config.getLoraConfig().hasAdapterDropout() && !(dropout >= 0 && dropout < 1)) {
            out.add(new FieldViolation(path + "lora_config.adapter_dropout", "must be in [0, 1)"));
        }
        return out;
    }

    private static void requireText(String value, String path, List<FieldViolation> out) {
        if (value.isBlank()) {
            out.add(new FieldViolation(path, "is required"));
        }
    }

    /** The configuration as JSON with the reference's snake_case keys. */
    public static String toJson(JobConfig config) {
        try {
            return JsonFormat.printer().preservingProtoFieldNames().print(config);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** sha256 of the canonical JSON form; equal configurations hash equally. */
    public static String contentHash(JobConfig config) {
        try {
            return sha256(JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace()
                    .sortingMapKeys().print(config));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
