package dev.flywheel.devstack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DevStack starts only what is not external, and close() stops exactly that. */
class DevStackTest {

    @Test
    void externalServicesAreUsedAsGivenAndNothingIsStarted() {
        try (DevStack stack = DevStack.builder()
                .mongoUri("mongodb://db.internal:27017")
                .redisUri("redis://cache.internal:6379")
                .elasticsearchUrl("http://search.internal:9200")
                .start()) {
            assertEquals("mongodb://db.internal:27017", stack.mongoUri());
            assertEquals("redis://cache.internal:6379", stack.redisUri());
            assertEquals("http://search.internal:9200", stack.elasticsearchUrl());
            assertNull(stack.localMongo());
            assertNull(stack.localRedis());
            assertFalse(stack.isElasticsearchLocal());
        }
    }

    @Test
    void localServicesStartAndCloseStopsThem(@TempDir Path dataDir) {
        DevStack stack = DevStack.builder().redisUri(" ").dataDir(dataDir).elasticsearch(false).start();
        int mongoPort;
        int redisPort;
        try {
            assertTrue(stack.mongoUri().matches("mongodb://127\\.0\\.0\\.1:\\d+"), stack.mongoUri());
            assertTrue(stack.redisUri().matches("redis://127\\.0\\.0\\.1:\\d+"), stack.redisUri()); // blank = local
            assertEquals(dataDir.resolve(LocalMongo.DATA_FILE_NAME).toAbsolutePath(), stack.localMongo().dataFile());
            mongoPort = stack.localMongo().port();
            redisPort = stack.localRedis().port();
            assertTrue(Ports.isListening(mongoPort));
            assertTrue(Ports.isListening(redisPort));
            assertFalse(stack.isElasticsearchStarted());
            IllegalStateException e = assertThrows(IllegalStateException.class, stack::elasticsearchUrl);
            assertTrue(e.getMessage().contains("not enabled"), e.getMessage());
        } finally {
            stack.close();
        }
        assertFalse(Ports.isListening(mongoPort), "Mongo still listening after close()");
        assertFalse(Ports.isListening(redisPort), "Redis still listening after close()");
        stack.close(); // idempotent
        assertThrows(IllegalStateException.class, stack::warmUpElasticsearch);
    }
}
