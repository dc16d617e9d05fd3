package dev.flywheel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.CustomizerConfig;
import dev.flywheel.api.v1.DataSplitConfig;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.NamedConfig;
import dev.flywheel.api.v1.NimConfig;
import dev.flywheel.api.v1.PutConfigRequest;
import dev.flywheel.cli.watch.WatchRun;
import dev.flywheel.clients.logs.LoadReport;
import dev.flywheel.clients.logs.SampleWorkload;
import dev.flywheel.core.auth.Role;
import dev.flywheel.server.Main;
import dev.flywheel.server.ServerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.http.HttpHost;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flywheel demo}: the whole flywheel on the embedded stack. Starts MongoDB (stand-in), Redis,
 * Elasticsearch, the NeMo emulator and the server; logs a sample customer-support workload of a big production
 * model into Elasticsearch; stores a configuration with three candidate models (1B, 3B and 8B class); creates a
 * job over gRPC; watches it live; prints how each candidate scored against the production model's answers (base,
 * with in-context examples, LoRA-customized) and which one can replace the production model; then keeps the
 * server up, its URLs printed, until Ctrl-C.
 */
@Command(name = "demo", description = "Run the whole flywheel on the embedded stack: a sample workload, a job with three "
        + "candidate models (1B, 3B, 8B) watched live, the comparison; then keep the server up until Ctrl-C.")
final class DemoCommand implements Callable<Integer> {

    static final String CLIENT = "demo-app";
    static final String WORKLOAD = "customer-support";
    static final int INTERACTIONS = 400;
    static final List<String> CANDIDATES = List.of("meta/llama-3.2-1b-instruct", "meta/llama-3.2-3b-instruct",
            "meta/llama-3.1-8b-instruct");
    private static final ObjectMapper JSON = new ObjectMapper();

    CliContext context;

    @Option(names = "--time-scale", paramLabel = "FACTOR", defaultValue = "0.05",
            description = "NeMo emulator time scale: 1.0 = the latencies of real NeMo, smaller is faster (default 0.05).")
    double timeScale;

    @Option(names = "--exit", description = "Stop the server when the job is done instead of waiting for Ctrl-C.")
    boolean exit;

    @Option(names = "--plain", description = "Timestamped lines even on a terminal.")
    boolean plain;

    @Option(names = "--min-score", defaultValue = "0.75", description = "Score (0-1) a candidate needs to be named as the replacement.")
    double minScore;

