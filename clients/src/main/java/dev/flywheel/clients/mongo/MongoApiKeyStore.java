package dev.flywheel.clients.mongo;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.flywheel.core.auth.Role;
import dev.flywheel.core.store.ApiKeyStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.bson.Document;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * API keys in the {@code api_keys} collection, one document per key, {@code _id} = the key id. The secret is never
 * stored: only its salt and SHA-256 hash.
 */
public final class MongoApiKeyStore implements ApiKeyStore {

    static final int SCHEMA_VERSION = 1;
    private final MongoCollection<Document> keys;

    MongoApiKeyStore(MongoDatabase database) {
        this.keys = database.getCollection("api_keys");
    }

    @Override
    public CompletableFuture<Void> insert(StoredKey key) {
        Document doc = new Document("_id", key.id())
                .append("schema", SCHEMA_VERSION)
                .append("name", key.name())
                .append("role", key.role().wire())
                .append("client_ids", new ArrayList<>(key.clientIds()))
                .append("salt", key.salt())
                .append("hash", key.hash())
                .append("created_at", Date.from(key.createdAt()))
                .append("expires_at", Date.from(key.expiresAt()));
        return Mono.from(keys.insertOne(doc)).then().toFuture();
    }

    @Override
    public CompletableFuture<Optional<StoredKey>> get(String id) {
        return Mono.from(keys.find(Filters.eq("_id", id)).first()).map(MongoApiKeyStore::fromDocument)
                .map(Optional::of).defaultIfEmpty(Optional.empty()).toFuture();
    }

    @Override
    public CompletableFuture<List<StoredKey>> list() {
        return Flux.from(keys.find().sort(Sorts.descending("created_at"))).map(MongoApiKeyStore::fromDocument).collectList().toFuture();
    }

    @Override
    public CompletableFuture<Optional<StoredKey>> revoke(String id, Instant at) {
        // Only the first revocation sets the time; revoking again answers the key as it is.
        return Mono.from(keys.findOneAndUpdate(Filters.and(Filters.eq("_id", id), Filters.eq("revoked_at", null)),
                        Updates.set("revoked_at", Date.from(at)), new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
                .map(MongoApiKeyStore::fromDocument).map(Optional::of)
                .switchIfEmpty(Mono.defer(() -> Mono.fromFuture(get(id))))
                .toFuture();
    }

    @Override
    public CompletableFuture<Boolean> hasActiveAdmin(Instant now) {
        return Mono.from(keys.find(Filters.and(Filters.eq("role", Role.ADMIN.wire()), Filters.eq("revoked_at", null),
                Filters.gt("expires_at", Date.from(now)))).first()).hasElement().toFuture();
    }

    private static StoredKey fromDocument(Document d) {
        Date revoked = d.getDate("revoked_at");
        return new StoredKey(d.getString("_id"), d.getString("name"),
                Role.parse(d.getString("role")).orElse(Role.CLIENT), // an unknown role gets the least power
                new HashSet<>(d.getList("client_ids", String.class, List.of())), d.getString("salt"), d.getString("hash"),
                d.getDate("created_at").toInstant(), d.getDate("expires_at").toInstant(),
                revoked == null ? null : revoked.toInstant());
    }
}
