package dev.flywheel.clients.mongo;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import com.mongodb.client.model.changestream.FullDocument;
import com.mongodb.client.model.changestream.OperationType;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.flywheel.api.v1.Job;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.core.job.JobStatus;
import dev.flywheel.core.store.JobStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Jobs in the MongoDB collection {@code jobs}: one document per job, shaped like the API's JSON, plus
 * {@code _id} (ObjectId), {@code schema_version} and the create request's fingerprint. Writes use the
 * database's write concern (majority, see {@link MongoStores}); changes are single-document compare-and-set
 * on {@code version}, never transactions, so the code runs the same on MongoDB and on the wire-protocol
 * stand-in used in tests.
 */
public final class MongoJobStore implements JobStore {

    private static final Logger log = LoggerFactory.getLogger(MongoJobStore.class);

    /** Bump when the stored shape changes in a way that needs a migration. */
    static final int SCHEMA_VERSION = 1;

    private final MongoDatabase database;
    private final MongoCollection<Document> jobs;
    private final Map<String, List<Consumer<Optional<Job>>>> watchers = new ConcurrentHashMap<>();
    private volatile Disposable changeFeed;

    MongoJobStore(MongoDatabase database) {
        this.database = database;
        this.jobs = database.getCollection("jobs");
    }

    /** Creates the indexes: idempotency key, and one per list filter (each sorted newest first). */
    CompletableFuture<Void> createIndexes() {
        return Flux.concat(
                jobs.createIndex(Indexes.ascending("client_id", "request_id"),
                        new IndexOptions().unique(true).name("client_request_unique")),
                jobs.createIndex(Indexes.compoundIndex(Indexes.ascending("client_id"), Indexes.descending("_id")),
                        new IndexOptions().name("by_client")),
                jobs.createIndex(Indexes.compoundIndex(Indexes.ascending("workload_id"), Indexes.descending("_id")),
                        new IndexOptions().name("by_workload")),
                jobs.createIndex(Indexes.compoundIndex(Indexes.ascending("status"), Indexes.descending("_id")),
                        new IndexOptions().name("by_status")))
                .then().toFuture();
    }

    @Override
    public String newId() {
        return new ObjectId().toHexString();
    }

    @Override
    public boolean isValidId(String id) {
        return id != null && id.length() == 24 && ObjectId.isValid(id);
    }

    @Override
    public CompletableFuture<Created> create(Job job, String requestFingerprint) {
        Document doc = toDocument(job).append("request_fingerprint", requestFingerprint);
        return Mono.from(jobs.insertOne(doc))
                .map(ok -> new Created(job, true))
                .onErrorResume(MongoJobStore::isDuplicateKey, duplicate -> existing(job, requestFingerprint))
                .toFuture();
    }

    /** The job that won the race for this request_id, if it was asked for with the same payload. */
    private Mono<Created> existing(Job attempted, String fingerprint) {
        Bson key = Filters.and(Filters.eq("client_id", attempted.getClientId()),
                Filters.eq("request_id", attempted.getRequestId()));
        return Mono.from(jobs.find(key).first())
                .switchIfEmpty(Mono.error(() -> new FlywheelException(FlywheelException.Kind.ABORTED,
                        "request_id " + attempted.getRequestId() + " was in use but its job is gone; retry")))
                .map(doc -> {
                    if (!fingerprint.equals(doc.getString("request_fingerprint"))) {
                        throw FlywheelException.alreadyExists("request_id '" + attempted.getRequestId()
                                + "' was already used by client '" + attempted.getClientId()
                                + "' for a different request (job " + doc.getObjectId("_id").toHexString() + ")");
                    }
                    return new Created(fromDocument(doc), false);
                });
    }

