package dev.flywheel.devstack;

import dev.flywheel.emulator.NemoEmulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The local infrastructure of the demo and the tests: MongoDB, Redis and Elasticsearch, each either external
 * (a URI was given) or started here on 127.0.0.1 ({@link LocalMongo}, {@link LocalRedis}, {@link LocalElasticsearch}).
 * Mongo and Redis start in {@link Builder#start()} (milliseconds); Elasticsearch costs a child JVM and ~10 s, so
 * it starts on the first {@link #elasticsearchUrl()} (or {@link #warmUpElasticsearch()}), once, thread-safely.
 * {@link #close()} stops only what this instance started.
 *
 * <pre>{@code
 * try (DevStack stack = DevStack.builder().dataDir(Path.of("data")).start()) {
 *     MongoClients.create(stack.mongoUri()); ...
 * }
 * }</pre>
 */
public final class DevStack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DevStack.class);

    private final String mongoUri;
    private final String redisUri;
    private final String externalElasticsearchUrl;
    private final boolean elasticsearchWanted;
    private final LocalMongo localMongo;
    private final LocalRedis localRedis;
    private final NemoEmulator nemoEmulator;
    private CompletableFuture<LocalElasticsearch> localElasticsearch; // guarded by this
    private boolean closed; // guarded by this

    private DevStack(Builder b, LocalMongo localMongo, LocalRedis localRedis, NemoEmulator nemoEmulator) {
        this.localMongo = localMongo;
        this.localRedis = localRedis;
        this.nemoEmulator = nemoEmulator;
        this.mongoUri = localMongo != null ? localMongo.connectionString() : b.mongoUri;
        this.redisUri = localRedis != null ? localRedis.uri() : b.redisUri;
        this.externalElasticsearchUrl = b.elasticsearchUrl;
        this.elasticsearchWanted = b.elasticsearch;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code mongodb://...}: the external URI, or the local stand-in's. */
    public String mongoUri() {
        return mongoUri;
    }

    /** {@code redis://...}: the external URI, or the local redis-server's. */
    public String redisUri() {
        return redisUri;
    }

    /**
     * {@code http://...}: the external URL, or the local node's, which is started by the first call (blocking
     * for ~10 s) and shared by all later calls.
     *
     * @throws IllegalStateException if Elasticsearch was disabled, or the local node failed to start
     */
    public String elasticsearchUrl() {
        if (externalElasticsearchUrl != null) {
            return externalElasticsearchUrl;
        }
        try {
            return elasticsearchFuture().join().url();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    /** Starts the local Elasticsearch node in the background, so that a later {@link #elasticsearchUrl()} waits less. */
    public void warmUpElasticsearch() {
        if (externalElasticsearchUrl == null) {
            elasticsearchFuture();
        }
    }

    /** True if no external Elasticsearch URL was given, i.e. {@link #elasticsearchUrl()} is (or will be) a local node. */
    public boolean isElasticsearchLocal() {
        return externalElasticsearchUrl == null;
    }

    /** True if Elasticsearch is external, or local and already started (or starting). */
    public synchronized boolean isElasticsearchStarted() {
        return externalElasticsearchUrl != null || localElasticsearch != null;
    }

    /** The locally started Mongo stand-in, or null when Mongo is external. */
    public LocalMongo localMongo() {
        return localMongo;
    }

    /** The NeMo emulator, when the builder asked for one ({@link Builder#nemoEmulator}); null otherwise. */
    public NemoEmulator nemoEmulator() {
        return nemoEmulator;
    }

    /** The locally started redis-server, or null when Redis is external. */
    public LocalRedis localRedis() {
        return localRedis;
    }

    private synchronized CompletableFuture<LocalElasticsearch> elasticsearchFuture() {
        if (closed) {
            throw new IllegalStateException("DevStack is closed");
        }
        if (!elasticsearchWanted) {
            throw new IllegalStateException("Elasticsearch was not enabled for this DevStack "
                    + "(Builder.elasticsearch(false) and no external URL)");
        }
        if (localElasticsearch == null) {
            // its own thread: a common-pool thread could be needed by the caller while it waits
            localElasticsearch = new CompletableFuture<>();
            CompletableFuture<LocalElasticsearch> future = localElasticsearch;
            Thread starter = new Thread(() -> {
                try {
                    future.complete(LocalElasticsearch.start());
                } catch (Throwable t) {
                    future.completeExceptionally(t);
                }
            }, "flywheel-es-start");
            starter.setDaemon(true);
            starter.start();
        }
        return localElasticsearch;
    }

    /** Stops whatever this instance started (waiting for an Elasticsearch start in progress). Idempotent. */
    @Override
    public void close() {
        CompletableFuture<LocalElasticsearch> es;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            es = localElasticsearch;
        }
        if (es != null) {
            try {
                es.join().stop();
            } catch (CompletionException e) {
                // it never started, so there is nothing to stop
            }
        }
        if (nemoEmulator != null) {
            nemoEmulator.close();
        }
        if (localRedis != null) {
            localRedis.stop();
        }
        if (localMongo != null) {
            localMongo.stop();
        }
        log.info("DevStack closed");
    }

    @Override
    public String toString() { // logged at start: URIs lose any user and password
        return "DevStack[mongo=" + withoutUserInfo(mongoUri) + (localMongo != null ? " (local)" : "")
                + ", redis=" + withoutUserInfo(redisUri) + (localRedis != null ? " (local)" : "")
                + ", elasticsearch=" + (externalElasticsearchUrl != null ? withoutUserInfo(externalElasticsearchUrl)
                : elasticsearchWanted ? "local, lazy" : "off")
                + (nemoEmulator != null ? ", nemo-emulator=" + nemoEmulator.platformUrl() : "") + "]";
    }

    /** {@code scheme://user:pass@host...} → {@code scheme://****@host...}. */
    static String withoutUserInfo(String uri) {
        if (uri == null) {
            return null;
        }
        int scheme = uri.indexOf("://");
        int at = uri.indexOf('@', scheme + 3);
        int slash = uri.indexOf('/', scheme + 3);
        return scheme > 0 && at > 0 && (slash < 0 || at < slash) ? uri.substring(0, scheme + 3) + "****" + uri.substring(at) : uri;
    }

    /** Which services are external (non-null URI) and how the local ones are started. */
    public static final class Builder {
        private String mongoUri;
        private String redisUri;
        private String elasticsearchUrl;
        private Path dataDir;
        private boolean elasticsearch = true;
        private boolean nemoEmulator;
        private double nemoTimeScale = 1.0;
        private long nemoSeed = 42;

        private Builder() {
        }

        /**
         * Also start the NeMo emulator (platform, NIM proxy and Data Store on free ports) with this time scale
         * (delays are multiplied by it: 0.2 makes a flywheel run about a minute) and seed.
         */
        public Builder nemoEmulator(double timeScale, long seed) {
            this.nemoEmulator = true;
            this.nemoTimeScale = timeScale;
            this.nemoSeed = seed;
            return this;
        }

        /** External MongoDB; null or blank = start {@link LocalMongo}. */
        public Builder mongoUri(String uri) {
            this.mongoUri = blankToNull(uri);
            return this;
        }

        /** External Redis; null or blank = start {@link LocalRedis}. */
        public Builder redisUri(String uri) {
            this.redisUri = blankToNull(uri);
            return this;
        }

        /** External Elasticsearch; null or blank = start {@link LocalElasticsearch} when first needed. */
        public Builder elasticsearchUrl(String url) {
            this.elasticsearchUrl = blankToNull(url);
            return this;
        }

        /** Where the local Mongo keeps its data ({@code dataDir/mongo.mv}); null (default) = in memory. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Whether Elasticsearch may be used at all (default true). Without it no ES JVM is ever started. */
        public Builder elasticsearch(boolean wanted) {
            this.elasticsearch = wanted;
            return this;
        }

        /** Starts the local Mongo and Redis that are not external; Elasticsearch stays lazy. */
        public DevStack start() {
            LocalMongo mongo = mongoUri == null ? LocalMongo.start(dataDir) : null;
            LocalRedis redis;
            try {
                redis = redisUri == null ? LocalRedis.start() : null;
            } catch (RuntimeException e) {
                if (mongo != null) {
                    mongo.stop();
                }
                throw e;
            }
            NemoEmulator nemo;
            try {
                nemo = nemoEmulator ? NemoEmulator.builder().seed(nemoSeed).timeScale(nemoTimeScale)
                        .bindHost("127.0.0.1").start() : null;
            } catch (RuntimeException e) {
                if (redis != null) {
                    redis.stop();
                }
                if (mongo != null) {
                    mongo.stop();
                }
                throw e;
            }
            DevStack stack = new DevStack(this, mongo, redis, nemo);
            log.info("{} started", stack);
            return stack;
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s;
        }
    }
}
