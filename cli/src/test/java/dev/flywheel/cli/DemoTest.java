package dev.flywheel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.flywheel.api.v1.Job;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.server.Main;
import dev.flywheel.server.ServerSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code ./flywheel demo} end to end (on a faster emulator): three candidates run, watched live, and are compared. */
@ExtendWith(DevStackExtension.class)
class DemoTest {

    @Test
    void theDemoRunsAThreeCandidateJobLiveAndNamesTheReplacement(DevStack stack) throws Exception {
        ServerSettings settings = ServerSettings.from(ConfigFactory.parseString("""
                flywheel.server.port = 0
                flywheel.server.bind-address = "127.0.0.1"
                flywheel.data-dir = ""
                flywheel.nemo.emulator-time-scale = 0.02
                flywheel.engine.log-index = "demo-logs"
                flywheel.auth.admin-key-file = none
                """).withFallback(ConfigFactory.parseMap(Map.of(
                "flywheel.mongodb.uri", stack.mongoUri(), "flywheel.mongodb.database", "demo_" + UUID.randomUUID().toString().substring(0, 8),
                "flywheel.redis.uri", stack.redisUri(), "flywheel.elasticsearch.url", stack.elasticsearchUrl())))
                .withFallback(ConfigFactory.defaultReference()).resolve());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        DemoCommand demo = new DemoCommand();
        demo.context = new CliContext(out, out, Map.of(), false, 120, Clock.systemUTC());
        demo.minScore = 0.75;
        try (Main.Running running = Main.start(settings)) {
            Job job = demo.run(running);
            String report = bytes.toString(StandardCharsets.UTF_8);
            assertThat(job.getStatus()).as(report).isEqualTo("completed");
            assertThat(report).contains("== Logging 400 interactions").contains("== PutConfig demo-three-candidates")
                    .containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d create_datasets +done +\\d+ records, tool_calling");
            for (String model : DemoCommand.CANDIDATES) {
                assertThat(report).containsPattern(model.replace(".", "\\.")
                        + " +completed +function_name_and_args_accuracy +\\d\\.\\d{3}[ *] +\\d\\.\\d{3}[ *] +\\d\\.\\d{3}");
            }
            assertThat(report).containsPattern("can replace the production model: meta/llama-3\\.\\S+ \\((base|icl|customized), "
                    + "function_name_and_args_accuracy \\d\\.\\d{3} >= 0\\.75\\)|no candidate reaches");
        }
    }
}
