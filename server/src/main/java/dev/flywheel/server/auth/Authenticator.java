package dev.flywheel.server.auth;

import dev.flywheel.core.auth.ApiKeyTokens;
import dev.flywheel.core.auth.Principal;
import dev.flywheel.core.store.ApiKeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a bearer token into a {@link Principal}. The stored key is cached for {@code cacheTtl} so a request does
 * not cost a MongoDB read; the secret is checked against the hash on every request, and expiry against the clock.
 */
public final class Authenticator {

    private record Cached(Optional<ApiKeyStore.StoredKey> key, Instant readAt) {}

    /** Bounded so tokens with random ids cannot grow the cache without limit. */
    private static final int MAX_CACHED = 10_000;

    private final ApiKeyStore store;
    private final Clock clock;
    private final Duration cacheTtl;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    public Authenticator(ApiKeyStore store, Clock clock, Duration cacheTtl) {
        this.store = store;
        this.clock = clock;
        this.cacheTtl = cacheTtl;
    }

    /** The caller for an {@code authorization} header value; empty when it is missing, malformed, unknown, revoked or expired. */
    public CompletableFuture<Optional<Principal>> authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Optional<ApiKeyTokens.Parsed> token = ApiKeyTokens.parse(authorization.substring(7).trim());
        if (token.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        ApiKeyTokens.Parsed parsed = token.get();
        Instant now = clock.instant();
        Cached cached = cache.get(parsed.id());
        CompletableFuture<Optional<ApiKeyStore.StoredKey>> key;
        if (cached != null && cached.readAt().plus(cacheTtl).isAfter(now)) {
            key = CompletableFuture.completedFuture(cached.key());
        } else {
            key = store.get(parsed.id()).thenApply(found -> {
                if (cache.size() >= MAX_CACHED) {
                    cache.clear();
                }
                cache.put(parsed.id(), new Cached(found, now));
                return found;
            });
        }
        return key.thenApply(found -> found
                .filter(k -> k.isActive(clock.instant()))
                .filter(k -> ApiKeyTokens.matches(parsed.secret(), k.salt(), k.hash()))
                .map(k -> new Principal(k.id(), k.name(), k.role(), k.clientIds())));
    }

    /** Forgets a key at once (this node's revocations need not wait for the cache). */
    public void forget(String keyId) {
        cache.remove(keyId);
    }
}
