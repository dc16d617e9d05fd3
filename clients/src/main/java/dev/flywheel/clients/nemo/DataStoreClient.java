package dev.flywheel.clients.nemo;

import com.fasterxml.jackson.core.type.TypeReference;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import dev.flywheel.clients.nemo.CommonTypes.Created;
import dev.flywheel.clients.nemo.DataStoreTypes.CommitInfo;
import dev.flywheel.clients.nemo.DataStoreTypes.DatastoreNamespace;
import dev.flywheel.clients.nemo.DataStoreTypes.LfsAction;
import dev.flywheel.clients.nemo.DataStoreTypes.LfsBatchRequest;
import dev.flywheel.clients.nemo.DataStoreTypes.LfsBatchResponse;
import dev.flywheel.clients.nemo.DataStoreTypes.LfsObject;
import dev.flywheel.clients.nemo.DataStoreTypes.LfsObjectAction;
import dev.flywheel.clients.nemo.DataStoreTypes.PreuploadFile;
import dev.flywheel.clients.nemo.DataStoreTypes.PreuploadRequest;
import dev.flywheel.clients.nemo.DataStoreTypes.PreuploadResponse;
import dev.flywheel.clients.nemo.DataStoreTypes.PreuploadResult;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoFile;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoInfo;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoRef;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoRequest;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoType;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoUrl;
import dev.flywheel.clients.nemo.DataStoreTypes.TreeEntry;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NeMo Data Store ({@code datastore_base_url}): its namespaces ({@code /v1/datastore/namespaces}) and the Hugging Face
 * Hub-compatible repo API under {@code /v1/hf} — create, upload, list, download, delete.
 *
 * <p>Uploads follow {@code huggingface_hub} 0.30.2's {@code upload_file} exactly (nemo-api.md §3.3), because that is
 * the protocol NDS is known to accept: preupload → repo info ({@code ?expand=xetEnabled}) → Git LFS batch/PUT/verify
 * for files the server wants as LFS → one NDJSON commit. Every step is safe to repeat (same content, same result),
 * so all are retried.
 */
public final class DataStoreClient {

    private static final String HF = "/v1/hf";
    private static final MediaType LFS_JSON = MediaType.parse("application/vnd.git-lfs+json");
    private static final MediaType NDJSON = MediaType.parse("application/x-ndjson");
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

    private final NemoHttp http;

    public DataStoreClient(NemoHttp http) {
        this.http = Objects.requireNonNull(http);
    }

    // ---- NeMo Data Store namespaces -------------------------------------------------------------------------------

