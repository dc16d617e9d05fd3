package dev.flywheel.clients.mongo;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.WriteConcern;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Opens the Flywheel database and its collections. Writes are acknowledged by a majority (what "durable"
 * means in {@code CreateJob}); reads and writes fail fast when the server is away instead of queueing.
 */
public final class MongoStores implements AutoCloseable {

    private final MongoClient client;
    private final MongoJobStore jobs;
    private final MongoConfigStore configs;
    private final MongoApiKeyStore apiKeys;

    private MongoStores(MongoClient client, MongoDatabase database) {
        this.client = client;
        this.jobs = new MongoJobStore(database);
        this.configs = new MongoConfigStore(database);
        this.apiKeys = new MongoApiKeyStore(database);
    }

    /** Connects and creates the indexes; completes when the database is ready for use. */
    public static CompletableFuture<MongoStores> open(String uri, String databaseName) {
        MongoClientSettings settings = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(uri))
                .writeConcern(WriteConcern.MAJORITY.withWTimeout(10, TimeUnit.SECONDS))
                .applyToClusterSettings(b -> b.serverSelectionTimeout(10, TimeUnit.SECONDS))
                .applyToSocketSettings(b -> b.connectTimeout((int) Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS))
                .applicationName("flywheel")
                .build();
        MongoClient client = MongoClients.create(settings);
        MongoStores stores = new MongoStores(client, client.getDatabase(databaseName));
        return stores.jobs.createIndexes()
                .thenCompose(ok -> stores.configs.createIndexes())
                .thenApply(ok -> stores)
                .whenComplete((ok, error) -> {
                    if (error != null) {
                        client.close();
                    }
                });
    }

    public MongoJobStore jobs() {
        return jobs;
    }

    public MongoConfigStore configs() {
        return configs;
    }

    public MongoApiKeyStore apiKeys() {
        return apiKeys;
    }

    @Override
    public void close() {
        jobs.close();
        client.close();
    }
}