    @Override
    public Integer call() throws InterruptedException {
        Config overrides = ConfigFactory.parseString("flywheel.server.port = 0\nflywheel.nemo.emulator-time-scale = " + timeScale);
        ServerSettings settings = ServerSettings.from(overrides
                .withFallback(ConfigFactory.defaultOverrides())
                .withFallback(ConfigFactory.defaultReference())
                .resolve());
        context.out().println("== Starting the embedded stack (MongoDB stand-in, Redis, Elasticsearch, NeMo emulator) and the server");
        Main.Running running = Main.start(settings);
        Job job;
        try {
            running.printEndpoints();
            job = run(running);
        } catch (RuntimeException | InterruptedException e) {
            running.close();
            throw e;
        }
        if (exit) {
            running.close();
            return job.getStatus().equals("completed") ? ExitCodes.OK : WatchRun.exitStatus(job);
        }
        context.out().println();
        context.out().println("== The server keeps running; try:");
        context.out().println("   ./flywheel jobs list --server 127.0.0.1:" + running.port());
        context.out().println("   ./flywheel jobs get " + job.getId() + " --server 127.0.0.1:" + running.port());
        context.out().println("   curl " + running.baseUrl() + "/v1/jobs/" + job.getId());
        context.out().println("   open " + running.baseUrl() + "/docs/");
        context.out().println("== Press Ctrl-C to stop.");
        context.out().flush();
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "flywheel-demo-shutdown"));
        new CountDownLatch(1).await(); // until Ctrl-C, which runs the hook
        return ExitCodes.OK;
    }

    /** The demo against a started server; returns the finished job. */
    Job run(Main.Running running) throws InterruptedException {
        loadWorkload(running);
        // The demo's own server: none of the user's CLI settings (another server, TLS, a token) apply to it. Its key
        // is made in-process, for a day.
        String key = running.app().apiKeys().create("demo", Role.ADMIN, java.util.Set.of(), java.time.Instant.now().plus(Duration.ofDays(1)))
                .join().getSecret();
        CliSettings settings = new CliSettings("127.0.0.1", running.port(), false, null, key, CliSettings.DEFAULT_TIMEOUT, null);
        try (Connection connection = new Connection(settings)) {
            NamedConfig config = putCandidatesConfig(connection);
            CreateJobRequest request = CreateJobRequest.newBuilder()
                    .setClientId(CLIENT).setWorkloadId(WORKLOAD).setJobType("llm_job").setConfigName(config.getRef())
                    .setRequestId(UUID.randomUUID().toString())
                    .setDataSplitConfig(DataSplitConfig.newBuilder().setEvalSize(40).setValRatio(0.1).setMinTotalRecords(50).setLimit(300))
                    .build();
            context.out().println();
            context.out().println("== CreateJob " + Format.compactJson(request));
            Job created = connection.jobs().createJob(request);
            context.out().println("-> job " + created.getId() + " " + created.getStatus() + "   (also watch it with: ./flywheel jobs watch "
                    + created.getId() + " --server 127.0.0.1:" + running.port() + ")");
            context.out().println();
            return new WatchRun(context, false, plain, minScore, Duration.ofMinutes(1)).follow(connection, created.getId());
        }
    }

    /** Logs the sample workload once (the data directory keeps Elasticsearch's data between demos). */
    private void loadWorkload(Main.Running running) {
        String index = running.settings().engine().logIndex();
        try (RestClient es = RestClient.builder(HttpHost.create(running.stack().elasticsearchUrl())).build()) {
            long existing = count(es, index);
            if (existing > 0) {
                context.out().println("\n== Elasticsearch index '" + index + "' already holds " + existing + " logged interactions of "
                        + CLIENT + "/" + WORKLOAD);
                return;
            }
            context.out().println("\n== Logging " + INTERACTIONS + " interactions of a customer-support agent (production model "
                    + SampleWorkload.PRODUCTION_MODEL + ") into Elasticsearch index '" + index + "'");
            LoadReport report = SampleWorkload.load(es, index, CLIENT, WORKLOAD, INTERACTIONS,
                    System.currentTimeMillis() - INTERACTIONS * 1000L - 60_000, Files.createTempDirectory("demo-logs"));
            context.out().println("-> " + report.indexed() + " indexed, " + (report.lines() - report.indexed())
                    + " rejected (broken records, as real logs have): " + report.rejectedByReason());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long count(RestClient es, String index) throws IOException {
        Request request = new Request("GET", "/" + index + "/_count");
        request.setJsonEntity("{\"query\":{\"bool\":{\"filter\":[{\"term\":{\"client_id\":\"" + CLIENT
                + "\"}},{\"term\":{\"workload_id\":\"" + WORKLOAD + "\"}}]}}}");
        try {
            return JSON.readTree(es.performRequest(request).getEntity().getContent()).path("count").asLong();
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) {
                return 0;
            }
            throw e;
        }
    }

    /** A named configuration: the server's defaults with three candidates instead of one, smallest first. */
    private NamedConfig putCandidatesConfig(Connection connection) {
        JobConfig.Builder config = JobConfig.newBuilder();
        for (String model : CANDIDATES) {
            config.addNims(NimConfig.newBuilder().setModelName(model).setGpus(1).setCustomizationEnabled(true)
                    .setCustomizerConfigs(CustomizerConfig.newBuilder().setTarget(model + "@2.0").setGpus(1).setMaxSeqLength(4096)
                            .setMicroBatchSize(1)));
        }
        context.out().println("\n== PutConfig demo-three-candidates (1B, 3B and 8B candidates)");
        NamedConfig stored = connection.configs().putConfig(PutConfigRequest.newBuilder().setName("demo-three-candidates")
                .setDescription("1B, 3B and 8B candidates").setConfig(config).build());
        context.out().println("-> " + stored.getRef());
        return stored;
    }
}
