package dev.flywheel.server;

import dev.flywheel.actors.engine.EngineContext;
import dev.flywheel.actors.engine.JobCleanup;
import dev.flywheel.actors.engine.JobEngine;
import dev.flywheel.clients.admission.RedisAdmission;
import dev.flywheel.clients.admission.RedisSharedRefs;
import dev.flywheel.clients.datasets.DatasetPipeline;
import dev.flywheel.clients.nemo.NemoClientSettings;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.clients.nemo.Secret;
import dev.flywheel.core.engine.AdmissionTruth;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.core.store.JobStore;
import dev.flywheel.server.job.JobService;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.http.HttpHost;
import dev.flywheel.clients.logs.EsHttp;
import org.elasticsearch.client.RestClient;

/**
 * The job engine of this server and what it runs on: Redis admission and reference counts (rebuilt from
 * MongoDB), the Elasticsearch log cluster, NeMo clients per endpoint set, and the Pekko node.
 */
public final class EngineRuntime implements AutoCloseable {

    private final RedisAdmission admission;
    private final RedisSharedRefs shared;
    private final Lazy<RestClient> elasticsearch;
    private final JobEngine engine;
    private final EngineContext context;
    private final int maxQueued;

    private EngineRuntime(RedisAdmission admission, RedisSharedRefs shared, Lazy<RestClient> elasticsearch, JobEngine engine,
                          EngineContext context, int maxQueued) {
        this.admission = admission;
        this.shared = shared;
        this.elasticsearch = elasticsearch;
        this.engine = engine;
        this.context = context;
        this.maxQueued = maxQueued;
    }

    /**
     * Connects to Redis and starts the engine node; Elasticsearch is connected on the first dataset step (a
     * local node may still be starting).
     */
    public static EngineRuntime start(JobStore jobs, String redisUri, Supplier<String> elasticsearchUrl, EngineOptions options,
                                      Path dataDir, Optional<Secret> judgeKey, Map<String, String> environment,
                                      MeterRegistry metrics) {
        return start(jobs, redisUri, elasticsearchUrl, options, dataDir, judgeKey, environment, metrics, Outbound.NONE);
    }

    /**
     * How the engine reaches secured outside services: a bearer key and extra trusted CA certificates for NeMo, and
     * the Elasticsearch API key and CA (MongoDB and Redis take TLS and passwords in their URIs:
     * {@code mongodb://user:pass@host/?tls=true}, {@code rediss://:pass@host}).
     */
    public record Outbound(Secret nemoKey, Path nemoCaCert, EsHttp.Access elasticsearch) {
        public static final Outbound NONE = new Outbound(null, null, EsHttp.Access.NONE);
    }

    public static EngineRuntime start(JobStore jobs, String redisUri, Supplier<String> elasticsearchUrl, EngineOptions options,
                                      Path dataDir, Optional<Secret> judgeKey, Map<String, String> environment,
                                      MeterRegistry metrics, Outbound outbound) {
        RedisAdmission admission = RedisAdmission.open(redisUri, "fw:adm:", options.gpus(),
                () -> AdmissionTruth.read(jobs, id -> { }).thenApply(AdmissionTruth::admission));
        RedisSharedRefs shared = RedisSharedRefs.open(redisUri, "fw:shared:",
                () -> AdmissionTruth.read(jobs, id -> { }).thenApply(AdmissionTruth::sharedUsers));
        Lazy<RestClient> es = new Lazy<>(() -> EsHttp.client(elasticsearchUrl.get(), outbound.elasticsearch()));
        NemoClients.Cache nemo = new NemoClients.Cache(metrics, NemoClientSettings.defaults(),
                NemoClients.clientFactory(outbound.nemoCaCert()), outbound.nemoKey());
        Path work = workDirectory(dataDir);
        EngineContext context = new EngineContext(jobs,
                config -> nemo.get(config.getNmpConfig().getNemoBaseUrl(), config.getNmpConfig().getNimBaseUrl(),
                        config.getNmpConfig().getDatastoreBaseUrl(), config.getNmpConfig().getNmpNamespace()),
                EngineContext.Datasets.bounded((clients, job) -> DatasetPipeline.builder(es.get(), options.logIndex(), clients)
                        .workRoot(work).environment(environment).build().run(job), options.datasetConcurrency()),
                admission, shared, options.polling(), Clock.systemUTC(), judgeKey);
        JobEngine engine = JobEngine.start("flywheel", context, options.clusterConfig(), options.reconcileEvery());
        registerMetrics(metrics, admission, engine, options);
        return new EngineRuntime(admission, shared, es, engine, context, options.maxQueued());
    }

    /**
     * Admission gauges for Prometheus. Redis is read every few seconds in the background (a gauge must answer
     * at once, and scrapes must not wait on Redis).
     */
    private static void registerMetrics(MeterRegistry metrics, RedisAdmission admission, JobEngine engine, EngineOptions options) {
        java.util.concurrent.atomic.AtomicLong used = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong waiting = new java.util.concurrent.atomic.AtomicLong();
        io.micrometer.core.instrument.Gauge.builder("flywheel.engine.gpus.capacity", options::gpus)
                .description("GPUs the engine may deploy at once").register(metrics);
        io.micrometer.core.instrument.Gauge.builder("flywheel.engine.gpus.used", used::get)
                .description("GPUs held by candidates and shared deployments").register(metrics);
        io.micrometer.core.instrument.Gauge.builder("flywheel.engine.queue.waiting", waiting::get)
                .description("candidates and shared deployments waiting for GPUs").register(metrics);
        io.micrometer.core.instrument.FunctionCounter.builder("flywheel.engine.reaped", engine.reaper(), r -> r.reaped())
                .description("orphaned NeMo resources stopped by the reaper").register(metrics);
        engine.system().scheduler().scheduleWithFixedDelay(java.time.Duration.ZERO, java.time.Duration.ofSeconds(5), () -> {
            admission.used().thenAccept(used::set);
            admission.waiting().thenAccept(waiting::set);
        }, engine.system().executionContext());
    }

    private static Path workDirectory(Path dataDir) {
        try {
            if (dataDir == null) {
                return Files.createTempDirectory("flywheel-datasets");
            }
            return Files.createDirectories(dataDir.resolve("datasets-work"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public JobEngine engine() {
        return engine;
    }

    /** DeleteJob's NeMo cleanup, on the engine's NeMo clients. */
    public JobCleanup cleaner() {
        return new JobCleanup(context.nemo());
    }

    /** CreateJob is refused while {@code max-queued} candidates already wait for GPUs. */
    public JobService.Backpressure backpressure() {
        return () -> admission.waiting().thenAccept(waiting -> {
            if (waiting >= maxQueued) {
                throw FlywheelException.resourceExhausted("The job queue is full (" + waiting
                        + " candidates wait for GPUs); retry later", Duration.ofSeconds(30));
            }
        });
    }

    public RedisAdmission admission() {
        return admission;
    }

    @Override
    public void close() {
        engine.close();
        admission.close();
        shared.close();
        elasticsearch.ifCreated(client -> {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing; nothing to do
            }
        });
    }

    /** A value made on first use, once. */
    private static final class Lazy<T> {
        private final Supplier<T> make;
        private T value;

        Lazy(Supplier<T> make) {
            this.make = make;
        }

        synchronized T get() {
            if (value == null) {
                value = make.get();
            }
            return value;
        }

        synchronized void ifCreated(java.util.function.Consumer<T> action) {
            if (value != null) {
                action.accept(value);
            }
        }
    }
}
