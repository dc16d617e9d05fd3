package dev.flywheel.cli;

import com.typesafe.config.ConfigFactory;
import dev.flywheel.clients.logs.SampleWorkload;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.server.Main;
import dev.flywheel.server.ServerSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;

/**
 * The production server (engine on, NeMo emulator at 50x speed) on the test JVM's devstack, with a sample
 * workload of client {@value #CLIENT} logged, and a way to run {@code flywheel ...} in-process against it.
 */
final class TestServer implements AutoCloseable {

    static final String CLIENT = "cli-app";
    static final String WORKLOAD = "support";

    final Main.Running running;
    final Path home;

    private TestServer(Main.Running running, Path home) {
        this.running = running;
        this.home = home;
    }

    static TestServer start(DevStack stack, String logIndex) {
        String id = UUID.randomUUID().toString().substring(0, 8);
        try {
            try (RestClient es = RestClient.builder(HttpHost.create(stack.elasticsearchUrl())).build()) {
                SampleWorkload.load(es, logIndex, CLIENT, WORKLOAD, 200, System.currentTimeMillis() - 400_000,
                        Files.createTempDirectory("cli-logs"));
            }
            Path jobConfig = Files.createTempFile("job-config", ".yaml");
            Files.writeString(jobConfig, """
                    nims:
                      - model_name: "meta/llama-3.2-1b-instruct"
                        gpus: 1
                        customization_enabled: true
                        customizer_configs: {target: "meta/llama-3.2-1b-instruct@2.0", gpus: 1, max_seq_length: 4096, micro_batch_size: 1}
                    data_split_config: {eval_size: 20, val_ratio: 0.1, min_total_records: 50, limit: 150, random_seed: 3}
                    """);
            Path home = Files.createTempDirectory("flywheel-home");
            ServerSettings settings = ServerSettings.from(ConfigFactory.parseString("""
                    flywheel.server.port = 0
                    flywheel.server.bind-address = "127.0.0.1"
                    flywheel.data-dir = ""
                    flywheel.nemo.emulator-time-scale = 0.02
                    flywheel.engine.reconcile-every = 1s
                    """).withFallback(ConfigFactory.parseMap(Map.of(
                    "flywheel.mongodb.uri", stack.mongoUri(), "flywheel.mongodb.database", "cli_" + id,
                    "flywheel.redis.uri", stack.redisUri(), "flywheel.elasticsearch.url", stack.elasticsearchUrl(),
                    "flywheel.engine.log-index", logIndex,
                    // auth is on, as in production: the server writes its admin key where the CLI looks (FLYWHEEL_HOME)
                    "flywheel.auth.admin-key-file", home.resolve("cli.properties").toString(),
                    "flywheel.job-config-file", jobConfig.toString())))
                    .withFallback(ConfigFactory.defaultReference()).resolve());
            return new TestServer(Main.start(settings), home);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The admin key the server wrote at start. */
    String adminToken() {
        java.util.Properties p = new java.util.Properties();
        try (var reader = Files.newBufferedReader(home.resolve("cli.properties"))) {
            p.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("token");
    }

    String address() {
        return "127.0.0.1:" + running.port();
    }

    /** {@code flywheel args...} against this server (FLYWHEEL_SERVER), not on a TTY. */
    Result cli(String... args) {
        return run(Map.of("FLYWHEEL_SERVER", address()), args);
    }

    /** {@code flywheel args...} with exactly this environment (plus an empty FLYWHEEL_HOME). */
    Result run(Map<String, String> env, String... args) {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("FLYWHEEL_HOME", home.toString());
        return Result.of(all, args);
    }

    @Override
    public void close() {
        running.close();
    }

    /** What one in-process run printed and returned. */
    record Result(int exit, String out, String err) {
        static Result of(Map<String, String> env, String... args) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                 PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                int exit = FlywheelCli.run(args, new CliContext(o, e, env, false, 120, Clock.systemUTC()));
                return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
            }
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
        }
    }
}
