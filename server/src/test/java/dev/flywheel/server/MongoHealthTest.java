package dev.flywheel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.devstack.LocalMongo;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Health follows MongoDB: without the system of record the server reports NOT_SERVING. */
class MongoHealthTest {

    @Test
    void healthTurnsUnhealthyWhenMongoStopsAnswering() {
        LocalMongo mongo = LocalMongo.startInMemory();
        try (FlywheelApp app = FlywheelApp.open(mongo.connectionString(), "health", JobConfigs.builtInDefaults())) {
            assertThat(app.health().isHealthy()).isTrue();
            mongo.stop();
            await().atMost(Duration.ofSeconds(30)).until(() -> !app.health().isHealthy());
        } finally {
            mongo.close();
        }
    }
}
