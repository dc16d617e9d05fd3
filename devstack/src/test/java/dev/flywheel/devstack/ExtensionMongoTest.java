package dev.flywheel.devstack;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The second class sharing the stack; this one uses the static accessor. */
@ExtendWith(DevStackExtension.class)
class ExtensionMongoTest {

    private static DevStack stack;

    @BeforeAll
    static void lookUp() {
        stack = DevStackExtension.stack();
    }

    @Test
    void getsTheSameStackAsTheOtherClasses(DevStack injected) {
        assertSame(stack, injected);
        SharedStack.assertSameAsEveryOtherClass(injected);
    }

    @Test
    void itsMongoIsUp() {
        try (MongoClient client = MongoClients.create(stack.mongoUri())) {
            Document pong = Mono.from(client.getDatabase("admin").runCommand(new Document("ping", 1))).block();
            assertEquals(1.0, pong.get("ok", Number.class).doubleValue());
        }
    }
}
