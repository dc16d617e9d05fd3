package dev.flywheel.clients.admission;

import dev.flywheel.core.engine.SharedRefs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@link SharedRefs} in Redis: one set of job ids per shared deployment. Release is one Lua script, so of many
 * jobs releasing at once exactly the one that empties the set is told to tear the deployment down. Like
 * {@link RedisAdmission} the state is a cache: a script that finds the epoch marker gone answers NEEDS_REBUILD and
 * the state is restored from {@code truth} (the job documents) before the operation is retried once. For that
 * restore to hand the teardown to the right job, a job must drop a deployment from its document only after
 * {@link #release} answered.
 * <p>Keys, all starting with the prefix: {@code epoch} (string, millis of the last rebuild; absent = state lost),
 * {@code deployments} (set of deployment names that have users) and {@code users:<deployment>} (set of job ids).
 * The users and rebuild scripts derive the per-deployment keys from the index, so all keys must live on one Redis
 * node; on a Redis Cluster give the prefix a hash tag, e.g. {@code "{fw:shared}:"}.
 */
public final class RedisSharedRefs implements SharedRefs, AutoCloseable {

    // acquire: KEYS = epoch, index, users set; ARGV = job, deployment. Returns the number of users after the add.
    private static final String ACQUIRE = LuaScript.EPOCH_GUARD + """
            redis.call('SADD', KEYS[3], ARGV[1])
            redis.call('SADD', KEYS[2], ARGV[2])
            return redis.call('SCARD', KEYS[3])
            """;

    // release: 1 only if this call removed the last user (Redis deletes the empty set itself), else 0.
    // Requiring SREM to have removed the job makes a repeated or late release answer 0: the teardown is decided once.
    private static final String RELEASE = LuaScript.EPOCH_GUARD + """
            if redis.call('SREM', KEYS[3], ARGV[1]) == 1 and redis.call('SCARD', KEYS[3]) == 0 then
              redis.call('SREM', KEYS[2], ARGV[2])
              return 1
            end
            return 0
            """;

    // users: KEYS = epoch, index; ARGV[1] = prefix of the users sets. Returns deployment, {jobs}, deployment, ...
    private static final String USERS = LuaScript.EPOCH_GUARD + """
            local out = {}
            for _, deployment in ipairs(redis.call('SMEMBERS', KEYS[2])) do
              table.insert(out, deployment)
              table.insert(out, redis.call('SMEMBERS', ARGV[1] .. deployment))
            end
            return out
            """;

    // rebuild: KEYS = epoch, index; ARGV = mode ('always' | 'if-missing'), epoch value, prefix of the users sets,
    // then per deployment: name, number of jobs, jobs. 'if-missing' keeps a state another caller restored first.
    private static final String REBUILD = """
            if ARGV[1] == 'if-missing' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            for _, deployment in ipairs(redis.call('SMEMBERS', KEYS[2])) do
              redis.call('DEL', ARGV[3] .. deployment)
            end
            redis.call('DEL', KEYS[2])
            local i = 4
            while i <= #ARGV do
              local deployment, n = ARGV[i], tonumber(ARGV[i + 1])
              for j = 1, n do
                redis.call('SADD', ARGV[3] .. deployment, ARGV[i + 1 + j])
                redis.call('SADD', KEYS[2], deployment)
              end
              i = i + 2 + n
            end
            redis.call('SET', KEYS[1], ARGV[2])
            return 1
            """;

    private final RedisAsyncCommands<String, String> redis;
    private final String epochKey;
    private final String indexKey;
    private final String usersPrefix;
    private final LuaScript acquireScript;
    private final LuaScript releaseScript;
    private final LuaScript usersScript;
    private final LuaScript rebuildScript;
    private final RebuildOnMissing rebuildOnMissing;
    private final RedisClient ownedClient; // set only by open(), closed by close()

    /**
     * @param connection shared, not closed by {@link #close()}
     * @param keyPrefix  e.g. {@code "fw:shared:"}
     * @param truth      reads deployment → job ids from the job documents, called when Redis lost the state
     */
    public RedisSharedRefs(StatefulRedisConnection<String, String> connection, String keyPrefix,
                           Supplier<CompletableFuture<Map<String, Set<String>>>> truth) {
        this(connection, keyPrefix, truth, null);
    }

    private RedisSharedRefs(StatefulRedisConnection<String, String> connection, String keyPrefix,
                            Supplier<CompletableFuture<Map<String, Set<String>>>> truth, RedisClient ownedClient) {
        Objects.requireNonNull(truth, "truth");
        this.redis = connection.async();
        this.epochKey = keyPrefix + "epoch";
        this.indexKey = keyPrefix + "deployments";
        this.usersPrefix = keyPrefix + "users:";
        this.acquireScript = new LuaScript(redis, ACQUIRE);
        this.releaseScript = new LuaScript(redis, RELEASE);
        this.usersScript = new LuaScript(redis, USERS);
        this.rebuildScript = new LuaScript(redis, REBUILD);
        this.rebuildOnMissing = new RebuildOnMissing(() -> truth.get().thenCompose(users -> write(users, "if-missing")));
        this.ownedClient = ownedClient;
    }

    /** Connects to {@code redisUri} (blocking, once, at startup); {@link #close()} disconnects. */
    public static RedisSharedRefs open(String redisUri, String keyPrefix,
                                       Supplier<CompletableFuture<Map<String, Set<String>>>> truth) {
        RedisClient client = RedisClient.create(redisUri);
        try {
            return new RedisSharedRefs(client.connect(), keyPrefix, truth, client);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    @Override
    public CompletableFuture<Long> acquire(String deployment, String jobId) {
        if (isEmpty(deployment) || isEmpty(jobId)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("deployment and jobId must not be empty"));
        }
        String[] keys = {epochKey, indexKey, usersPrefix + deployment};
        return rebuildOnMissing.call(() -> acquireScript.run(redis, ScriptOutputType.INTEGER, keys, jobId, deployment));
    }

    @Override
    public CompletableFuture<Boolean> release(String deployment, String jobId) {
        if (isEmpty(deployment) || isEmpty(jobId)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("deployment and jobId must not be empty"));
        }
        String[] keys = {epochKey, indexKey, usersPrefix + deployment};
        return rebuildOnMissing.<Long>call(() -> releaseScript.run(redis, ScriptOutputType.INTEGER, keys, jobId, deployment))
                .thenApply(answer -> answer == 1);
    }

    @Override
    public CompletableFuture<Map<String, Set<String>>> users() {
        String[] keys = {epochKey, indexKey};
        return rebuildOnMissing.<List<Object>>call(() -> usersScript.run(redis, ScriptOutputType.MULTI, keys, usersPrefix))
                .thenApply(RedisSharedRefs::toMap);
    }

    @Override
    public CompletableFuture<Void> rebuild(Map<String, Set<String>> users) {
        return write(users, "always");
    }

    private CompletableFuture<Void> write(Map<String, Set<String>> users, String mode) {
        List<String> args = new ArrayList<>();
        args.add(mode);
        args.add(Long.toString(System.currentTimeMillis()));
        args.add(usersPrefix);
        users.forEach((deployment, jobs) -> {
            args.add(deployment);
            args.add(Integer.toString(jobs.size()));
            args.addAll(jobs);
        });
        String[] keys = {epochKey, indexKey};
        return rebuildScript.<Long>run(redis, ScriptOutputType.INTEGER, keys, args.toArray(String[]::new))
                .thenApply(answer -> null);
    }

    /** Turns the flat answer of the users script (name, [jobs], name, [jobs], ...) into a map. */
    @SuppressWarnings("unchecked")
    private static Map<String, Set<String>> toMap(List<Object> flat) {
        Map<String, Set<String>> users = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            users.put((String) flat.get(i), Set.copyOf((List<String>) flat.get(i + 1)));
        }
        return users;
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    /** Disconnects if this instance was made by {@link #open}; a connection passed in stays open. */
    @Override
    public void close() {
        if (ownedClient != null) {
            ownedClient.shutdown();
        }
    }
}
