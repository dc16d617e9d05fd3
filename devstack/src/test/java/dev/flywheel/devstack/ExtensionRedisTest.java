package dev.flywheel.devstack;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** One of two classes proving the extension shares one stack per JVM; this one injects through the constructor. */
@ExtendWith(DevStackExtension.class)
class ExtensionRedisTest {

    private static DevStack fromBeforeAll;
    private final DevStack fromConstructor;

    ExtensionRedisTest(DevStack stack) {
        this.fromConstructor = stack;
    }

    @BeforeAll
    static void remember(DevStack stack) {
        fromBeforeAll = stack;
    }

    @Test
    void everyInjectionPointGetsTheJvmWideStack(DevStack stack) {
        assertSame(fromBeforeAll, stack);
        assertSame(fromConstructor, stack);
        assertSame(DevStackExtension.stack(), stack);
        SharedStack.assertSameAsEveryOtherClass(stack);
    }

    @Test
    void itsRedisIsUp(DevStack stack) {
        RedisClient client = RedisClient.create(stack.redisUri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            assertEquals("PONG", connection.sync().ping());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
