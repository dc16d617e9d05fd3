package dev.flywheel.devstack;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real redis-server child process, checked with the client the project uses (Lettuce). */
class LocalRedisTest {

    @Test
    void roundTripWithLettuceThenStopClosesThePort() {
        LocalRedis redis = LocalRedis.start();
        try {
            assertTrue(redis.uri().matches("redis://127\\.0\\.0\\.1:\\d+"), redis.uri());
            assertTrue(Ports.isListening(redis.port()));
            RedisClient client = RedisClient.create(redis.uri());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> redisCommands = connection.sync();
                assertEquals("PONG", redisCommands.ping());
                redisCommands.set("greeting", "hello");
                assertEquals("hello", redisCommands.get("greeting"));
                assertEquals(3L, redisCommands.incrby("counter", 3));
                // a throwaway server: no RDB snapshots, no AOF
                assertEquals("", redisCommands.configGet("save").get("save"));
                assertEquals("no", redisCommands.configGet("appendonly").get("appendonly"));
                assertEquals("127.0.0.1", redisCommands.configGet("bind").get("bind"));
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        } finally {
            redis.stop();
        }
        assertFalse(Ports.isListening(redis.port()), "redis-server still listening after stop()");
        redis.stop(); // idempotent
    }
}
