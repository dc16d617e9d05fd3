package dev.flywheel.clients.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.clients.datasets.DatasetOutcome.PublishedDataset;
import dev.flywheel.clients.datasets.DatasetOutcome.PublishedFile;
import dev.flywheel.clients.datasets.DatasetOutcome.Registration;
import dev.flywheel.clients.nemo.CommonTypes.Created;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoFile;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoRef;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoType;
import dev.flywheel.clients.nemo.DataStoreTypes.TreeEntry;
import dev.flywheel.clients.nemo.EntityTypes.DatasetRequest;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.clients.nemo.NemoException;
import dev.flywheel.clients.nemo.NemoNames;
import dev.flywheel.core.dataset.DatasetFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Publishes built dataset files to NeMo the way the reference does (anchor §5.6, §6.1–6.2) but idempotently, so that
 * a repeated or resumed dataset step creates nothing twice and uploads nothing twice:
 * <ol>
 *   <li>the namespace in the Entity Store and in the Data Store (both adopt an existing one);</li>
 *   <li>per dataset ({@code eval}, {@code icl}, {@code train}, concurrently) a Hugging Face dataset repo with the
 *       deterministic name {@link NemoNames#dataset} (adopted on 409);</li>
 *   <li>the files at the reference's paths, in one commit per repo, leaving out every file the repo already holds
 *       with identical content (an adopted repo is listed first; see {@link #sameContent});</li>
 *   <li>the Entity Store dataset ({@code files_url = hf://datasets/<ns>/<name>}) — registered after its files are in
 *       place, so a registered dataset is always complete; left untouched when it already points there.</li>
 * </ol>
 * Files are read on the given executor (never on an HTTP event loop).
 */
final class DatasetPublisher {

    private static final String REVISION = "main";

    private final NemoClients nemo;
    private final Executor fileExecutor;

    DatasetPublisher(NemoClients nemo, Executor fileExecutor) {
        this.nemo = Objects.requireNonNull(nemo);
        this.fileExecutor = Objects.requireNonNull(fileExecutor);
    }

    /** Publishes the eval, icl and train datasets of {@code files}, in that order. */
    CompletableFuture<List<PublishedDataset>> publish(String jobId, int attempt, String description,
                                                      List<DatasetFile> files) {
        String ns = nemo.namespace();
        Map<String, List<DatasetFile>> byKind = new LinkedHashMap<>();
        for (String kind : List.of(DatasetFile.EVAL, DatasetFile.ICL, DatasetFile.TRAIN)) {
            byKind.put(kind, files.stream().filter(f -> f.dataset().equals(kind)).toList());
        }
        CompletableFuture<?> namespaces = CompletableFuture.allOf(nemo.entityStore().createNamespace(ns),
                nemo.dataStore().createNamespace(ns));
        return namespaces.thenCompose(v -> {
            List<CompletableFuture<PublishedDataset>> each = new ArrayList<>();
            byKind.forEach((kind, kindFiles) -> each.add(
                    publishOne(ns, kind, NemoNames.dataset(jobId, kind, attempt), description, kindFiles)));
            return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                    .thenApply(x -> each.stream().map(CompletableFuture::join).toList());
        });
    }

    private CompletableFuture<PublishedDataset> publishOne(String ns, String kind, String name, String description,
                                                           List<DatasetFile> files) {
        if (files.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalStateException("no " + kind + " files were built"));
        }
        return nemo.dataStore().createRepo(ns, name, RepoType.DATASET).thenCompose(created -> {
            RepoRef repo = created.value();
            CompletableFuture<Map<String, TreeEntry>> existing = created.adopted() ? remoteFiles(repo)
                    : CompletableFuture.completedFuture(Map.of()); // a new repo is empty: nothing to compare
            CompletableFuture<Map<String, byte[]>> contents =
                    CompletableFuture.supplyAsync(() -> read(files), fileExecutor);
            return existing.thenCombine(contents, Pending::new)
                    .thenCompose(p -> changed(repo, p, files).thenCompose(toUpload -> upload(repo, p, toUpload)))
                    .thenCompose(uploaded -> register(ns, name, repo.filesUrl(), description)
                            .thenApply(reg -> describe(kind, repo, files, uploaded, created, reg)));
        });
    }

    private record Pending(Map<String, TreeEntry> remote, Map<String, byte[]> contents) {
    }

    /** The paths whose remote content is missing or different. */
    private CompletableFuture<List<String>> changed(RepoRef repo, Pending p, List<DatasetFile> files) {
        List<CompletableFuture<String>> checks = new ArrayList<>();
        for (DatasetFile f : files) {
            checks.add(sameContent(repo, p.remote().get(f.path()), f, p.contents().get(f.path()))
                    .thenApply(same -> same ? null : f.path()));
        }
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
                .thenApply(v -> checks.stream().map(CompletableFuture::join).filter(Objects::nonNull).toList());
    }

    /**
     * Whether the repo's file has exactly {@code content}. The size must match; then the tree entry's id decides
     * when it is one we can compute — the LFS object id (SHA-256), the Git blob id (SHA-1 of
     * {@code "blob <size>\0" + content}, what the Hub reports for regular files) or a plain SHA-1 — and otherwise
     * the file is downloaded and compared by SHA-256. Only a resumed step with same-sized files pays for a download.
     */
    private CompletableFuture<Boolean> sameContent(RepoRef repo, TreeEntry remote, DatasetFile file, byte[] content) {
        if (remote == null || !remote.isFile() || remote.size() == null || remote.size() != content.length) {
            return CompletableFuture.completedFuture(false);
        }
        JsonNode lfsOid = remote.lfs() == null ? null : remote.lfs().get("oid");
        if (lfsOid != null && lfsOid.isTextual()) {
            return CompletableFuture.completedFuture(lfsOid.textValue().equalsIgnoreCase(file.sha256()));
        }
        String oid = remote.oid();
        if (oid != null && (oid.equalsIgnoreCase(gitBlobSha1(content)) || oid.equalsIgnoreCase(hex("SHA-1", content)))) {
            return CompletableFuture.completedFuture(true);
        }
        return nemo.dataStore().downloadFile(repo, REVISION, file.path())
                .thenApply(remoteBytes -> hex("SHA-256", remoteBytes).equals(file.sha256()));
    }

    /** One commit with the changed files; the paths actually uploaded. */
    private CompletableFuture<List<String>> upload(RepoRef repo, Pending p, List<String> paths) {
        if (paths.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        List<RepoFile> repoFiles = paths.stream().map(path -> new RepoFile(path, p.contents().get(path))).toList();
        return nemo.dataStore().uploadFiles(repo, REVISION, repoFiles,
                        "Upload " + String.join(", ", paths) + " with flywheel")
                .thenApply(commit -> paths);
    }

    /** Registers the dataset unless it already points at this repo. */
    private CompletableFuture<Registration> register(String ns, String name, String filesUrl, String description) {
        return nemo.entityStore().findDataset(ns, name).thenCompose(found -> {
            if (found.isPresent() && filesUrl.equals(found.get().filesUrl())) {
                return CompletableFuture.completedFuture(Registration.UNCHANGED);
            }
            return nemo.entityStore().upsertDataset(DatasetRequest.forRepo(ns, name, description))
                    .thenApply(c -> c.adopted() ? Registration.UPDATED : Registration.CREATED);
        });
    }

    /** Files of the repo's main revision by path; empty if the repo has no revision yet. */
    private CompletableFuture<Map<String, TreeEntry>> remoteFiles(RepoRef repo) {
        return nemo.dataStore().listFiles(repo, REVISION).thenApply(entries -> {
            Map<String, TreeEntry> byPath = new LinkedHashMap<>();
            entries.stream().filter(TreeEntry::isFile).forEach(e -> byPath.put(e.path(), e));
            return byPath;
        }).exceptionallyCompose(e -> {
            Throwable c = EsRequests.unwrap(e);
            return c instanceof NemoException ne && ne.isNotFound()
                    ? CompletableFuture.completedFuture(Map.<String, TreeEntry>of())
                    : CompletableFuture.failedFuture(c);
        });
    }

    private static PublishedDataset describe(String kind, RepoRef repo, List<DatasetFile> files, List<String> uploaded,
                                             Created<RepoRef> created, Registration registration) {
        List<PublishedFile> out = files.stream()
                .map(f -> new PublishedFile(f.path(), repo.filesUrl() + "/" + f.path(), f.records(), f.bytes(),
                        f.sha256(), uploaded.contains(f.path())))
                .toList();
        long records = files.stream().mapToLong(DatasetFile::records).sum();
        return new PublishedDataset(kind, repo.name(), repo.filesUrl(), records, out, created.adopted(), registration);
    }

    private static Map<String, byte[]> read(List<DatasetFile> files) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (DatasetFile f : files) {
            try {
                byte[] bytes = Files.readAllBytes(f.localPath());
                // The builder hashed what it wrote; a mismatch means the work directory was tampered with.
                if (!hex("SHA-256", bytes).equals(f.sha256())) {
                    throw new IllegalStateException(f.localPath() + " no longer matches its manifest hash");
                }
                out.put(f.path(), bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f.localPath(), e);
            }
        }
        return out;
    }

    static String gitBlobSha1(byte[] content) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(md.digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(String algorithm, byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new CompletionException(e);
        }
    }
}
