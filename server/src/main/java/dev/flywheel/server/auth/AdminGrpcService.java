package dev.flywheel.server.auth;

import dev.flywheel.api.v1.AdminServiceGrpc;
import dev.flywheel.api.v1.ApiKey;
import dev.flywheel.api.v1.CreateApiKeyRequest;
import dev.flywheel.api.v1.CreateApiKeyResponse;
import dev.flywheel.api.v1.ListApiKeysRequest;
import dev.flywheel.api.v1.ListApiKeysResponse;
import dev.flywheel.api.v1.RevokeApiKeyRequest;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** The admin RPCs; every one needs an admin key. */
public final class AdminGrpcService extends AdminServiceGrpc.AdminServiceImplBase {

    private final ApiKeyService keys;

    public AdminGrpcService(ApiKeyService keys) {
        this.keys = keys;
    }

    @Override
    public void createApiKey(CreateApiKeyRequest request, StreamObserver<CreateApiKeyResponse> response) {
        reply(() -> keys.create(request), response);
    }

    @Override
    public void listApiKeys(ListApiKeysRequest request, StreamObserver<ListApiKeysResponse> response) {
        reply(keys::list, response);
    }

    @Override
    public void revokeApiKey(RevokeApiKeyRequest request, StreamObserver<ApiKey> response) {
        reply(() -> keys.revoke(request.getId()), response);
    }

    private static <T> void reply(Supplier<CompletableFuture<T>> call, StreamObserver<T> response) {
        CompletableFuture<T> future;
        try {
            Callers.requireAdmin();
            future = call.get();
        } catch (RuntimeException e) {
            response.onError(e);
            return;
        }
        future.whenComplete((value, error) -> {
            if (error != null) {
                response.onError(error);
            } else {
                response.onNext(value);
                response.onCompleted();
            }
        });
    }
}
