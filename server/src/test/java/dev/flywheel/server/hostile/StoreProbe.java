package dev.flywheel.server.hostile;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads the server's MongoDB database directly (not through the API under test): how many job and configuration
 * documents there are, which, and whether any document carries a key that MongoDB would read as an operator.
 */
final class StoreProbe implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final MongoClient client;
    private final MongoDatabase db;

    StoreProbe(String uri, String database) {
        client = MongoClients.create(uri);
        db = client.getDatabase(database);
    }

    record Counts(long jobs, long configs) {}

    Counts counts() {
        return new Counts(count("jobs"), count("configs"));
    }

    private long count(String collection) {
        return Mono.from(db.getCollection(collection).countDocuments()).block(TIMEOUT);
    }

    Set<String> jobIds() {
        return new HashSet<>(Flux.from(db.getCollection("jobs").find().projection(new Document("_id", 1)))
                .map(d -> d.getObjectId("_id").toHexString()).collectList().block(TIMEOUT));
    }

    /** Configuration documents are keyed {@code name@version}. */
    Set<String> configIds() {
        return new HashSet<>(Flux.from(db.getCollection("configs").find().projection(new Document("_id", 1)))
                .map(d -> String.valueOf(d.get("_id"))).collectList().block(TIMEOUT));
    }

    Document job(String id) {
        return Mono.from(db.getCollection("jobs").find(new Document("_id", new ObjectId(id))).first()).block(TIMEOUT);
    }

    Document config(String id) {
        return Mono.from(db.getCollection("configs").find(new Document("_id", id)).first()).block(TIMEOUT);
    }

    List<String> collections() {
        return Flux.from(db.listCollectionNames()).collectList().block(TIMEOUT);
    }

    /** Keys anywhere in the document that start with '$' (an operator where a value was meant) or hold a NUL. */
    static List<String> suspiciousKeys(Object value, String path) {
        List<String> out = new ArrayList<>();
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                if (key.startsWith("$") || key.indexOf('\0') >= 0) {
                    out.add(path + key);
                }
                out.addAll(suspiciousKeys(e.getValue(), path + key + "."));
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                out.addAll(suspiciousKeys(list.get(i), path + i + "."));
            }
        }
        return out;
    }

    @Override
    public void close() {
        client.close();
    }
}
