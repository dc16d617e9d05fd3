package dev.flywheel.emulator.datastore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.EmulatorContext;
import dev.flywheel.emulator.http.ApiException;
import dev.flywheel.emulator.http.Json;
import dev.flywheel.emulator.state.Timestamps;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * State of the NeMo Data Store (nemo-api.md §3): NDS namespaces and HF-style repos holding files per revision.
 * Every committed JSON/JSONL file is also shown to the {@link dev.flywheel.emulator.sim.ReferenceOracle}, which is
 * how simulated models learn what the right answers are.
 */
public final class DataStore {
    /** A repo: type ({@code dataset}/{@code model}), id {@code ns/name}, files and head commit per revision. */
    static final class Repo {
        final String type;
        final String namespace;
        final String name;
        final Map<String, TreeMap<String, byte[]>> files = new LinkedHashMap<>();
        final Map<String, String> heads = new LinkedHashMap<>();

        Repo(String type, String namespace, String name) {
            this.type = type;
            this.namespace = namespace;
            this.name = name;
        }

        String id() {
            return namespace + "/" + name;
        }
    }

    /** One file operation of a commit. {@code content} null means delete ({@code folder} true: a whole folder). */
    public record FileOp(String path, byte[] content, boolean folder) {}

    private final EmulatorContext ctx;
    private final Map<String, ObjectNode> namespaces = new LinkedHashMap<>();
    private final Map<String, Repo> repos = new LinkedHashMap<>();

    public DataStore(EmulatorContext ctx) {
        this.ctx = ctx;
    }

    /** {@code dataset}/{@code datasets} and {@code model}/{@code models} name the same repo type. */
    public static String normaliseType(String type) {
        if (type == null || type.isBlank() || type.startsWith("model")) {
            return "model";
        }
        if (type.startsWith("dataset")) {
            return "dataset";
        }
        if (type.startsWith("space")) {
            return "space";
        }
        throw ApiException.badRequest("Invalid repo type " + type);
    }

    private static String repoKey(String type, String ns, String name) {
        return normaliseType(type) + ":" + ns + "/" + name;
    }

    // ---- NDS namespaces ----

    public synchronized ObjectNode createNamespace(String ns) {
        if (ns == null || ns.isBlank()) {
            throw ApiException.unprocessable(List.of("body", "namespace"), "Field required", "missing");
        }
        if (namespaces.containsKey(ns)) {
            throw ApiException.conflict("namespace " + ns + " already exists");
        }
        String now = Timestamps.nowZ();
        ObjectNode n = Json.obj().put("namespace", ns).put("created_at", now).put("updated_at", now);
        namespaces.put(ns, n);
        ctx.ledger().created("datastore_namespace", ns, ns);
        return n.deepCopy();
    }

    /** Used for namespaces the platform itself owns (e.g. {@code evaluation-results}). */
    public synchronized void ensureNamespace(String ns) {
        if (!namespaces.containsKey(ns)) {
            String now = Timestamps.nowZ();
            namespaces.put(ns, Json.obj().put("namespace", ns).put("created_at", now).put("updated_at", now));
        }
    }

    public synchronized ObjectNode namespace(String ns) {
        ObjectNode n = namespaces.get(ns);
        if (n == null) {
            throw ApiException.notFound("namespace " + ns + " not found");
        }
        return n.deepCopy();
    }

    public synchronized List<ObjectNode> namespaces() {
        List<ObjectNode> out = new ArrayList<>();
        namespaces.values().forEach(n -> out.add(n.deepCopy()));
        return out;
    }

    public synchronized void deleteNamespace(String ns) {
        if (namespaces.remove(ns) == null) {
            throw ApiException.notFound("namespace " + ns + " not found");
        }
        repos.values().removeIf(r -> r.namespace.equals(ns));
        ctx.ledger().deleted("datastore_namespace", ns);
    }

    // ---- repos ----

    public synchronized void createRepo(String type, String ns, String name, boolean recordInLedger) {
        if (ns == null || name == null || name.isBlank()) {
            throw ApiException.unprocessable(List.of("body", "name"), "Field required", "missing");
        }
        if (!namespaces.containsKey(ns)) {
            throw ApiException.notFound("namespace " + ns + " not found");
        }
        String key = repoKey(type, ns, name);
        if (repos.containsKey(key)) {
            throw ApiException.conflict("repository " + ns + "/" + name + " already exists");
        }
        Repo repo = new Repo(normaliseType(type), ns, name);
        repo.files.put("main", new TreeMap<>());
        repo.heads.put("main", ctx.ids().sha1Hex());
        repos.put(key, repo);
        if (recordInLedger) {
            ctx.ledger().created("datastore_repo", key, key);
        }
    }

