package dev.flywheel.server.bench;

import com.google.protobuf.util.Timestamps;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.FlywheelServiceGrpc;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobEvent;
import dev.flywheel.api.v1.WatchJobRequest;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.server.FlywheelApp;
import dev.flywheel.server.Main;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * WatchJob fan-out: {@code --watchers} gRPC streams over {@code --jobs} jobs while a writer commits
 * {@code --rate} job changes per second; reports the latency from the change (its {@code updated_at}, set just
 * before the compare-and-set — so the number includes the write itself) to its arrival at each watcher. A
 * program, not a test: run {@code bench/watch.sh}. One JVM: the MongoDB stand-in, the server wired by
 * {@link Main#configureServices}, the watchers and the writer, on loopback.
 */
public final class WatchBenchmark {

    public static void main(String[] args) throws Exception {
        int jobs = intArg(args, "jobs", 100);
        int watchers = intArg(args, "watchers", 2000);
        int rate = intArg(args, "rate", 100);
        int warmup = intArg(args, "warmup", 15);
        int seconds = intArg(args, "seconds", 30);

        try (DevStack stack = DevStack.builder().elasticsearch(false).start();
             FlywheelApp app = FlywheelApp.open(stack.mongoUri(), "watchbench", JobConfigs.builtInDefaults())) {
            ServerBuilder sb = Server.builder().http(0);
            Main.configureServices(sb, app);
            Server server = sb.build();
            server.start().join();
            ClientFactory factory = ClientFactory.builder().maxNumEventLoopsPerEndpoint(2).build();
            var grpc = GrpcClients.builder("http://127.0.0.1:" + server.activeLocalPort()).factory(factory)
                    .responseTimeoutMillis(0).maxResponseLength(0).build(FlywheelServiceGrpc.FlywheelServiceStub.class);

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                ids.add(app.jobs().create(CreateJobRequest.newBuilder().setClientId("bench").setWorkloadId("w" + i)
                        .setRequestId("watch-" + i).build()).join().getId());
            }

            AtomicBoolean measuring = new AtomicBoolean(false);
            Histogram latency = new ConcurrentHistogram(60_000, 3);
            AtomicLong delivered = new AtomicLong();
            CountDownLatch subscribed = new CountDownLatch(watchers);
            CountDownLatch ended = new CountDownLatch(watchers);
            for (int w = 0; w < watchers; w++) {
                String id = ids.get(w % jobs);
                grpc.watchJob(WatchJobRequest.newBuilder().setId(id).build(), new StreamObserver<JobEvent>() {
                    boolean first = true;

                    @Override
                    public void onNext(JobEvent event) {
                        if (first) {
                            first = false;
                            subscribed.countDown();
                            return;
                        }
                        long ms = System.currentTimeMillis() - Timestamps.toMillis(event.getJob().getUpdatedAt());
                        if (measuring.get()) {
                            latency.recordValue(Math.max(0, ms));
                            delivered.incrementAndGet();
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        System.err.println("watch failed: " + t);
                        ended.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        ended.countDown();
                    }
                });
            }
            if (!subscribed.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("watchers did not all subscribe: " + subscribed.getCount() + " left");
            }
            System.out.printf(Locale.ROOT, "%d watchers on %d jobs subscribed; writer at %d changes/s%n", watchers, jobs, rate);

            AtomicLong committed = new AtomicLong();
            long intervalNanos = 1_000_000_000L / rate;
            long start = System.nanoTime();
            long measureFrom = start + warmup * 1_000_000_000L;
            long end = measureFrom + seconds * 1_000_000_000L;
            long next = start;
            int k = 0;
            long committedAtStart = 0;
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                if (!measuring.get() && now >= measureFrom) {
                    committedAtStart = committed.get();
                    measuring.set(true);
                }
                if (now < next) {
                    Thread.sleep(Math.max(0, (next - now) / 1_000_000));
                    continue;
                }
                next += intervalNanos;
                String id = ids.get(k++ % jobs);
                Job job = app.stores().jobs().get(id).join().orElseThrow();
                Job changed = Jobs.advance(job, Instant.now()).setProgress((job.getProgress() + 1) % 100).build();
                app.stores().jobs().compareAndSet(changed).thenAccept(ok -> {
                    if (ok) {
                        committed.incrementAndGet();
                    }
                });
            }
            Thread.sleep(2000); // let the last changes arrive
            measuring.set(false);
            long changes = committed.get() - committedAtStart;
            System.out.printf(Locale.ROOT, "measured %d s: %d changes committed, %d deliveries (expected %d, %.1f%%)%n",
                    seconds, changes, delivered.get(), changes * (watchers / jobs),
                    100.0 * delivered.get() / Math.max(1, changes * (watchers / jobs)));
            System.out.printf(Locale.ROOT, "commit-to-delivery ms: p50 %d  p90 %d  p99 %d  p99.9 %d  max %d%n",
                    latency.getValueAtPercentile(50), latency.getValueAtPercentile(90), latency.getValueAtPercentile(99),
                    latency.getValueAtPercentile(99.9), latency.getMaxValue());
            System.out.printf(Locale.ROOT, "threads %d, heap used %d MB%n", Thread.activeCount(),
                    (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);

            // End the streams: every job finishes.
            for (String id : ids) {
                Job job = app.stores().jobs().get(id).join().orElseThrow();
                app.stores().jobs().compareAndSet(Jobs.cancel(job, Instant.now())).join();
            }
            ended.await(60, TimeUnit.SECONDS);
            server.stop().join();
            factory.close();
        }
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (String a : args) {
            if (a.startsWith("--" + name + "=")) {
                return Integer.parseInt(a.substring(name.length() + 3));
            }
        }
        return fallback;
    }
}