    /** Creates the namespace (form-encoded, 201) or adopts it (409); then reads it back. */
    public CompletableFuture<Created<DatastoreNamespace>> createNamespace(String namespace) {
        byte[] form = ("namespace=" + URLEncoder.encode(namespace, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        return http.post("createNamespace", "/v1/datastore/namespaces")
                .body(MediaType.FORM_DATA, form).retrySafe()
                .discard()
                .thenApply(v -> false)
                .exceptionally(e -> adoptOnConflict(e, "createNamespace"))
                .thenCompose(adopted -> getNamespace(namespace).thenApply(ns -> new Created<>(ns, adopted)));
    }

    /** NDS answers this GET with 201 (sic); any 2xx is fine. */
    public CompletableFuture<DatastoreNamespace> getNamespace(String namespace) {
        return http.get("getNamespace", NemoPaths.join("/v1/datastore/namespaces", namespace))
                .as(DatastoreNamespace.class);
    }

    /** Deletes the namespace; false when it did not exist. */
    public CompletableFuture<Boolean> deleteNamespace(String namespace) {
        return Futures.deleted(http.delete("deleteNamespace", NemoPaths.join("/v1/datastore/namespaces", namespace))
                .discard());
    }

    // ---- Hugging Face repos ---------------------------------------------------------------------------------------

    /** {@code create_repo}: 200, or 409 when it exists (adopted, like {@code exist_ok=True}). */
    public CompletableFuture<Created<RepoRef>> createRepo(String namespace, String name, RepoType type) {
        RepoRef ref = new RepoRef(namespace, name, type);
        return http.post("createRepo", HF + "/api/repos/create")
                .json(new RepoRequest(name, namespace, type.wire(), false)).retrySafe()
                .as(RepoUrl.class)
                .thenApply(url -> new Created<>(ref, false))
                .exceptionally(e -> new Created<>(ref, adoptOnConflict(e, "createRepo")));
    }

    /** {@code delete_repo}; false when it did not exist. */
    public CompletableFuture<Boolean> deleteRepo(String namespace, String name, RepoType type) {
        return Futures.deleted(http.delete("deleteRepo", HF + "/api/repos/delete")
                .json(new RepoRequest(name, namespace, type.wire(), null))
                .discard());
    }

    /** {@code repo_info} at a revision (what the Hub client asks before LFS uploads). */
    public CompletableFuture<RepoInfo> repoInfo(RepoRef repo, String revision) {
        return http.get("repoInfo", apiRepo(repo) + "/revision/" + NemoPaths.segment(revision))
                .query("expand", "xetEnabled")
                .as(RepoInfo.class);
    }

    /** Uploads one file to {@code main}. */
    public CompletableFuture<CommitInfo> uploadFile(RepoRef repo, String pathInRepo, byte[] content) {
        return uploadFiles(repo, "main", List.of(new RepoFile(pathInRepo, content)),
                "Upload " + pathInRepo + " with huggingface_hub");
    }

    /** Uploads files in one commit, the way {@code HfApi.upload_file}/{@code create_commit} does. */
    public CompletableFuture<CommitInfo> uploadFiles(RepoRef repo, String revision, List<RepoFile> files, String summary) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("nothing to upload");
        }
        List<PreuploadFile> pre = files.stream()
                .map(f -> new PreuploadFile(f.path(),
                        Base64.getEncoder().encodeToString(Arrays.copyOf(f.content(), Math.min(512, f.content().length))),
                        f.content().length))
                .toList();
        return http.post("preupload", apiRepo(repo) + "/preupload/" + NemoPaths.segment(revision))
                .json(new PreuploadRequest(pre)).retrySafe()
                .as(PreuploadResponse.class)
                .thenCompose(answer -> {
                    Map<String, Boolean> lfs = new LinkedHashMap<>();
                    for (PreuploadResult r : answer.files()) {
                        lfs.put(r.path(), r.isLfs());
                    }
                    // The Hub client always reads repo info here (0.30.2 has no early return), so NDS expects it.
                    return repoInfo(repo, revision).thenCompose(info -> uploadLfs(repo, revision, files, lfs))
                            .thenCompose(v -> commit(repo, revision, files, lfs, summary));
                });
    }

