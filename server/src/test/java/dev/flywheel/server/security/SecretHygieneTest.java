package dev.flywheel.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.mongodb.reactivestreams.client.MongoClients;
import com.typesafe.config.ConfigFactory;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.FlywheelServiceGrpc;
import dev.flywheel.api.v1.GetJobRequest;
import dev.flywheel.api.v1.Job;
import dev.flywheel.clients.logs.SampleWorkload;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.emulator.faults.FaultPlan;
import dev.flywheel.server.Main;
import dev.flywheel.server.ServerSettings;
import io.lettuce.core.RedisClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.http.HttpHost;
import org.bson.Document;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * Secrets only come from the environment and go only to the service that needs them (promise of issue #7):
 * planted keys for the remote judge, the embedding endpoint and Hugging Face, and the admin API key the server
 * creates at start (written only to its owner-only key file), run through a real job — one
 * candidate completes, one has its evaluations fail, so error paths run too — and then appear in no log line,
 * no MongoDB document of any collection, no Redis key or value, no metric and no API answer.
 */
@ExtendWith(DevStackExtension.class)
class SecretHygieneTest {

    @Test
    void plantedSecretsAppearNowhereWeKeepOrShow(DevStack stack) throws Exception {
        String judgeKey = "nvapi-PLANTED-judge-" + UUID.randomUUID();
        String embeddingKey = "nvapi-PLANTED-emb-" + UUID.randomUUID();
        String hfToken = "hf_PLANTED" + UUID.randomUUID().toString().replace("-", "");
        List<String> secrets = List.of(judgeKey, embeddingKey, hfToken);

        List<String> logLines = new CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                logLines.add(e.getFormattedMessage() + " " + e.getMDCPropertyMap()
                        + (e.getThrowableProxy() == null ? "" : " " + ThrowableProxyUtil.asString(e.getThrowableProxy())));
            }
        };
        // Everything anyone logs, down to DEBUG, goes to the capture (and, for the length of this test, not to
        // the console, which would drown the build log).
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger ours = logging.getLogger("dev.flywheel");
        ch.qos.logback.classic.Level rootLevel = root.getLevel();
        ch.qos.logback.classic.Level ourLevel = ours.getLevel();
        var console = root.getAppender("text");
        capture.setContext(logging);
        capture.start();
        root.addAppender(capture);
        if (console != null) {
            root.detachAppender(console);
        }
        root.setLevel(ch.qos.logback.classic.Level.INFO);
        ours.setLevel(ch.qos.logback.classic.Level.DEBUG);

        String id = UUID.randomUUID().toString().substring(0, 8);
        String database = "secrets_" + id;
        try (RestClient es = RestClient.builder(HttpHost.create(stack.elasticsearchUrl())).build()) {
            SampleWorkload.load(es, "secret-logs", "acme", "support", 200, System.currentTimeMillis() - 400_000, Files.createTempDirectory("logs"));
        }
        Path keyFile = Files.createTempDirectory("flywheel-home").resolve("cli.properties");
        Path jobConfig = Files.createTempFile("job-config", ".yaml");
        Files.writeString(jobConfig, """
                nims:
                  - model_name: "meta/llama-3.2-1b-instruct"
                    gpus: 1
                    customization_enabled: true
                    customizer_configs: {target: "meta/llama-3.2-1b-instruct@2.0", gpus: 1, max_seq_length: 4096, micro_batch_size: 1}
                  - model_name: "meta/llama-3.2-3b-instruct"
                    gpus: 1
                    customization_enabled: false
                llm_judge_config: {deployment_type: remote, url: "https://judge.example/v1/chat/completions", model_name: "meta/llama-3.3-70b-instruct"}
                icl_config: {example_selection: uniform_distribution}
                data_split_config: {eval_size: 20, val_ratio: 0.1, min_total_records: 50, limit: 150, random_seed: 3}
                """);
        ServerSettings settings = ServerSettings.from(ConfigFactory.parseString("""
                flywheel.server.port = 0
                flywheel.server.bind-address = "127.0.0.1"
                flywheel.data-dir = ""
                flywheel.nemo.emulator-time-scale = 0.02
                flywheel.engine.log-index = "secret-logs"
                """).withFallback(ConfigFactory.parseMap(Map.of(
                "flywheel.mongodb.uri", stack.mongoUri(), "flywheel.mongodb.database", database,
                "flywheel.redis.uri", stack.redisUri(), "flywheel.elasticsearch.url", stack.elasticsearchUrl(),
                "flywheel.job-config-file", jobConfig.toString(),
                "flywheel.auth.admin-key-file", keyFile.toString(),
                "flywheel.secrets.llm-judge-api-key", judgeKey,
                "flywheel.secrets.embedding-api-key", embeddingKey,
                "flywheel.secrets.hf-token", hfToken)))
                .withFallback(ConfigFactory.defaultReference()).resolve());

        List<String> answers = new ArrayList<>();
        List<String> allSecrets = new ArrayList<>(secrets);
        try (Main.Running running = Main.start(settings)) {
            java.util.Properties keyFileContent = new java.util.Properties();
            try (var reader = Files.newBufferedReader(keyFile)) {
                keyFileContent.load(reader);
            }
            String adminKey = keyFileContent.getProperty("token");
            assertThat(adminKey).startsWith("fw_");
            allSecrets.add(adminKey);
            // The 3B candidate's evaluations fail half way, so error messages from NeMo reach the job too.
            running.stack().nemoEmulator().faults().set(FaultPlan.none().withEvaluationFailAt(50));
            var grpc = GrpcClients.builder("http://127.0.0.1:" + running.port()).addHeader("authorization", "Bearer " + adminKey)
                    .build(FlywheelServiceGrpc.FlywheelServiceBlockingStub.class);
            Job created = grpc.createJob(CreateJobRequest.newBuilder().setClientId("acme").setWorkloadId("support").build());
            Job done = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                    .until(() -> grpc.getJob(GetJobRequest.newBuilder().setId(created.getId()).build()),
                            j -> j.getStatus().equals("completed") || j.getStatus().equals("failed"));
            assertThat(done.getCandidatesList()).extracting(c -> c.getEvaluationsCount()).allMatch(n -> n > 0);
            assertThat(done.toString()).as("an evaluation failed, so error paths ran").contains("error");

            WebClient http = WebClient.builder(running.baseUrl()).addHeader("authorization", "Bearer " + adminKey).build();
            answers.add(done.toString());
            answers.add(http.get("/v1/jobs/" + created.getId()).aggregate().join().contentUtf8());
            answers.add(http.get("/v1/jobs?client_id=acme").aggregate().join().contentUtf8());
            answers.add(http.get("/api/jobs/" + created.getId()).aggregate().join().contentUtf8());
            answers.add(http.get("/internal/metrics").aggregate().join().contentUtf8());
            answers.add(http.get("/v1/jobs/nope").aggregate().join().contentUtf8());
        } finally {
            root.detachAppender(capture);
            if (console != null) {
                root.addAppender(console);
            }
            root.setLevel(rootLevel);
            ours.setLevel(ourLevel);
        }

        List<String> stored = new ArrayList<>();
        try (var mongo = MongoClients.create(stack.mongoUri())) {
            var db = mongo.getDatabase(database);
            for (String collection : Flux.from(db.listCollectionNames()).collectList().block()) {
                for (Document d : Flux.from(db.getCollection(collection).find()).collectList().block()) {
                    stored.add(collection + ": " + d.toJson());
                }
            }
        }
        assertThat(stored).as("the job and its collections were written").anyMatch(s -> s.startsWith("jobs: "));
        RedisClient redis = RedisClient.create(stack.redisUri());
        try (var connection = redis.connect()) {
            var sync = connection.sync();
            for (String key : sync.keys("*")) {
                String type = sync.type(key);
                Object value = switch (type) {
                    case "string" -> sync.get(key);
                    case "hash" -> sync.hgetall(key);
                    case "list" -> sync.lrange(key, 0, -1);
                    case "set" -> sync.smembers(key);
                    case "zset" -> sync.zrange(key, 0, -1);
                    default -> type;
                };
                stored.add("redis " + key + " = " + value);
            }
        } finally {
            redis.shutdown();
        }

        assertThat(logLines).as("log lines were captured").hasSizeGreaterThan(50)
                .anyMatch(line -> line.contains("created admin API key"));
        for (String secret : allSecrets) {
            assertThat(logLines).as("logs").noneMatch(line -> line.contains(secret));
            assertThat(stored).as("MongoDB and Redis").noneMatch(doc -> doc.contains(secret));
            assertThat(answers).as("API answers and metrics").noneMatch(a -> a.contains(secret));
        }
    }
}
