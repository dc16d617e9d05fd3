package dev.flywheel.emulator.datastore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import dev.flywheel.emulator.http.ApiException;
import dev.flywheel.emulator.http.Call;
import dev.flywheel.emulator.http.Json;
import dev.flywheel.emulator.http.ListEnvelope;
import dev.flywheel.emulator.http.Reply;
import dev.flywheel.emulator.http.Routes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * HTTP surface of the Data Store host (nemo-api.md §3): NDS namespaces under {@code /v1/datastore} (form-encoded
 * create answering 201, and a GET that also answers 201, sic) and the Hugging Face-compatible API under
 * {@code /v1/hf} as huggingface_hub 0.30.2 calls it: create/delete repo, preupload (always {@code regular}),
 * repo info, ndjson commit, tree listing and resolve (GET/HEAD with X-Repo-Commit and ETag).
 */
public final class DataStoreApi {
    private static final String REPO = "/v1/hf/api/{rt}/{ns}/{name}";
    private final DataStore store;

    public DataStoreApi(DataStore store) {
        this.store = store;
    }

    public void register(Routes r) {
        r.get("/v1/health", c -> Reply.ok(Json.obj().put("status", "healthy")));

        r.post("/v1/datastore/namespaces", c -> {
            String ns = formOrJson(c, "namespace");
            return Reply.json(HttpStatus.CREATED, store.createNamespace(ns));
        });
        r.get("/v1/datastore/namespaces", c -> Reply.ok(ListEnvelope.of(store.namespaces(), c.query())));
        r.get("/v1/datastore/namespaces/{ns}", c -> Reply.json(HttpStatus.CREATED, store.namespace(c.path("ns"))));
        r.delete("/v1/datastore/namespaces/{ns}", c -> {
            store.deleteNamespace(c.path("ns"));
            return Reply.ok(Json.obj().put("message", "namespace " + c.path("ns") + " deleted"));
        });

        r.post("/v1/hf/api/repos/create", this::createRepo);
        r.delete("/v1/hf/api/repos/delete", c -> {
            String[] id = repoId(c.json());
            store.deleteRepo(id[2], id[0], id[1]);
            return Reply.ok(Json.obj());
        });
        r.post(REPO + "/preupload/{rev}", this::preupload);
        r.get(REPO, c -> info(c, "main"));
        r.get(REPO + "/revision/{rev}", c -> info(c, c.path("rev")));
        r.post(REPO + "/commit/{rev}", this::commit);
        r.get("regex:^/v1/hf/api/(?<rt>datasets|models|spaces)/(?<ns>[^/]+)/(?<name>[^/]+)/tree/(?<rev>[^/]+)"
                + "(?:/(?<path>.*))?$", this::tree);
        String resolve = "regex:^/v1/hf/(?:(?<rt>datasets|spaces)/)?(?<ns>[^/]+)/(?<name>[^/]+)/resolve/(?<rev>[^/]+)"
                + "/(?<path>.+)$";
        r.get(resolve, c -> resolve(c, false));
        r.add(HttpMethod.HEAD, resolve, c -> resolve(c, true));
    }

    private static String formOrJson(Call c, String field) {
        String ct = c.header("content-type");
        if (ct != null && ct.contains("json")) {
            return Json.text(c.json(), field);
        }
        return c.form().get(field);
    }

    /** {@code {"name", "organization", "type"}}; HF also accepts {@code name} as {@code org/name}. */
    private static String[] repoId(ObjectNode body) {
        String name = Json.text(body, "name");
        String org = Json.text(body, "organization");
        if (name == null) {
            throw ApiException.missing("name");
        }
        if (org == null && name.contains("/")) {
            org = name.substring(0, name.indexOf('/'));
            name = name.substring(name.indexOf('/') + 1);
        }
        if (org == null) {
            throw ApiException.missing("organization");
        }
        return new String[] {org, name, DataStore.normaliseType(Json.text(body, "type"))};
    }

    private Reply createRepo(Call c) {
        String[] id = repoId(c.json());
        store.createRepo(id[2], id[0], id[1], true);
        String prefix = id[2].equals("dataset") ? "datasets/" : id[2].equals("space") ? "spaces/" : "";
        return Reply.ok(Json.obj().put("url", prefix + id[0] + "/" + id[1]));
    }

