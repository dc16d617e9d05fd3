package dev.flywheel.clients.nemo;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static dev.flywheel.clients.nemo.CommonTypes.list;
import static dev.flywheel.clients.nemo.CommonTypes.map;
import static dev.flywheel.clients.nemo.CommonTypes.require;

/** Deployment Management (DMS) wire types (nemo-api.md §4). */
public final class DeploymentTypes {

    private DeploymentTypes() {
    }

    /** {@code POST /v1/deployment/model-deployments}. Names may not contain {@code /}. */
    public record CreateDeployment(String name, String namespace, DeploymentConfig config, String description) {
        public CreateDeployment {
            require(name, "name");
            require(namespace, "namespace");
            require(config, "config");
            if (name.contains("/")) {
                throw new IllegalArgumentException("deployment names cannot contain '/': " + name);
            }
        }
    }

    /** Inline config: the model id the NIM proxy will route ({@code meta/llama-3.2-1b-instruct}) and the NIM. */
    public record DeploymentConfig(String model, NimDeployment nimDeployment) {
        public DeploymentConfig {
            require(model, "model");
            require(nimDeployment, "nim_deployment");
        }
    }

    /**
     * {@code pvc_size} is sent by every NVIDIA sample although absent from the typed SDK params;
     * {@code disable_lora_support} is set for embedding NIMs.
     */
    public record NimDeployment(String imageName, String imageTag, String pvcSize, Integer gpu,
                                Map<String, String> additionalEnvs, Boolean disableLoraSupport) {
        public NimDeployment {
            require(imageName, "image_name");
            require(imageTag, "image_tag");
            require(gpu, "gpu");
        }
    }

    /** The deployment; callers read {@code status_details.status}. {@code config} may be a string or an object. */
    public record ModelDeployment(String name, String namespace, String description, JsonNode config,
                                  StatusDetails statusDetails, String url, Boolean deployed, Boolean asyncEnabled,
                                  List<String> models, Map<String, Object> customFields, String createdAt,
                                  String updatedAt) {
        public ModelDeployment {
            require(name, "name");
            require(namespace, "namespace");
            require(statusDetails, "status_details");
            models = list(models);
            customFields = map(customFields);
        }

        public NemoStatus status() {
            return NemoStatus.parse(statusDetails.status());
        }

        public NemoStatus.Phase phase() {
            return status().forDeployment();
        }

        /** The model id in the config, if the config is inline. */
        public String configModel() {
            if (config == null || !config.isObject()) {
                return null;
            }
            JsonNode m = config.get("model");
            return m == null || m.isNull() ? null : m.isTextual() ? m.asText() : m.path("name").asText(null);
        }
    }

    public record StatusDetails(String status, String description) {
        public StatusDetails {
            require(status, "status_details.status");
        }
    }

    public record DeploymentList(List<ModelDeployment> data) {
        public DeploymentList {
            data = list(data);
        }
    }
}