    public synchronized void deleteRepo(String type, String ns, String name) {
        String key = repoKey(type, ns, name);
        if (repos.remove(key) == null) {
            throw ApiException.notFound("repository " + ns + "/" + name + " not found");
        }
        ctx.ledger().deleted("datastore_repo", key);
    }

    public synchronized boolean hasRepo(String type, String ns, String name) {
        return repos.containsKey(repoKey(type, ns, name));
    }

    private Repo repo(String type, String ns, String name) {
        Repo r = repos.get(repoKey(type, ns, name));
        if (r == null) {
            throw ApiException.notFound("Repository " + ns + "/" + name + " not found");
        }
        return r;
    }

    /** Applies a commit and returns the new head commit id. Unknown revisions are created (branches). */
    public String commit(String type, String ns, String name, String revision, List<FileOp> ops) {
        List<String> texts = new ArrayList<>();
        String head;
        synchronized (this) {
            Repo r = repo(type, ns, name);
            TreeMap<String, byte[]> files = r.files.computeIfAbsent(revision,
                    rev -> new TreeMap<>(r.files.getOrDefault("main", new TreeMap<>())));
            for (FileOp op : ops) {
                String path = stripSlashes(op.path());
                if (op.content() != null) {
                    files.put(path, op.content());
                    if (path.endsWith(".jsonl") || path.endsWith(".json")) {
                        texts.add(new String(op.content(), StandardCharsets.UTF_8));
                    }
                } else if (op.folder()) {
                    String prefix = path.endsWith("/") ? path : path + "/";
                    files.keySet().removeIf(p -> p.startsWith(prefix));
                } else {
                    files.remove(path);
                }
            }
            head = ctx.ids().sha1Hex();
            r.heads.put(revision, head);
        }
        texts.forEach(t -> ctx.oracle().learnFromFile(t)); // outside the lock: parsing may take a while
        return head;
    }

    public synchronized String head(String type, String ns, String name, String revision) {
        Repo r = repo(type, ns, name);
        String h = r.heads.get(revision);
        if (h == null) {
            throw ApiException.notFound("Revision " + revision + " not found in " + r.id());
        }
        return h;
    }

    /** Files of a revision (path → bytes), sorted by path. */
    public synchronized TreeMap<String, byte[]> files(String type, String ns, String name, String revision) {
        Repo r = repo(type, ns, name);
        TreeMap<String, byte[]> f = r.files.get(revision);
        if (f == null) {
            throw ApiException.notFound("Revision " + revision + " not found in " + r.id());
        }
        return new TreeMap<>(f);
    }

    public Optional<byte[]> file(String type, String ns, String name, String revision, String path) {
        return Optional.ofNullable(files(type, ns, name, revision).get(stripSlashes(path)));
    }

    /**
     * Resolves {@code hf://datasets/ns/name[/path]} (a file, or a folder when the path is empty or ends with
     * {@code /}) to its files on {@code main}; {@code hf://ns/name@rev} addresses a model repo revision.
     */
    public TreeMap<String, byte[]> resolve(String filesUrl) {
        if (filesUrl == null || !filesUrl.startsWith("hf://")) {
            throw ApiException.badRequest("Unsupported files_url " + filesUrl + " (expected hf://...)");
        }
        String rest = filesUrl.substring(5);
        String type = "model";
        if (rest.startsWith("datasets/")) {
            type = "dataset";
            rest = rest.substring(9);
        } else if (rest.startsWith("models/")) {
            rest = rest.substring(7);
        }
        String[] parts = rest.split("/", 3);
        if (parts.length < 2) {
            throw ApiException.badRequest("Invalid files_url " + filesUrl);
        }
        String name = parts[1];
        String revision = "main";
        if (name.contains("@")) {
            revision = name.substring(name.indexOf('@') + 1);
            name = name.substring(0, name.indexOf('@'));
        }
        String path = parts.length == 3 ? parts[2] : "";
        TreeMap<String, byte[]> all = files(type, parts[0], name, revision);
        if (path.isEmpty() || path.endsWith("/")) {
            TreeMap<String, byte[]> out = new TreeMap<>();
            all.forEach((p, b) -> {
                if (p.startsWith(path)) {
                    out.put(p, b);
                }
            });
            return out;
        }
        byte[] one = all.get(path);
        if (one == null) {
            throw ApiException.notFound("File " + path + " not found in " + parts[0] + "/" + name);
        }
        TreeMap<String, byte[]> out = new TreeMap<>();
        out.put(path, one);
        return out;
    }

    private static String stripSlashes(String p) {
        String s = p == null ? "" : p;
        while (s.startsWith("/")) {
            s = s.substring(1);
        }
        return s;
    }
}
