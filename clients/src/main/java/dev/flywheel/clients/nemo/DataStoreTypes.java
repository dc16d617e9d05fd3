package dev.flywheel.clients.nemo;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static dev.flywheel.clients.nemo.CommonTypes.list;
import static dev.flywheel.clients.nemo.CommonTypes.require;

/**
 * Data Store wire types (nemo-api.md §3): NeMo's own namespaces, and the Hugging Face Hub API as
 * {@code huggingface_hub} 0.30.2 speaks it. The Hub uses camelCase, so those names are spelled out.
 */
public final class DataStoreTypes {

    private DataStoreTypes() {
    }

    /** Repository kinds; the file URLs use {@code datasets/} for datasets and no prefix for models. */
    public enum RepoType {
        DATASET("dataset", "datasets", "datasets/"),
        MODEL("model", "models", "");

        private final String wire;
        private final String apiPlural;
        private final String urlPrefix;

        RepoType(String wire, String apiPlural, String urlPrefix) {
            this.wire = wire;
            this.apiPlural = apiPlural;
            this.urlPrefix = urlPrefix;
        }

        public String wire() {
            return wire;
        }

        public String apiPlural() {
            return apiPlural;
        }

        public String urlPrefix() {
            return urlPrefix;
        }
    }

    /** {@code GET /v1/datastore/namespaces/{ns}}; timestamps here use {@code Z} and whole seconds. */
    public record DatastoreNamespace(String namespace, String createdAt, String updatedAt) {
        public DatastoreNamespace {
            require(namespace, "namespace");
        }
    }

    /** {@code POST /v1/hf/api/repos/create} and {@code DELETE /v1/hf/api/repos/delete} body. */
    public record RepoRequest(String name, String organization, String type,
                              @JsonProperty("private") Boolean isPrivate) {
    }

    /** Create-repo answer; NDS returns a relative url such as {@code datasets/ns/name}. */
    public record RepoUrl(String url) {
        public RepoUrl {
            require(url, "url");
        }
    }

    /** A repo that exists: {@code id = <namespace>/<name>}. */
    public record RepoRef(String namespace, String name, RepoType type) {
        public String id() {
            return namespace + "/" + name;
        }

        /** What Entity Store datasets and Customizer/Evaluator file references use. */
        public String filesUrl() {
            return "hf://" + type.urlPrefix() + id();
        }
    }

    /** A file to upload: its path in the repo and its bytes. */
    public record RepoFile(String path, byte[] content) {
        public RepoFile {
            require(path, "path");
            require(content, "content");
            if (path.startsWith("/") || path.contains("..")) {
                throw new IllegalArgumentException("repo paths are relative and stay inside the repo: " + path);
            }
        }
    }

    public record PreuploadRequest(List<PreuploadFile> files) {
    }

    /** {@code sample} = base64 of the first ≤512 bytes. */
    public record PreuploadFile(String path, String sample, long size) {
    }

    public record PreuploadResponse(List<PreuploadResult> files) {
        public PreuploadResponse {
            files = list(require(files, "files"));
        }
    }

    /** {@code uploadMode} is exactly {@code regular} or {@code lfs}, as huggingface_hub insists. */
    public record PreuploadResult(String path, @JsonProperty("uploadMode") String uploadMode,
                                  @JsonProperty("shouldIgnore") Boolean shouldIgnore, String oid) {
        public PreuploadResult {
            require(path, "path");
            require(uploadMode, "uploadMode");
            if (!uploadMode.equals("regular") && !uploadMode.equals("lfs")) {
                throw new IllegalArgumentException("uploadMode must be regular or lfs, was " + uploadMode);
            }
        }

        public boolean isLfs() {
            return uploadMode.equals("lfs");
        }
    }

    /** {@code GET /api/{rt}/{ns}/{name}[/revision/{rev}]}; {@code id} is the only field the Hub client requires. */
    public record RepoInfo(String id, String sha, List<Sibling> siblings,
                           @JsonProperty("xetEnabled") Boolean xetEnabled) {
        public RepoInfo {
            require(id, "id");
            siblings = list(siblings);
        }
    }

    public record Sibling(String rfilename) {
    }

    /** {@code POST …/commit/{revision}} answer; NDS sends {@code commitUrl: ""}. */
    public record CommitInfo(@JsonProperty("commitUrl") String commitUrl, @JsonProperty("commitOid") String commitOid,
                             @JsonProperty("pullRequestUrl") String pullRequestUrl) {
        public CommitInfo {
            require(commitUrl, "commitUrl");
            require(commitOid, "commitOid");
        }
    }

    /** One entry of {@code GET …/tree/{revision}}: {@code type} is {@code file} or {@code directory}. */
    public record TreeEntry(String type, String path, Long size, String oid, JsonNode lfs) {
        public TreeEntry {
            require(type, "type");
            require(path, "path");
        }

        public boolean isFile() {
            return "file".equals(type);
        }
    }

    /** Git LFS batch API request ({@code application/vnd.git-lfs+json}). */
    public record LfsBatchRequest(String operation, List<String> transfers, List<LfsObject> objects,
                                  String hashAlgo, Map<String, String> ref) {
    }

    public record LfsObject(String oid, long size) {
    }

    public record LfsBatchResponse(List<LfsObjectAction> objects) {
        public LfsBatchResponse {
            objects = list(require(objects, "objects"));
        }
    }

    /** No {@code actions}: the server has the object already. {@code error}: it refuses it. */
    public record LfsObjectAction(String oid, Long size, Map<String, LfsAction> actions, JsonNode error) {
    }

    public record LfsAction(String href, Map<String, String> header) {
        public LfsAction {
            require(href, "href");
        }
    }
}
