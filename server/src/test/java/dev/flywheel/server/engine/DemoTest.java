package dev.flywheel.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.server.Main;
import dev.flywheel.server.DemoAccess;
import dev.flywheel.server.ServerSettings;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code ./flywheel demo} end to end (on a faster emulator): three candidates run and are compared. */
@ExtendWith(DevStackExtension.class)
class DemoTest {

    @Test
    void theDemoRunsAThreeCandidateJobAndPrintsTheComparison(DevStack stack) {
        ServerSettings settings = ServerSettings.from(ConfigFactory.parseString("""
                flywheel.server.port = 0
                flywheel.server.bind-address = "127.0.0.1"
                flywheel.data-dir = ""
                flywheel.nemo.emulator-time-scale = 0.02
                """).withFallback(ConfigFactory.parseMap(Map.of(
                "flywheel.mongodb.uri", stack.mongoUri(), "flywheel.mongodb.database", "demo_" + UUID.randomUUID().toString().substring(0, 8),
                "flywheel.redis.uri", stack.redisUri(), "flywheel.elasticsearch.url", stack.elasticsearchUrl())))
                .withFallback(ConfigFactory.defaultReference()).resolve());
        try (Main.Running running = Main.start(settings)) {
            String report = DemoAccess.run(running);
            assertThat(report).contains(": completed").contains("workload tool_calling");
            for (String model : new String[] {"meta/llama-3.2-1b-instruct", "meta/llama-3.2-3b-instruct", "meta/llama-3.1-8b-instruct"}) {
                assertThat(report).containsPattern(model.replace(".", "\\.") + "\\s+completed\\s+\\d\\.\\d{3}\\s+\\d\\.\\d{3}\\s+\\d\\.\\d{3}");
            }
            assertThat(report).contains("best: ");
        }
    }
}
