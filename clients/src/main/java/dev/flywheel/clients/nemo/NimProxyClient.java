package dev.flywheel.clients.nemo;

import dev.flywheel.clients.nemo.InferenceTypes.ChatCompletion;
import dev.flywheel.clients.nemo.InferenceTypes.ChatCompletionRequest;
import dev.flywheel.clients.nemo.InferenceTypes.EmbeddingRequest;
import dev.flywheel.clients.nemo.InferenceTypes.EmbeddingResponse;
import dev.flywheel.clients.nemo.InferenceTypes.ModelList;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * An OpenAI-compatible inference endpoint: the NIM proxy ({@code nim_base_url}: {@code /v1/models},
 * {@code /v1/chat/completions}, {@code /v1/embeddings}), or — built by {@link NemoClients#remoteEndpoint} — a remote
 * judge or embedding endpoint given by its full URL and called with a bearer key.
 *
 * <p>Inference creates nothing, so every call here is retried on transient failures (at the cost of tokens, not of
 * duplicate resources).
 */
public final class NimProxyClient {

    private final NemoHttp http;
    private final String modelsPath;
    private final String chatPath;
    private final String embeddingsPath;

    /** The NIM proxy: paths below its base URL. */
    public NimProxyClient(NemoHttp http) {
        this(http, "/v1/models", "/v1/chat/completions", "/v1/embeddings");
    }

    /** Explicit paths or full URLs (remote endpoints); a null path disables that call. */
    NimProxyClient(NemoHttp http, String modelsPath, String chatPath, String embeddingsPath) {
        this.http = Objects.requireNonNull(http);
        this.modelsPath = modelsPath;
        this.chatPath = chatPath;
        this.embeddingsPath = embeddingsPath;
    }

    /** {@code GET /v1/models}: what the proxy can route now (base NIMs and synced LoRA adapters). */
    public CompletableFuture<ModelList> listModels() {
        return http.get("listModels", required(modelsPath, "models")).as(ModelList.class);
    }

    /** Whether {@code modelId} is routable yet (deployments and adapters appear with a lag). */
    public CompletableFuture<Boolean> hasModel(String modelId) {
        return listModels().thenApply(l -> l.contains(modelId));
    }

    public CompletableFuture<ChatCompletion> chatCompletion(ChatCompletionRequest request) {
        return http.post("chatCompletion", required(chatPath, "chat completions"))
                .json(request).retrySafe()
                .as(ChatCompletion.class);
    }

    public CompletableFuture<EmbeddingResponse> embeddings(EmbeddingRequest request) {
        return http.post("embeddings", required(embeddingsPath, "embeddings"))
                .json(request).retrySafe()
                .as(EmbeddingResponse.class);
    }

    private static String required(String path, String what) {
        if (path == null) {
            throw new UnsupportedOperationException("this endpoint has no " + what + " URL");
        }
        return path;
    }
}