    private CompletableFuture<Void> uploadLfs(RepoRef repo, String revision, List<RepoFile> files,
                                              Map<String, Boolean> lfs) {
        List<RepoFile> big = files.stream()
                .filter(f -> Boolean.TRUE.equals(lfs.get(f.path())) && f.content().length > 0).toList();
        if (big.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Map<String, RepoFile> byOid = new LinkedHashMap<>();
        big.forEach(f -> byOid.put(sha256(f.content()), f));
        LfsBatchRequest req = new LfsBatchRequest("upload", List.of("basic", "multipart"),
                byOid.entrySet().stream().map(e -> new LfsObject(e.getKey(), e.getValue().content().length)).toList(),
                "sha256", Map.of("name", revision));
        byte[] body = json(req);
        return http.post("lfsBatch", HF + "/" + repo.type().urlPrefix() + NemoPaths.segment(repo.namespace()) + "/"
                        + NemoPaths.segment(repo.name() + ".git") + "/info/lfs/objects/batch")
                .header("Accept", LFS_JSON.toString())
                .body(LFS_JSON, body).retrySafe()
                .as(LfsBatchResponse.class)
                .thenCompose(batch -> {
                    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
                    for (LfsObjectAction o : batch.objects()) {
                        if (o.error() != null && !o.error().isNull()) {
                            return CompletableFuture.failedFuture(new NemoException(NemoService.DATA_STORE,
                                    "lfsBatch", NemoException.Kind.BAD_RESPONSE, 200,
                                    "LFS refused object " + o.oid() + ": " + o.error(), null, null));
                        }
                        RepoFile f = byOid.get(o.oid());
                        if (f == null || o.actions() == null || o.actions().get("upload") == null) {
                            continue; // already stored
                        }
                        chain = chain.thenCompose(v -> lfsPut(o, f));
                    }
                    return chain;
                });
    }

    private CompletableFuture<Void> lfsPut(LfsObjectAction o, RepoFile f) {
        LfsAction upload = o.actions().get("upload");
        NemoHttp.Call put = http.call(HttpMethod.PUT, "lfsUpload", absolute(upload.href()))
                .body(MediaType.OCTET_STREAM, f.content());
        if (upload.header() != null) {
            upload.header().forEach((k, v) -> {
                if (!k.equalsIgnoreCase("chunk_size")) {
                    put.header(k, v);
                }
            });
        }
        CompletableFuture<Void> done = put.discard();
        LfsAction verify = o.actions().get("verify");
        if (verify == null) {
            return done;
        }
        return done.thenCompose(v -> http.post("lfsVerify", absolute(verify.href()))
                .body(LFS_JSON, json(new LfsObject(o.oid(), f.content().length))).retrySafe()
                .discard());
    }

    private CompletableFuture<CommitInfo> commit(RepoRef repo, String revision, List<RepoFile> files,
                                                 Map<String, Boolean> lfs, String summary) {
        ByteArrayOutputStream nd = new ByteArrayOutputStream();
        line(nd, Map.of("key", "header", "value", Map.of("summary", summary, "description", "")));
        for (RepoFile f : files) {
            if (Boolean.TRUE.equals(lfs.get(f.path())) && f.content().length > 0) {
                line(nd, Map.of("key", "lfsFile", "value", Map.of("path", f.path(), "algo", "sha256",
                        "oid", sha256(f.content()), "size", f.content().length)));
            } else {
                line(nd, Map.of("key", "file", "value", Map.of("content",
                        Base64.getEncoder().encodeToString(f.content()), "path", f.path(), "encoding", "base64")));
            }
        }
        // Committing the same files again yields the same tree: safe to retry.
        return http.post("commit", apiRepo(repo) + "/commit/" + NemoPaths.segment(revision))
                .body(NDJSON, nd.toByteArray()).retrySafe()
                .as(CommitInfo.class);
    }

    /** {@code list_repo_tree(recursive=True)}, following {@code Link: rel="next"} pages. */
    public CompletableFuture<List<TreeEntry>> listFiles(RepoRef repo, String revision) {
        String first = apiRepo(repo) + "/tree/" + NemoPaths.segment(revision) + "?recursive=true";
        return listFrom(first, new ArrayList<>(), 0);
    }

    private CompletableFuture<List<TreeEntry>> listFrom(String path, List<TreeEntry> acc, int pages) {
        return http.get("listFiles", path).send().thenCompose(r -> {
            try {
                acc.addAll(NemoJson.mapper().readValue(r.body(), new TypeReference<List<TreeEntry>>() { }));
            } catch (Exception e) {
                throw new NemoException(NemoService.DATA_STORE, "listFiles", NemoException.Kind.BAD_RESPONSE,
                        r.status(), e.getClass().getSimpleName(), r.text(), null);
            }
            String next = nextLink(r.linkHeader());
            if (next == null || pages >= 100) {
                return CompletableFuture.completedFuture(List.copyOf(acc));
            }
            return listFrom(next, acc, pages + 1);
        });
    }

    /** Downloads one file ({@code GET /{prefix}{ns}/{name}/resolve/{revision}/{path}}). */
    public CompletableFuture<byte[]> downloadFile(RepoRef repo, String revision, String pathInRepo) {
        StringBuilder p = new StringBuilder(HF).append('/').append(repo.type().urlPrefix())
                .append(NemoPaths.segment(repo.namespace())).append('/').append(NemoPaths.segment(repo.name()))
                .append("/resolve/").append(NemoPaths.segment(revision));
        for (String part : pathInRepo.split("/")) {
            p.append('/').append(NemoPaths.segment(part));
        }
        return http.get("downloadFile", p.toString()).send().thenApply(NemoHttp.Response::body);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private static String apiRepo(RepoRef repo) {
        return HF + "/api/" + repo.type().apiPlural() + "/" + NemoPaths.segment(repo.namespace()) + "/"
                + NemoPaths.segment(repo.name());
    }

    /** LFS hrefs may be absolute (another host) or relative to the Data Store. */
    private String absolute(String href) {
        if (href.startsWith("http://") || href.startsWith("https://")) {
            return href;
        }
        return href.startsWith("/") ? href : "/" + href;
    }

    static String nextLink(String linkHeader) {
        if (linkHeader == null) {
            return null;
        }
        Matcher m = NEXT_LINK.matcher(linkHeader);
        return m.find() ? m.group(1) : null;
    }

    private boolean adoptOnConflict(Throwable e, String operation) {
        NemoException ne = Futures.nemo(e);
        if (ne != null && ne.isConflict()) {
            http.countAdopted(operation);
            return true;
        }
        throw Futures.propagate(e);
    }

    private static byte[] json(Object o) {
        try {
            return NemoJson.mapper().writeValueAsBytes(o);
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot serialise " + o.getClass().getSimpleName(), e);
        }
    }

    private static void line(ByteArrayOutputStream out, Object o) {
        byte[] b = json(o);
        out.write(b, 0, b.length);
        out.write('\n');
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
