package dev.flywheel.clients.admission;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One Lua script, run atomically by Redis. It is sent by its SHA1 (EVALSHA) and, when Redis does not know it
 * yet (first use, or Redis restarted), once in full (EVAL, which also caches it).
 * <p>Scripts that find the cache gone answer the error {@value #NEEDS_REBUILD}; see {@link #needsRebuild}.
 */
final class LuaScript {

    /** The error a script answers when its epoch marker is missing, i.e. the state must be rebuilt first. */
    static final String NEEDS_REBUILD = "NEEDS_REBUILD";

    /** The guard every state-reading script starts with; the epoch marker is always the key passed first. */
    static final String EPOCH_GUARD = """
            if redis.call('EXISTS', KEYS[1]) == 0 then
              return redis.error_reply('NEEDS_REBUILD state missing, rebuild from the truth')
            end
            """;

    private final String text;
    private final String sha;

    LuaScript(RedisAsyncCommands<String, String> commands, String text) {
        this.text = text;
        this.sha = commands.digest(text); // computed locally, no round trip
    }

    <T> CompletableFuture<T> run(RedisAsyncCommands<String, String> commands, ScriptOutputType type,
                                 String[] keys, String... args) {
        CompletableFuture<T> bySha = commands.<T>evalsha(sha, type, keys, args).toCompletableFuture();
        return bySha.exceptionallyCompose(e -> unwrap(e) instanceof RedisNoScriptException
                ? commands.<T>eval(text, type, keys, args).toCompletableFuture()
                : CompletableFuture.failedFuture(e));
    }

    /** True if {@code failure} is a script's answer that its state is missing. */
    static boolean needsRebuild(Throwable failure) {
        Throwable cause = unwrap(failure);
        return cause instanceof RedisCommandExecutionException
                && cause.getMessage() != null && cause.getMessage().startsWith(NEEDS_REBUILD);
    }

    static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
