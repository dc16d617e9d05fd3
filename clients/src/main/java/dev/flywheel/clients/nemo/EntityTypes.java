package dev.flywheel.clients.nemo;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

import static dev.flywheel.clients.nemo.CommonTypes.map;
import static dev.flywheel.clients.nemo.CommonTypes.require;

/** Entity Store wire types (nemo-api.md §2). */
public final class EntityTypes {

    private EntityTypes() {
    }

    /** A namespace; its {@code id} is its name. */
    public record Namespace(String id, String description, String project, Map<String, Object> customFields,
                            String createdAt, String updatedAt) {
        public Namespace {
            require(id, "id");
            customFields = map(customFields);
        }
    }

    /** {@code POST /v1/namespaces}. */
    public record CreateNamespace(String id, String description) {
    }

    /** A registered dataset pointing at Data Store files ({@code files_url = hf://datasets/<ns>/<name>}). */
    public record Dataset(String id, String name, String namespace, String description, String format,
                          String filesUrl, String hfEndpoint, String split, Integer limit, String project,
                          Map<String, Object> customFields, String createdAt, String updatedAt) {
        public Dataset {
            require(name, "name");
            require(namespace, "namespace");
            require(filesUrl, "files_url");
            customFields = map(customFields);
        }
    }

    /** {@code POST /v1/datasets} and {@code PATCH /v1/datasets/{ns}/{name}} body. */
    public record DatasetRequest(String name, String namespace, String description, String filesUrl, String project,
                                 Map<String, Object> customFields) {
        public DatasetRequest {
            require(name, "name");
            require(namespace, "namespace");
            require(filesUrl, "files_url");
        }

        /** A dataset backed by the Data Store repo {@code <namespace>/<name>}, as the reference registers it. */
        public static DatasetRequest forRepo(String namespace, String name, String description) {
            return new DatasetRequest(name, namespace, description == null ? "" : description,
                    "hf://datasets/" + namespace + "/" + name, "flywheel", null);
        }
    }

    /** A model entity (base model, or a LoRA adapter named {@code <name>@<cust job id>}). */
    public record Model(String id, String name, String namespace, String description, ModelSpec spec,
                        ModelArtifact artifact, String baseModel, Peft peft, JsonNode apiEndpoint, String project,
                        Map<String, Object> customFields, String createdAt, String updatedAt) {
        public Model {
            require(name, "name");
            require(namespace, "namespace");
            customFields = map(customFields);
        }

        /** {@code <namespace>/<name>}: the id inference and evaluation use. */
        public String ref() {
            return namespace + "/" + name;
        }
    }

    public record ModelSpec(Long numParameters, Integer contextSize, Integer numVirtualTokens, Boolean isChat) {
    }

    /** {@code status} ∈ created | upload_failed | upload_completed. */
    public record ModelArtifact(String gpuArch, String precision, Integer tensorParallelism, String backendEngine,
                                String status, String filesUrl) {
    }

    public record Peft(String finetuningType, JsonNode lora) {
    }
}
