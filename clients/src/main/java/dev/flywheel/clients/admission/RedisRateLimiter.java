package dev.flywheel.clients.admission;

import dev.flywheel.core.auth.RateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@link RateLimiter} as one Redis hash per key ({@code tokens}, {@code at}), refilled and taken from in one Lua
 * script on Redis's own clock, so every server node shares the same bucket and clock skew between nodes does not
 * matter. The hash expires once it would be full again: idle keys cost nothing. Losing Redis loses only the
 * buckets (everyone starts full), which is all a rate limit needs.
 */
public final class RedisRateLimiter implements RateLimiter, AutoCloseable {

    // KEYS[1] = bucket; ARGV = tokens per second, burst. Returns {allowed (0|1), milliseconds until a token}.
    private static final String TAKE = """
            redis.replicate_commands()
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            local rate = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            local tokens = tonumber(state[1]) or burst
            local at = tonumber(state[2]) or now
            tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
            local allowed = 0
            local wait = 0
            if tokens >= 1 then
              tokens = tokens - 1
              allowed = 1
            else
              wait = math.ceil((1 - tokens) * 1000 / rate)
            end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
            redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
            return {allowed, wait}
            """;

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final LuaScript take;
    private final String prefix;
    private final double perSecond;
    private final int burst;

    private RedisRateLimiter(RedisClient client, String prefix, double perSecond, int burst) {
        this.client = client;
        this.connection = client.connect();
        this.redis = connection.async();
        this.take = new LuaScript(redis, TAKE);
        this.prefix = prefix;
        this.perSecond = perSecond;
        this.burst = burst;
    }

    /** Connects (blocking, once, at startup); {@code perSecond} tokens are added per second up to {@code burst}. */
    public static RedisRateLimiter open(String redisUri, String prefix, double perSecond, int burst) {
        if (perSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("rate must be positive and burst at least 1");
        }
        return new RedisRateLimiter(RedisClient.create(redisUri), prefix, perSecond, burst);
    }

    @Override
    public CompletableFuture<Decision> tryAcquire(String key) {
        return take.<List<Long>>run(redis, ScriptOutputType.MULTI, new String[] {prefix + key},
                        Double.toString(perSecond), Integer.toString(burst))
                .thenApply(r -> r.get(0) == 1L ? Decision.ALLOWED : new Decision(false, Duration.ofMillis(r.get(1))));
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
