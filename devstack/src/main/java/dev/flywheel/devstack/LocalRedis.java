package dev.flywheel.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A real {@code redis-server} (6.2, shipped inside the embedded-redis jar) running as a child process on
 * 127.0.0.1. Machines and CI start without Redis installed, so the binary has to come from Maven.
 * Persistence is off ({@code save ""}, no AOF): it is a throwaway cache/queue for the demo and the tests.
 * {@link #stop()} terminates the process; embedded-redis also stops it from a JVM shutdown hook.
 */
public final class LocalRedis implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalRedis.class);
    private static final int START_ATTEMPTS = 3;

    private final RedisServer server;
    private final int port;

    private LocalRedis(RedisServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts redis-server on a free port of 127.0.0.1. */
    public static LocalRedis start() {
        return start(0);
    }

    /** Starts redis-server on {@code port} of 127.0.0.1; 0 picks a free port. */
    public static LocalRedis start(int port) {
        long t0 = System.nanoTime();
        IOException last = null;
        // A free port found by probing can be taken by someone else before redis binds it: retry with a new one.
        for (int attempt = 1; attempt <= (port == 0 ? START_ATTEMPTS : 1); attempt++) {
            int p = port == 0 ? FreePorts.find() : port;
            try {
                RedisServer server = RedisServer.newRedisServer()
                        .bind("127.0.0.1")
                        .port(p)
                        .setting("save \"\"")
                        .setting("appendonly no")
                        // read the child's output after startup so its pipe never fills up and blocks redis
                        .soutListener(line -> log.debug("redis: {}", line))
                        .serrListener(line -> log.warn("redis: {}", line))
                        .build();
                server.start();
                log.info("Redis started on 127.0.0.1:{} in {} ms", p, (System.nanoTime() - t0) / 1_000_000);
                return new LocalRedis(server, p);
            } catch (IOException e) {
                last = e;
                log.warn("redis-server did not start on port {} (attempt {}): {}", p, attempt, e.getMessage());
            }
        }
        throw new UncheckedIOException("could not start redis-server", last);
    }

    /** {@code redis://127.0.0.1:PORT} */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Stops the redis-server process (SIGTERM, then waits for it to exit). Idempotent. */
    public void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop redis-server on port " + port, e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "LocalRedis[" + uri() + "]";
    }
}
