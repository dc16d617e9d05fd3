package dev.flywheel.server;

import com.linecorp.armeria.server.healthcheck.SettableHealthChecker;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.clients.admission.RedisRateLimiter;
import dev.flywheel.clients.mongo.MongoStores;
import dev.flywheel.core.store.JobStore;
import dev.flywheel.server.auth.ApiKeyService;
import dev.flywheel.server.auth.AuthOptions;
import dev.flywheel.server.auth.Authenticator;
import dev.flywheel.server.job.JobService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the API serves from: the MongoDB stores, the job use cases, the metrics registry and the health
 * signal. Health is "serving" only while MongoDB answers a ping (checked every {@link #HEALTH_INTERVAL}),
 * because without the system of record no request can be answered truthfully.
 */
public final class FlywheelApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FlywheelApp.class);
    static final Duration HEALTH_INTERVAL = Duration.ofSeconds(2);

    private final MongoStores stores;
    private final JobService jobs;
    private final JobConfig defaultJobConfig;
    private final PrometheusMeterRegistry metrics;
    private final SettableHealthChecker health = new SettableHealthChecker(false);
    private final ScheduledExecutorService pinger;

    private final EngineRuntime engine;
    private final AuthOptions auth;
    private final ApiKeyService apiKeys;
    private final java.util.List<AutoCloseable> closeables = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Starts the job engine of an app, given its job store and metrics registry. */
    @FunctionalInterface
    public interface EngineStarter {
        EngineRuntime start(JobStore jobs, MeterRegistry metrics);
    }

    private FlywheelApp(MongoStores stores, JobConfig defaultJobConfig, EngineStarter engineStarter, AuthOptions auth) {
        this.stores = stores;
        this.auth = auth;
        this.apiKeys = new ApiKeyService(stores.apiKeys(), new Authenticator(stores.apiKeys(), Clock.systemUTC(), auth.keyCacheTtl()),
                Clock.systemUTC());
        this.defaultJobConfig = defaultJobConfig;
        this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.engine = engineStarter == null ? null : engineStarter.start(stores.jobs(), metrics);
        this.jobs = engine == null
                ? new JobService(stores.jobs(), stores.configs(), defaultJobConfig, Clock.systemUTC(), metrics)
                : new JobService(stores.jobs(), stores.configs(), defaultJobConfig, Clock.systemUTC(), metrics,
                        engine.engine(), engine.backpressure());
        if (engine != null) {
            jobs.setResourceCleaner(engine.cleaner());
        }
        if (auth.enabled()) {
            jobs.setMaxWatchesPerKey(auth.maxWatchesPerKey());
        }
        this.pinger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flywheel-mongo-health");
            t.setDaemon(true);
            return t;
        });
        health.setHealthy(true);
        pinger.scheduleWithFixedDelay(this::checkMongo, HEALTH_INTERVAL.toMillis(), HEALTH_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Connects to MongoDB (creating indexes) and builds the API services, without a job engine (jobs are stored
     * and served but not run) and without API keys: for tests and benchmarks of the API itself. Blocks until the
     * store is ready. The server goes through {@link #open(String, String, JobConfig, EngineStarter, AuthOptions)}.
     */
    public static FlywheelApp open(String mongoUri, String database, JobConfig defaultJobConfig) {
        return open(mongoUri, database, defaultJobConfig, null, AuthOptions.off());
    }

    /** Like {@link #open(String, String, JobConfig)}, plus the job engine that runs the jobs. */
    public static FlywheelApp open(String mongoUri, String database, JobConfig defaultJobConfig, EngineStarter engine) {
        return open(mongoUri, database, defaultJobConfig, engine, AuthOptions.off());
    }

    /** The app with its engine (null: none) and authentication as {@code auth} says. */
    public static FlywheelApp open(String mongoUri, String database, JobConfig defaultJobConfig, EngineStarter engine,
                                   AuthOptions auth) {
        return new FlywheelApp(MongoStores.open(mongoUri, database).join(), defaultJobConfig, engine, auth);
    }

    public AuthOptions auth() {
        return auth;
    }

    /** Limits job creation per API key with Redis at {@code redisUri} (shared by every node); closed with the app. */
    public void limitJobCreation(String redisUri) {
        if (!auth.enabled() || auth.createJobsPerMinute() <= 0) {
            return;
        }
        RedisRateLimiter limiter = RedisRateLimiter.open(redisUri, "fw:rate:", auth.createJobsPerMinute() / 60.0,
                Math.max(1, auth.createBurst()));
        jobs.setCreateLimiter(limiter);
        closeables.add(limiter);
    }

    /** API keys: the admin RPCs, the first admin key, keys for in-process clients such as the demo. */
    public ApiKeyService apiKeys() {
        return apiKeys;
    }

    /** The job engine, or null when this server only serves the API. */
    public EngineRuntime engine() {
        return engine;
    }

    private void checkMongo() {
        try {
            stores.jobs().ping().get(HEALTH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            if (!health.isHealthy()) {
                log.info("MongoDB answers again; serving");
            }
            health.setHealthy(true);
        } catch (Exception e) {
            if (health.isHealthy()) {
                log.warn("MongoDB does not answer; health is NOT_SERVING: {}", e.toString());
            }
            health.setHealthy(false);
        }
    }

    public MongoStores stores() {
        return stores;
    }

    public JobService jobs() {
        return jobs;
    }

    public JobConfig defaultJobConfig() {
        return defaultJobConfig;
    }

    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    public SettableHealthChecker health() {
        return health;
    }

    @Override
    public void close() {
        pinger.shutdownNow();
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", c, e.toString());
            }
        }
        if (engine != null) {
            engine.close();
        }
        stores.close();
    }
}
