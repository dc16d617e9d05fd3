package dev.flywheel.server.auth;

import com.google.protobuf.Timestamp;
import dev.flywheel.api.v1.ApiKey;
import dev.flywheel.api.v1.CreateApiKeyRequest;
import dev.flywheel.api.v1.CreateApiKeyResponse;
import dev.flywheel.api.v1.ListApiKeysResponse;
import dev.flywheel.core.auth.ApiKeyTokens;
import dev.flywheel.core.auth.Role;
import dev.flywheel.core.error.FieldViolation;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.core.store.ApiKeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creating, listing and revoking API keys (the admin RPCs, the first admin key, the demo's key). */
public final class ApiKeyService {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyService.class);
    static final Duration DEFAULT_LIFETIME = Duration.ofDays(90);
    static final Duration MAX_LIFETIME = Duration.ofDays(731);
    static final int MAX_CLIENT_IDS = 1000;

    private final ApiKeyStore store;
    private final Authenticator authenticator;
    private final Clock clock;

    public ApiKeyService(ApiKeyStore store, Authenticator authenticator, Clock clock) {
        this.store = store;
        this.authenticator = authenticator;
        this.clock = clock;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    /** Validates and stores a new key; the answer holds the only copy of its secret. */
    public CompletableFuture<CreateApiKeyResponse> create(CreateApiKeyRequest request) {
        Instant now = clock.instant();
        List<FieldViolation> bad = new ArrayList<>();
        if (request.getName().isBlank() || request.getName().length() > 128 || hasControl(request.getName())) {
            bad.add(new FieldViolation("name", "must be 1..128 characters without control characters"));
        }
        Role role = Role.parse(request.getRole()).orElse(null);
        if (role == null) {
            bad.add(new FieldViolation("role", "must be admin or client"));
        }
        Set<String> clients = new LinkedHashSet<>(request.getClientIdsList());
        if (role == Role.CLIENT && clients.isEmpty()) {
            bad.add(new FieldViolation("client_ids", "a client key needs at least one client_id"));
        }
        if (role == Role.ADMIN && !clients.isEmpty()) {
            bad.add(new FieldViolation("client_ids", "an admin key reaches every client; leave client_ids empty"));
        }
        if (clients.size() > MAX_CLIENT_IDS) {
            bad.add(new FieldViolation("client_ids", "at most " + MAX_CLIENT_IDS));
        }
        for (String c : clients) {
            if (c.isEmpty() || c.length() > 256 || hasControl(c)) {
                bad.add(new FieldViolation("client_ids", "each must be 1..256 characters without control characters"));
                break;
            }
        }
        Instant expires = now.plus(DEFAULT_LIFETIME);
        if (request.hasExpiresAt()) {
            expires = Instant.ofEpochSecond(request.getExpiresAt().getSeconds(), request.getExpiresAt().getNanos());
            if (!expires.isAfter(now) || expires.isAfter(now.plus(MAX_LIFETIME))) {
                bad.add(new FieldViolation("expires_at", "must be in the future and at most 2 years ahead"));
            }
        }
        if (!bad.isEmpty()) {
            return CompletableFuture.failedFuture(FlywheelException.invalid(bad));
        }
        return create(request.getName(), role, clients, expires);
    }

    public CompletableFuture<CreateApiKeyResponse> create(String name, Role role, Set<String> clients, Instant expires) {
        ApiKeyTokens.NewKey key = ApiKeyTokens.generate();
        ApiKeyStore.StoredKey stored = new ApiKeyStore.StoredKey(key.id(), name, role, clients, key.salt(), key.hash(),
                clock.instant(), expires, null);
        return store.insert(stored).thenApply(ok -> {
            log.info("API key {} created: {} key '{}'{}", key.id(), role.wire(), name, clients.isEmpty() ? "" : " for clients " + clients);
            return CreateApiKeyResponse.newBuilder().setKey(toProto(stored)).setSecret(key.token()).build();
        });
    }

    public CompletableFuture<ListApiKeysResponse> list() {
        return store.list().thenApply(keys -> {
            ListApiKeysResponse.Builder out = ListApiKeysResponse.newBuilder();
            keys.forEach(k -> out.addKeys(toProto(k)));
            return out.build();
        });
    }

    public CompletableFuture<ApiKey> revoke(String id) {
        if (id.isEmpty() || id.length() > 64) {
            return CompletableFuture.failedFuture(FlywheelException.invalid("id", "is required (the key id, not the key)"));
        }
        return store.revoke(id, clock.instant()).thenApply(found -> {
            ApiKeyStore.StoredKey key = found.orElseThrow(() -> FlywheelException.notFound("API key " + id + " not found"));
            authenticator.forget(id);
            log.info("API key {} revoked ('{}')", id, key.name());
            return toProto(key);
        });
    }

    /** Whether {@code token} is an active admin key here (the admin key file is left alone when it is). */
    public CompletableFuture<Boolean> isActiveAdmin(String token) {
        return authenticator.authenticate("Bearer " + token).thenApply(p -> p.map(x -> x.isAdmin()).orElse(false));
    }

    private ApiKey toProto(ApiKeyStore.StoredKey k) {
        ApiKey.Builder b = ApiKey.newBuilder().setId(k.id()).setName(k.name()).setRole(k.role().wire())
                .addAllClientIds(k.clientIds()).setCreatedAt(ts(k.createdAt())).setExpiresAt(ts(k.expiresAt()))
                .setState(k.state(clock.instant()));
        if (k.revokedAt() != null) {
            b.setRevokedAt(ts(k.revokedAt()));
        }
        return b.build();
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }
}
