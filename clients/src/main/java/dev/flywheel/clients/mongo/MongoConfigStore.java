package dev.flywheel.clients.mongo;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.NamedConfig;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.core.job.ConfigRef;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.core.store.ConfigStore;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.bson.Document;
import org.bson.conversions.Bson;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Named configurations in the collection {@code configs}, one immutable document per version:
 * {@code _id = "name@version"}. A new version is the newest plus one; two writers racing for the same
 * number are told apart by the unique {@code _id}, and the loser retries with the next number.
 */
public final class MongoConfigStore implements ConfigStore {

    private static final int SCHEMA_VERSION = 1;
    private static final int MAX_PUT_ATTEMPTS = 16;

    private final MongoCollection<Document> configs;

    MongoConfigStore(MongoDatabase database) {
        this.configs = database.getCollection("configs");
    }

    CompletableFuture<Void> createIndexes() {
        return Mono.from(configs.createIndex(Indexes.compoundIndex(Indexes.ascending("name"), Indexes.descending("version")),
                new IndexOptions().unique(true).name("name_version_unique"))).then().toFuture();
    }

    @Override
    public CompletableFuture<NamedConfig> put(String name, JobConfig config, String description) {
        return putAttempt(name, config, description, 1).toFuture();
    }

    private Mono<NamedConfig> putAttempt(String name, JobConfig config, String description, int attempt) {
        String hash = JobConfigs.contentHash(config);
        return newest(name)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(latest -> {
                    if (latest.isPresent() && latest.get().getContentHash().equals(hash)
                            && latest.get().getDescription().equals(description)) {
                        return Mono.just(latest.get()); // same content: no new version
                    }
                    long version = latest.map(c -> c.getVersion() + 1).orElse(1L);
                    Instant now = Instant.now();
                    Document doc = new Document("_id", name + "@" + version)
                            .append("name", name)
                            .append("version", version)
                            .append("description", description)
                            .append("content_hash", hash)
                            .append("config", ProtoDocuments.toDocument(config))
                            .append("created_at", Date.from(now))
                            .append("in_use", false)
                            .append("schema_version", SCHEMA_VERSION);
                    return Mono.from(configs.insertOne(doc)).thenReturn(fromDocument(doc))
                            .onErrorResume(e -> isDuplicateKey(e) && attempt < MAX_PUT_ATTEMPTS,
                                    e -> putAttempt(name, config, description, attempt + 1));
                });
    }

    private Mono<NamedConfig> newest(String name) {
        return Mono.from(configs.find(Filters.eq("name", name)).sort(Sorts.descending("version")).first())
                .map(MongoConfigStore::fromDocument);
    }

    @Override
    public CompletableFuture<Optional<NamedConfig>> get(ConfigRef ref) {
        Mono<NamedConfig> found = ref.isLatest() ? newest(ref.name())
                : Mono.from(configs.find(Filters.eq("_id", ref.name() + "@" + ref.version())).first())
                        .map(MongoConfigStore::fromDocument);
        return found.map(Optional::of).defaultIfEmpty(Optional.empty()).toFuture();
    }

    @Override
    public CompletableFuture<Page> list(String name, int pageSize, String pageToken) {
        // The page token is the ref ("name@version") of the previous page's last configuration.
        ConfigRef after = pageToken.isEmpty() ? null : ConfigRef.parse("page_token", pageToken);
        Flux<Document> docs;
        if (!name.isEmpty()) {
            // Every version of one name, oldest first (by number: @10 after @9).
            Bson filter = after == null ? Filters.eq("name", name)
                    : Filters.and(Filters.eq("name", name), Filters.gt("version", after.version()));
            docs = Flux.from(configs.find(filter).sort(Sorts.ascending("version")).limit(pageSize + 1));
        } else {
            // The newest version of every name, by name. A plain sorted find rather than a $group aggregation:
            // the cursor stops after the page, and it behaves the same on MongoDB and the test stand-in (whose
            // $$ROOT grouping chokes on string values that start with '$').
            Bson filter = after == null ? new Document() : Filters.gt("name", after.name());
            docs = Flux.from(configs.find(filter).sort(Sorts.orderBy(Sorts.ascending("name"), Sorts.descending("version"))))
                    .distinctUntilChanged(d -> d.getString("name"))
                    .take(pageSize + 1L);
        }
        return docs.collectList().map(list -> {
            boolean more = list.size() > pageSize;
            List<Document> page = more ? list.subList(0, pageSize) : list;
            String next = more ? page.get(page.size() - 1).getString("_id") : "";
            return new Page(page.stream().map(MongoConfigStore::fromDocument).toList(), next);
        }).toFuture();
    }

    @Override
    public CompletableFuture<Boolean> markInUse(String name, long version) {
        return Mono.from(configs.updateOne(Filters.eq("_id", name + "@" + version), Updates.set("in_use", true)))
                .map(r -> r.getMatchedCount() == 1)
                .toFuture();
    }

    @Override
    public CompletableFuture<List<String>> delete(ConfigRef ref) {
        Bson scope = ref.isLatest() ? Filters.eq("name", ref.name()) : Filters.eq("_id", ref.name() + "@" + ref.version());
        return Flux.from(configs.find(scope).sort(Sorts.ascending("version"))).collectList().flatMap(found -> {
            if (found.isEmpty()) {
                return Mono.error(FlywheelException.notFound("configuration " + ref + " not found"));
            }
            List<String> used = found.stream().filter(d -> d.getBoolean("in_use", false)).map(d -> d.getString("_id")).toList();
            if (!used.isEmpty()) {
                return Mono.error(FlywheelException.failedPrecondition(
                        "configuration " + String.join(", ", used) + " was used by a job and cannot be deleted"));
            }
            // Guarded by in_use=false, so a version that a job starts using meanwhile stays.
            return Mono.from(configs.deleteMany(Filters.and(scope, Filters.eq("in_use", false))))
                    .thenReturn(found.stream().map(d -> d.getString("_id")).toList());
        }).toFuture();
    }

    private static NamedConfig fromDocument(Document doc) {
        Document config = doc.get("config", Document.class);
        return NamedConfig.newBuilder()
                .setName(doc.getString("name"))
                .setVersion(((Number) doc.get("version")).longValue())
                .setRef(doc.getString("_id"))
                .setDescription(doc.getString("description") == null ? "" : doc.getString("description"))
                .setConfig(config == null ? JobConfig.getDefaultInstance()
                        : ProtoDocuments.fromDocument(config, JobConfig.newBuilder()).build())
                .setContentHash(doc.getString("content_hash"))
                .setCreatedAt(Jobs.ts(doc.getDate("created_at").toInstant()))
                .setInUse(doc.getBoolean("in_use", false))
                .build();
    }

    private static boolean isDuplicateKey(Throwable e) {
        return e instanceof MongoWriteException w && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
    }
}
