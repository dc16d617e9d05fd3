package dev.flywheel.clients.nemo;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

import static dev.flywheel.clients.nemo.CommonTypes.list;
import static dev.flywheel.clients.nemo.CommonTypes.require;

/** Customizer wire types (nemo-api.md §7). */
public final class CustomizationTypes {

    private CustomizationTypes() {
    }

    /** {@code POST /v1/customization/configs}. {@code target} is a {@code "ns/name@version"} reference. */
    public record CreateConfig(String name, String namespace, String target, List<TrainingOption> trainingOptions,
                               String trainingPrecision, Integer maxSeqLength, String description) {
        public CreateConfig {
            require(name, "name");
            require(namespace, "namespace");
            require(maxSeqLength, "max_seq_length");
            trainingOptions = list(require(trainingOptions, "training_options"));
            if (trainingOptions.isEmpty()) {
                throw new IllegalArgumentException("training_options must not be empty");
            }
        }

        public String ref() {
            return namespace + "/" + name;
        }
    }

    /** {@code training_type} ∈ sft | distillation; {@code finetuning_type} ∈ lora | all_weights | p_tuning. */
    public record TrainingOption(String trainingType, String finetuningType, Integer numGpus, Integer numNodes,
                                 Integer tensorParallelSize, Integer pipelineParallelSize, Integer dataParallelSize,
                                 Boolean useSequenceParallel, Integer microBatchSize) {
        public TrainingOption {
            require(trainingType, "training_type");
            require(finetuningType, "finetuning_type");
            require(numGpus, "num_gpus");
            require(microBatchSize, "micro_batch_size");
        }
    }

    /** A stored config (the answer to create/GET). */
    public record CustomizationConfig(String id, String name, String namespace, JsonNode target,
                                      List<TrainingOption> trainingOptions, String trainingPrecision,
                                      Integer maxSeqLength, String createdAt, String updatedAt) {
        public CustomizationConfig {
            require(name, "name");
            trainingOptions = list(trainingOptions);
        }
    }

    /** {@code POST /v1/customization/jobs}. {@code config} is {@code "ns/name"}; {@code output_model} {@code "ns/name"}. */
    public record CreateJob(String name, String outputModel, String config, DatasetRef dataset,
                            Hyperparameters hyperparameters, String description) {
        public CreateJob {
            require(config, "config");
            require(dataset, "dataset");
            require(hyperparameters, "hyperparameters");
        }
    }

    public record DatasetRef(String name, String namespace) {
        public DatasetRef {
            require(name, "name");
            require(namespace, "namespace");
        }
    }

    public record Hyperparameters(String trainingType, String finetuningType, Integer epochs, Integer batchSize,
                                  Double learningRate, LoraParameters lora) {
        public Hyperparameters {
            require(finetuningType, "finetuning_type");
        }
    }

    public record LoraParameters(Integer adapterDim, Double adapterDropout, Integer alpha) {
    }

    /**
     * A customization job. {@code output_model} comes back with {@code @<job id>} appended; {@code config} is a string
     * on newer servers and an object on older ones; {@code status_details} nests the same data as {@code /status}.
     */
    public record CustomizationJob(String id, String name, String namespace, String status, String outputModel,
                                   JsonNode config, JsonNode dataset, JsonNode hyperparameters,
                                   CustomizationStatus statusDetails, String createdAt, String updatedAt) {
        public CustomizationJob {
            require(id, "id");
            require(status, "status");
        }

        public NemoStatus statusValue() {
            return NemoStatus.parse(status);
        }

        public NemoStatus.Phase phase() {
            return statusValue().forJob();
        }
    }

    /** {@code GET /v1/customization/jobs/{id}/status} (flat), also the job's {@code status_details}. */
    public record CustomizationStatus(String status, String createdAt, String updatedAt, Integer stepsCompleted,
                                      Integer epochsCompleted, Double percentageDone, Integer bestEpoch,
                                      Double trainLoss, Double valLoss, Double elapsedTime, Integer stepsPerEpoch,
                                      JsonNode metrics, List<StatusLog> statusLogs) {
        public CustomizationStatus {
            statusLogs = list(statusLogs);
        }

        public NemoStatus statusValue() {
            return NemoStatus.parse(status);
        }

        /**
         * The failure text the reference reports: the last status log with a non-empty {@code detail}, else the last
         * log message, else null.
         */
        public String failureMessage() {
            for (int i = statusLogs.size() - 1; i >= 0; i--) {
                String d = statusLogs.get(i).detail();
                if (d != null && !d.isBlank()) {
                    return d;
                }
            }
            return statusLogs.isEmpty() ? null : statusLogs.get(statusLogs.size() - 1).message();
        }

        /** The job is stuck for lack of GPUs (last log message {@code NotEnoughResources}). */
        public boolean lacksResources() {
            return !statusLogs.isEmpty() && "NotEnoughResources".equals(statusLogs.get(statusLogs.size() - 1).message());
        }
    }

    public record StatusLog(String updatedAt, String message, String detail) {
    }

}