    @Override
    public CompletableFuture<Optional<Job>> get(String id) {
        if (!isValidId(id)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return Mono.from(jobs.find(Filters.eq("_id", new ObjectId(id))).first())
                .map(doc -> Optional.of(fromDocument(doc)))
                .defaultIfEmpty(Optional.empty())
                .toFuture();
    }

    @Override
    public CompletableFuture<Page> list(Filter filter, int pageSize, String pageToken) {
        List<Bson> conditions = new ArrayList<>();
        if (!filter.clientId().isEmpty()) {
            conditions.add(Filters.eq("client_id", filter.clientId()));
        }
        if (filter.allowedClients() != null) {
            conditions.add(Filters.in("client_id", filter.allowedClients()));
        }
        if (!filter.workloadId().isEmpty()) {
            conditions.add(Filters.eq("workload_id", filter.workloadId()));
        }
        if (!filter.status().isEmpty()) {
            conditions.add(Filters.eq("status", filter.status()));
        }
        if (!pageToken.isEmpty()) {
            conditions.add(Filters.lt("_id", decodePageToken(pageToken)));
        }
        Bson query = conditions.isEmpty() ? new Document() : Filters.and(conditions);
        // One extra document tells whether another page follows.
        return Flux.from(jobs.find(query).sort(Sorts.descending("_id")).limit(pageSize + 1))
                .collectList()
                .map(docs -> {
                    boolean more = docs.size() > pageSize;
                    List<Document> page = more ? docs.subList(0, pageSize) : docs;
                    List<Job> result = page.stream().map(MongoJobStore::fromDocument).toList();
                    String next = more ? encodePageToken(page.get(page.size() - 1).getObjectId("_id")) : "";
                    return new Page(result, next);
                })
                .toFuture();
    }

    @Override
    public CompletableFuture<Void> forEachActive(Consumer<Job> each) {
        Bson active = Filters.in("status", JobStatus.PENDING.wire(), JobStatus.RUNNING.wire(), JobStatus.CANCELLING.wire());
        return Flux.from(jobs.find(active).sort(Sorts.ascending("_id")).batchSize(500))
                .doOnNext(doc -> each.accept(fromDocument(doc)))
                .then()
                .toFuture();
    }

    @Override
    public CompletableFuture<Boolean> compareAndSet(Job next) {
        Bson expected = Filters.and(Filters.eq("_id", new ObjectId(next.getId())),
                Filters.eq("version", next.getVersion() - 1));
        // The fingerprint is not part of the Job message; carry it over from the stored document.
        return Mono.from(jobs.find(expected).projection(new Document("request_fingerprint", 1)).first())
                .flatMap(stored -> Mono.from(jobs.replaceOne(expected,
                        toDocument(next).append("request_fingerprint", stored.getString("request_fingerprint")))))
                .map(result -> result.getModifiedCount() == 1 || result.getMatchedCount() == 1)
                .defaultIfEmpty(false)
                .toFuture();
    }

    @Override
    public CompletableFuture<Boolean> delete(String id) {
        if (!isValidId(id)) {
            return CompletableFuture.completedFuture(false);
        }
        return Mono.from(jobs.deleteOne(Filters.eq("_id", new ObjectId(id))))
                .map(result -> result.getDeletedCount() == 1)
                .toFuture();
    }

    @Override
    public AutoCloseable watch(String id, Consumer<Optional<Job>> onChange) {
        ensureChangeFeed();
        watchers.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(onChange);
        return () -> watchers.computeIfPresent(id, (k, list) -> {
            list.remove(onChange);
            return list.isEmpty() ? null : list;
        });
    }

    /**
     * One change stream for the whole collection, shared by every watcher of this process. Watchers are
     * views (promise P9): a client that reconnects re-reads the stored job, so a gap while the stream
     * restarts loses nothing.
     */
    private synchronized void ensureChangeFeed() {
        if (changeFeed != null) {
            return;
        }
        changeFeed = Flux.defer(() -> Flux.from(jobs.watch().fullDocument(FullDocument.UPDATE_LOOKUP)))
                .doOnError(e -> log.warn("job change stream failed, restarting: {}", e.toString()))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5)))
                .subscribe(this::dispatch);
    }

    private void dispatch(ChangeStreamDocument<Document> change) {
        if (change.getDocumentKey() == null || !change.getDocumentKey().containsKey("_id")) {
            return;
        }
        String id = change.getDocumentKey().getObjectId("_id").getValue().toHexString();
        List<Consumer<Optional<Job>>> listeners = watchers.get(id);
        if (listeners == null) {
            return;
        }
        Optional<Job> job = change.getOperationType() == OperationType.DELETE || change.getFullDocument() == null
                ? Optional.empty() : Optional.of(fromDocument(change.getFullDocument()));
        for (Consumer<Optional<Job>> listener : listeners) {
            try {
                listener.accept(job);
            } catch (RuntimeException e) {
                log.warn("job watcher failed for job {}", id, e);
            }
        }
    }

    @Override
    public CompletableFuture<Void> ping() {
        return Mono.from(database.runCommand(new Document("ping", 1))).then().toFuture();
    }

    void close() {
        Disposable feed = changeFeed;
        if (feed != null) {
            feed.dispose();
        }
    }

    private static Document toDocument(Job job) {
        Document doc = ProtoDocuments.toDocument(job.toBuilder().clearId().build());
        doc.put("_id", new ObjectId(job.getId()));
        doc.put("version", job.getVersion()); // a number, not proto JSON's int64 string, so CAS compares numbers
        doc.put("schema_version", SCHEMA_VERSION);
        return doc;
    }

    private static Job fromDocument(Document doc) {
        Document copy = new Document(doc);
        ObjectId id = (ObjectId) copy.remove("_id");
        copy.remove("schema_version");
        copy.remove("request_fingerprint");
        return ProtoDocuments.fromDocument(copy, Job.newBuilder()).setId(id.toHexString()).build();
    }

    private static boolean isDuplicateKey(Throwable e) {
        return e instanceof MongoWriteException w && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
    }

    private static String encodePageToken(ObjectId last) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(last.toByteArray());
    }

    private static ObjectId decodePageToken(String token) {
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(token);
            if (bytes.length != 12) {
                throw new IllegalArgumentException("wrong length");
            }
            return new ObjectId(bytes);
        } catch (IllegalArgumentException e) {
            throw FlywheelException.invalid("page_token", "is not a token from a previous page");
        }
    }
}
