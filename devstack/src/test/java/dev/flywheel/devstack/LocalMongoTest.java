package dev.flywheel.devstack;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import java.nio.file.Files;
import java.nio.file.Path;

import static com.mongodb.client.model.Filters.eq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Mongo stand-in as the project's driver (reactivestreams 5.x) sees it: memory and H2 file backends. */
class LocalMongoTest {

    @Test
    void insertFindAndUniqueIndexOnTheMemoryBackend() {
        try (LocalMongo mongo = LocalMongo.startInMemory(); MongoClient client = MongoClients.create(mongo.connectionString())) {
            assertTrue(mongo.connectionString().matches("mongodb://127\\.0\\.0\\.1:\\d+"), mongo.connectionString());
            assertNull(mongo.dataFile());
            // the drivers need wire version >= 8, which MONGO_5_0 provides
            Document buildInfo = Mono.from(client.getDatabase("admin").runCommand(new Document("buildInfo", 1))).block();
            assertEquals("5.0.0", buildInfo.getString("version"));

            MongoCollection<Document> users = client.getDatabase("devstack").getCollection("users");
            Mono.from(users.createIndex(Indexes.ascending("email"), new IndexOptions().unique(true))).block();
            Mono.from(users.insertOne(new Document("email", "ada@example.com").append("name", "Ada"))).block();

            Document found = Mono.from(users.find(eq("email", "ada@example.com")).first()).block();
            assertNotNull(found);
            assertEquals("Ada", found.getString("name"));

            MongoWriteException duplicate = assertThrows(MongoWriteException.class, () ->
                    Mono.from(users.insertOne(new Document("email", "ada@example.com"))).block());
            assertEquals(11000, duplicate.getCode());
            assertEquals(ErrorCategory.DUPLICATE_KEY, ErrorCategory.fromErrorCode(duplicate.getCode()));
            assertTrue(duplicate.getMessage().contains("E11000"), duplicate.getMessage());
        }
    }

    @Test
    void h2FileBackendKeepsDocumentsAcrossARestart(@TempDir Path dataDir) {
        LocalMongo first = LocalMongo.start(dataDir);
        try (MongoClient client = MongoClients.create(first.connectionString())) {
            Mono.from(client.getDatabase("devstack").getCollection("jobs")
                    .insertOne(new Document("_id", "job-1").append("state", "done"))).block();
        } finally {
            first.stop();
        }
        assertEquals(dataDir.resolve("mongo.mv").toAbsolutePath(), first.dataFile());
        assertTrue(Files.isRegularFile(first.dataFile()));
        assertFalse(Ports.isListening(first.port()), "Mongo stand-in still listening after stop()");

        try (LocalMongo second = LocalMongo.start(dataDir);
             MongoClient client = MongoClients.create(second.connectionString())) {
            Document job = Mono.from(client.getDatabase("devstack").getCollection("jobs")
                    .find(eq("_id", "job-1")).first()).block();
            assertNotNull(job, "document lost across the restart");
            assertEquals("done", job.getString("state"));
        }
    }
}
