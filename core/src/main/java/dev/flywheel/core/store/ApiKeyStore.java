package dev.flywheel.core.store;

import dev.flywheel.core.auth.Role;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Stored API keys: never the secret, only its salted hash. */
public interface ApiKeyStore {

    /** One key as stored. */
    record StoredKey(String id, String name, Role role, Set<String> clientIds, String salt, String hash, Instant createdAt,
                     Instant expiresAt, Instant revokedAt) {

        public boolean isActive(Instant now) {
            return revokedAt == null && now.isBefore(expiresAt);
        }

        public String state(Instant now) {
            return revokedAt != null ? "revoked" : now.isBefore(expiresAt) ? "active" : "expired";
        }

        @Override
        public String toString() { // no hash or salt in logs
            return "StoredKey[" + id + " " + name + " " + role.wire() + "]";
        }
    }

    CompletableFuture<Void> insert(StoredKey key);

    CompletableFuture<Optional<StoredKey>> get(String id);

    /** Every key, newest first. */
    CompletableFuture<List<StoredKey>> list();

    /** Marks the key revoked (once); the key after the change, empty if there is no such key. */
    CompletableFuture<Optional<StoredKey>> revoke(String id, Instant at);

    /** Whether any admin key is active at {@code now}. */
    CompletableFuture<Boolean> hasActiveAdmin(Instant now);
}
