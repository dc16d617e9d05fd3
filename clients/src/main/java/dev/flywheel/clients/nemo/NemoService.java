package dev.flywheel.clients.nemo;

/**
 * The NeMo microservices we call; one HTTP client, circuit breaker and metric tag value per service.
 * Several share a host ({@code nemo_base_url}) but fail independently, so each gets its own breaker.
 */
public enum NemoService {
    ENTITY_STORE("entity-store"),
    DATA_STORE("data-store"),
    DEPLOYMENT("deployment"),
    NIM_PROXY("nim-proxy"),
    EVALUATOR("evaluator"),
    CUSTOMIZER("customizer"),
    /** A remote OpenAI-compatible endpoint (remote judge or embedding model), outside NeMo. */
    REMOTE_INFERENCE("remote-inference");

    private final String tag;

    NemoService(String tag) {
        this.tag = tag;
    }

    /** The value of the {@code service} metric tag and the name used in errors. */
    public String tag() {
        return tag;
    }
}
