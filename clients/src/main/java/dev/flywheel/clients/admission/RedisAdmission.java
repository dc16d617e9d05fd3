package dev.flywheel.clients.admission;

import dev.flywheel.core.engine.Admission;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@link Admission} in Redis: a strict FIFO of holders waiting for GPUs and the set of holders that have them,
 * shared by every Flywheel instance that uses the same Redis and key prefix. Each operation is one Lua script,
 * so checking the capacity and taking GPUs can never interleave with another caller. Redis is only a cache
 * (promise P7): when a script finds the epoch marker gone (FLUSHALL, restart without persistence, eviction) it
 * answers NEEDS_REBUILD, and this class restores the state from {@code truth} (MongoDB) before retrying once.
 * <p>Keys, all starting with the prefix:
 * <ul>
 *   <li>{@code epoch} – string, the millis of the last rebuild; its absence means "state lost"</li>
 *   <li>{@code waiting} – sorted set of waiting holders, score = order (ties by holder name)</li>
 *   <li>{@code sizes} – hash holder → GPUs wanted, for waiting holders</li>
 *   <li>{@code held} – hash holder → GPUs held, for admitted holders</li>
 *   <li>{@code used} – integer, the sum of {@code held}, kept by the scripts so no script sums a hash</li>
 * </ul>
 * Every script is given all five keys, so on a Redis Cluster the prefix must hold a hash tag, e.g. {@code "{fw:adm}:"}.
 * <p>Admission is pulled, not pushed: a waiting holder gets its GPUs on its own next {@link #request}, once it is
 * the head of the line and they are free, so callers ask again (e.g. after a release or on a timer).
 */
public final class RedisAdmission implements Admission, AutoCloseable {

    // request: returns 0 = admitted (now or before), n > 0 = 1-based position among waiting holders.
    // Only the head of the queue may take GPUs, so a small late request never overtakes a big early one.
    private static final String REQUEST = LuaScript.EPOCH_GUARD + """
            local holder, gpus, order, capacity = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
            if redis.call('HEXISTS', KEYS[4], holder) == 1 then return 0 end
            -- NX: the first request fixes the place in line and the size
            redis.call('ZADD', KEYS[2], 'NX', order, holder)
            redis.call('HSETNX', KEYS[3], holder, gpus)
            if redis.call('ZRANGE', KEYS[2], 0, 0)[1] == holder then
              local need = tonumber(redis.call('HGET', KEYS[3], holder))
              local used = tonumber(redis.call('GET', KEYS[5]) or '0')
              if used + need <= capacity then
                redis.call('ZREM', KEYS[2], holder)
                redis.call('HDEL', KEYS[3], holder)
                redis.call('HSET', KEYS[4], holder, need)
                redis.call('INCRBY', KEYS[5], need)
                return 0
              end
            end
            return redis.call('ZRANK', KEYS[2], holder) + 1
            """;

    // release: gives back what the holder holds and drops it from the queue; a no-op for unknown holders.
    private static final String RELEASE = LuaScript.EPOCH_GUARD + """
            local held = redis.call('HGET', KEYS[4], ARGV[1])
            if held then
              redis.call('HDEL', KEYS[4], ARGV[1])
              redis.call('DECRBY', KEYS[5], held)
            end
            redis.call('ZREM', KEYS[2], ARGV[1])
            redis.call('HDEL', KEYS[3], ARGV[1])
            return 0
            """;

    // waiting: the number of waiting holders (a script only for the epoch guard).
    private static final String WAITING = LuaScript.EPOCH_GUARD + """
            return redis.call('ZCARD', KEYS[2])
            """;

    // used: the GPUs held (a script only for the epoch guard).
    private static final String USED = LuaScript.EPOCH_GUARD + """
            return tonumber(redis.call('GET', KEYS[5]) or '0')
            """;

    // rebuild: replaces everything with the snapshot and writes the epoch marker.
    // ARGV: mode ('always' | 'if-missing'), epoch value, number of holdings, holdings as (holder, gpus) pairs,
    // then waiting holders as (holder, gpus, order) triples. 'if-missing' is the automatic restore: when another
    // caller or instance restored first, its state (and any admission made since) is kept.
    // A holder listed twice, or as both holding and waiting, counts once, as holding.
    private static final String REBUILD = """
            if ARGV[1] == 'if-missing' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
            local i, used = 4, 0
            for _ = 1, tonumber(ARGV[3]) do
              if redis.call('HSETNX', KEYS[4], ARGV[i], ARGV[i + 1]) == 1 then used = used + tonumber(ARGV[i + 1]) end
              i = i + 2
            end
            while i <= #ARGV do
              if redis.call('HEXISTS', KEYS[4], ARGV[i]) == 0
                  and redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 1]) == 1 then
                redis.call('ZADD', KEYS[2], ARGV[i + 2], ARGV[i])
              end
              i = i + 3
            end
            redis.call('SET', KEYS[5], used)
            redis.call('SET', KEYS[1], ARGV[2])
            return 1
            """;

    private final RedisAsyncCommands<String, String> redis;
    private final String[] keys;
    private final int capacity;
    private final Supplier<CompletableFuture<Snapshot>> truth;
    private final LuaScript requestScript;
    private final LuaScript releaseScript;
    private final LuaScript waitingScript;
    private final LuaScript usedScript;
    private final LuaScript rebuildScript;
    private final RebuildOnMissing rebuildOnMissing;
    private final RedisClient ownedClient; // set only by open(), closed by close()

    /**
     * @param connection shared, not closed by {@link #close()}
     * @param keyPrefix  e.g. {@code "fw:adm:"}; instances with the same prefix share one queue
     * @param capacity   the GPUs this service may hold at once
     * @param truth      reads the holdings and waiting holders from MongoDB, called when Redis lost the state
     */
    public RedisAdmission(StatefulRedisConnection<String, String> connection, String keyPrefix, int capacity,
                          Supplier<CompletableFuture<Snapshot>> truth) {
        this(connection, keyPrefix, capacity, truth, null);
    }

    private RedisAdmission(StatefulRedisConnection<String, String> connection, String keyPrefix, int capacity,
                           Supplier<CompletableFuture<Snapshot>> truth, RedisClient ownedClient) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        this.redis = connection.async();
        this.keys = new String[] {keyPrefix + "epoch", keyPrefix + "waiting", keyPrefix + "sizes",
                keyPrefix + "held", keyPrefix + "used"};
        this.capacity = capacity;
        this.truth = Objects.requireNonNull(truth, "truth");
        this.requestScript = new LuaScript(redis, REQUEST);
        this.releaseScript = new LuaScript(redis, RELEASE);
        this.waitingScript = new LuaScript(redis, WAITING);
        this.usedScript = new LuaScript(redis, USED);
        this.rebuildScript = new LuaScript(redis, REBUILD);
        this.rebuildOnMissing = new RebuildOnMissing(
                () -> this.truth.get().thenCompose(snapshot -> write(snapshot, "if-missing")));
        this.ownedClient = ownedClient;
    }

    /** Connects to {@code redisUri} (blocking, once, at startup); {@link #close()} disconnects. */
    public static RedisAdmission open(String redisUri, String keyPrefix, int capacity,
                                      Supplier<CompletableFuture<Snapshot>> truth) {
        RedisClient client = RedisClient.create(redisUri);
        try {
            return new RedisAdmission(client.connect(), keyPrefix, capacity, truth, client);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public CompletableFuture<Ticket> request(String holder, int gpus, double order) {
        if (holder == null || holder.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("holder must not be empty"));
        }
        if (gpus < 0 || gpus > capacity) {
            // more than the capacity could never be admitted and would block everyone behind it forever
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "holder " + holder + " wants " + gpus + " GPUs; allowed are 0.." + capacity));
        }
        if (!Double.isFinite(order)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("order must be finite, got " + order));
        }
        return rebuildOnMissing.<Long>call(() -> requestScript.run(redis, ScriptOutputType.INTEGER, keys,
                        holder, Integer.toString(gpus), Double.toString(order), Integer.toString(capacity)))
                .thenApply(answer -> answer == 0 ? Ticket.granted() : new Ticket(false, answer.intValue()));
    }

    @Override
    public CompletableFuture<Void> release(String holder) {
        // also restores a lost state first: otherwise a later restore could bring back a holder released now
        return rebuildOnMissing.<Long>call(() -> releaseScript.run(redis, ScriptOutputType.INTEGER, keys, holder))
                .thenApply(answer -> null);
    }

    @Override
    public CompletableFuture<Long> waiting() {
        return rebuildOnMissing.call(() -> waitingScript.run(redis, ScriptOutputType.INTEGER, keys));
    }

    @Override
    public CompletableFuture<Integer> used() {
        return rebuildOnMissing.<Long>call(() -> usedScript.run(redis, ScriptOutputType.INTEGER, keys))
                .thenApply(Long::intValue);
    }

    @Override
    public CompletableFuture<Void> rebuild(Snapshot snapshot) {
        return write(snapshot, "always");
    }

    private CompletableFuture<Void> write(Snapshot snapshot, String mode) {
        List<String> args = new ArrayList<>();
        args.add(mode);
        args.add(Long.toString(System.currentTimeMillis()));
        args.add(Integer.toString(snapshot.holdings().size()));
        for (Holding h : snapshot.holdings()) {
            args.add(h.holder());
            args.add(Integer.toString(h.gpus()));
        }
        for (Waiting w : snapshot.waiting()) {
            args.add(w.holder());
            args.add(Integer.toString(w.gpus()));
            args.add(Double.toString(w.order()));
        }
        return rebuildScript.<Long>run(redis, ScriptOutputType.INTEGER, keys, args.toArray(String[]::new))
                .thenApply(answer -> null);
    }

    /** Disconnects if this instance was made by {@link #open}; a connection passed in stays open. */
    @Override
    public void close() {
        if (ownedClient != null) {
            ownedClient.shutdown();
        }
    }
}