    private Reply preupload(Call c) {
        ObjectNode body = c.json();
        store.head(c.path("rt"), c.path("ns"), c.path("name"), "main"); // 404 for unknown repos
        ObjectNode out = Json.obj();
        ArrayNode files = out.putArray("files");
        for (JsonNode f : body.path("files")) {
            // Small JSONL is all Flywheel uploads; "regular" keeps the whole upload inside the commit call.
            files.addObject().put("path", f.path("path").asText()).put("uploadMode", "regular")
                    .put("shouldIgnore", false).putNull("oid");
        }
        return Reply.ok(out);
    }

    private Reply info(Call c, String rev) {
        String rt = c.path("rt");
        String ns = c.path("ns");
        String name = c.path("name");
        String sha = store.head(rt, ns, name, rev);
        ObjectNode out = Json.obj();
        out.put("id", ns + "/" + name);
        out.put("sha", sha);
        out.put("private", false);
        out.put("xetEnabled", false);
        ArrayNode siblings = out.putArray("siblings");
        store.files(rt, ns, name, rev).keySet().forEach(p -> siblings.addObject().put("rfilename", p));
        return Reply.ok(out);
    }

    private Reply commit(Call c) {
        String rt = c.path("rt");
        List<DataStore.FileOp> ops = new ArrayList<>();
        int lineNo = 0;
        for (String line : c.text().split("\n")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode op = Json.parse(line);
            String key = Json.text(op, "key");
            JsonNode v = op.path("value");
            switch (key == null ? "" : key) {
                case "header" -> { }
                case "file" -> {
                    String enc = v.path("encoding").asText("base64");
                    String content = v.path("content").asText("");
                    byte[] bytes = enc.equals("base64") ? Base64.getDecoder().decode(content)
                            : content.getBytes(StandardCharsets.UTF_8);
                    ops.add(new DataStore.FileOp(v.path("path").asText(), bytes, false));
                }
                case "deletedFile" -> ops.add(new DataStore.FileOp(v.path("path").asText(), null, false));
                case "deletedFolder" -> ops.add(new DataStore.FileOp(v.path("path").asText(), null, true));
                case "lfsFile" -> throw ApiException.unprocessable(List.of("body", lineNo),
                        "LFS uploads are not supported by the emulator; preupload always answers 'regular'",
                        "value_error");
                default -> throw ApiException.unprocessable(List.of("body", lineNo), "Unknown commit key " + key,
                        "value_error");
            }
        }
        String oid = store.commit(rt, c.path("ns"), c.path("name"), c.path("rev"), ops);
        return Reply.ok(Json.obj().put("commitUrl", "").put("commitOid", oid));
    }

    private Reply tree(Call c) {
        String rt = c.path("rt");
        String prefix = c.path("path");
        boolean recursive = "true".equalsIgnoreCase(c.query().get("recursive"));
        TreeMap<String, byte[]> files = store.files(rt, c.path("ns"), c.path("name"), c.path("rev"));
        String base = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
        ArrayNode out = Json.arr();
        TreeSet<String> dirs = new TreeSet<>();
        files.forEach((p, b) -> {
            if (!p.startsWith(base)) {
                return;
            }
            String rest = p.substring(base.length());
            int slash = rest.indexOf('/');
            if (slash >= 0) {
                // Every directory on the way is listed once; non-recursive listings stop at the first level.
                String[] segs = rest.split("/");
                StringBuilder d = new StringBuilder(base);
                for (int i = 0; i < segs.length - 1 && (recursive || i == 0); i++) {
                    d.append(i == 0 ? "" : "/").append(segs[i]);
                    dirs.add(d.toString());
                }
                if (!recursive) {
                    return;
                }
            }
            out.addObject().put("type", "file").put("path", p).put("size", b.length).put("oid", sha1(b));
        });
        dirs.forEach(d -> out.addObject().put("type", "directory").put("path", d).put("oid", sha1(d.getBytes())));
        return Reply.ok(out);
    }

    private Reply resolve(Call c, boolean head) {
        String rt = c.path("rt").isEmpty() ? "model" : c.path("rt");
        String ns = c.path("ns");
        String name = c.path("name");
        String rev = c.path("rev");
        byte[] bytes = store.file(rt, ns, name, rev, c.path("path"))
                .orElseThrow(() -> ApiException.notFound("Entry not found: " + c.path("path")));
        MediaType type = c.path("path").endsWith(".json") ? MediaType.JSON_UTF_8 : MediaType.OCTET_STREAM;
        Reply reply = head ? Reply.head(HttpStatus.OK, type, bytes) : Reply.bytes(HttpStatus.OK, type, bytes);
        return reply.header("x-repo-commit", store.head(rt, ns, name, rev)).header("etag", "\"" + sha1(bytes) + "\"");
    }

    static String sha1(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
