package dev.flywheel.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.typesafe.config.ConfigFactory;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.FlywheelServiceGrpc;
import dev.flywheel.api.v1.GetJobRequest;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobEvent;
import dev.flywheel.api.v1.WatchJobRequest;
import dev.flywheel.clients.logs.SampleWorkload;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.server.Main;
import dev.flywheel.server.ServerSettings;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The production server with its engine and the NeMo emulator runs a real job while 20 gRPC watchers keep
 * dropping their streams and resuming with {@code since_version} (promise P9): each sees versions strictly
 * increasing, never the same one twice, and ends on the job's final state as stored in MongoDB.
 */
@ExtendWith(DevStackExtension.class)
class WatchWhileRunningTest {

    static final int WATCHERS = 20;

    @Test
    void watchersThatDisconnectAndResumeMissNoStateAndEndOnTheFinalOne(DevStack stack) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        try (RestClient es = RestClient.builder(HttpHost.create(stack.elasticsearchUrl())).build()) {
            SampleWorkload.load(es, "watch-logs", "acme", "support", 200, 1_718_000_000_000L, Files.createTempDirectory("logs"));
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
        ServerSettings settings = ServerSettings.from(ConfigFactory.parseString("""
                flywheel.server.port = 0
                flywheel.server.bind-address = "127.0.0.1"
                flywheel.data-dir = ""
                flywheel.auth.enabled = false  # not what this test is about (security/AuthTest is)
                flywheel.nemo.emulator-time-scale = 0.02
                flywheel.engine.log-index = "watch-logs"
                flywheel.engine.reconcile-every = 1s
                """).withFallback(ConfigFactory.parseMap(java.util.Map.of(
                "flywheel.mongodb.uri", stack.mongoUri(), "flywheel.mongodb.database", "watch_" + id,
                "flywheel.redis.uri", stack.redisUri(), "flywheel.elasticsearch.url", stack.elasticsearchUrl(),
                "flywheel.job-config-file", jobConfig.toString())))
                .withFallback(ConfigFactory.defaultReference()).resolve());
        try (Main.Running running = Main.start(settings)) {
            var grpc = GrpcClients.builder("http://127.0.0.1:" + running.port()).responseTimeoutMillis(0)
                    .build(FlywheelServiceGrpc.FlywheelServiceStub.class); // watches last as long as the job
            var blocking = GrpcClients.newClient("http://127.0.0.1:" + running.port(), FlywheelServiceGrpc.FlywheelServiceBlockingStub.class);
            Job job = blocking.createJob(CreateJobRequest.newBuilder().setClientId("acme").setWorkloadId("support").build());

            List<CompletableFuture<List<Job>>> seen = new ArrayList<>();
            for (int w = 0; w < WATCHERS; w++) {
                seen.add(watchWithDrops(grpc, job.getId(), new SplittableRandom(w)));
            }
            List<List<Job>> results = new ArrayList<>();
            for (CompletableFuture<List<Job>> f : seen) {
                results.add(f.get(180, TimeUnit.SECONDS));
            }
            Job stored = blocking.getJob(GetJobRequest.newBuilder().setId(job.getId()).build());
            assertThat(stored.getStatus()).as("%s", stored.getError()).isEqualTo("completed");
            for (List<Job> events : results) {
                assertThat(events.stream().map(Job::getVersion).toList()).isSorted().doesNotHaveDuplicates();
                assertThat(events.get(events.size() - 1)).isEqualTo(stored);
            }
            // Each watcher saw the job move through its states, not only the end.
            assertThat(results).allSatisfy(events -> assertThat(events.size()).isGreaterThan(3));
        }
    }

    /** Watches the job, cancelling the stream now and then and resuming from the last version seen. */
    CompletableFuture<List<Job>> watchWithDrops(FlywheelServiceGrpc.FlywheelServiceStub grpc, String id, SplittableRandom random) {
        List<Job> events = new CopyOnWriteArrayList<>();
        CompletableFuture<List<Job>> done = new CompletableFuture<>();
        watchOnce(grpc, id, 0, random, events, done);
        return done;
    }

    void watchOnce(FlywheelServiceGrpc.FlywheelServiceStub grpc, String id, long since, SplittableRandom random,
                   List<Job> events, CompletableFuture<List<Job>> done) {
        Context.CancellableContext call = Context.current().withCancellation();
        int dropAfter = 1 + random.nextInt(4);
        call.run(() -> grpc.watchJob(WatchJobRequest.newBuilder().setId(id).setSinceVersion(since).build(),
                new StreamObserver<JobEvent>() {
                    int received;
                    boolean dropped; // events still in flight on a dropped stream are not ours any more

                    @Override
                    public void onNext(JobEvent event) {
                        if (dropped) {
                            return;
                        }
                        events.add(event.getJob());
                        if (Jobs.isTerminal(event.getJob())) {
                            return;
                        }
                        if (++received == dropAfter) {
                            dropped = true;
                            call.cancel(null); // drop the stream, resume from what we have
                            watchOnce(grpc, id, event.getJob().getVersion(), random, events, done);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        if (!done.isDone() && !io.grpc.Status.fromThrowable(t).getCode().equals(io.grpc.Status.Code.CANCELLED)) {
                            done.completeExceptionally(t);
                        }
                    }

                    @Override
                    public void onCompleted() {
                        if (!dropped) {
                            done.complete(events);
                        }
                    }
                }));
    }
}
