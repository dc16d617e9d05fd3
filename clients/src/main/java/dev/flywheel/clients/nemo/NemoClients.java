package dev.flywheel.clients.nemo;

import com.linecorp.armeria.client.ClientFactory;
import io.micrometer.core.instrument.MeterRegistry;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The six NeMo clients for one platform ({@link NemoEndpoints}), sharing a {@link ClientFactory} (connection pools,
 * event loops) and a {@link MeterRegistry}.
 *
 * <p>Jobs carry their own base URLs and namespace, so clients are made per endpoint set; {@link Cache} keeps one set
 * per distinct {@link NemoEndpoints} so that connection pools and circuit breakers are shared by all jobs that talk
 * to the same platform.
 */
public final class NemoClients {

    private final NemoEndpoints endpoints;
    private final EntityStoreClient entityStore;
    private final DataStoreClient dataStore;
    private final DeploymentClient deployments;
    private final NimProxyClient nimProxy;
    private final EvaluatorClient evaluator;
    private final CustomizerClient customizer;
    private final MeterRegistry registry;
    private final NemoClientSettings settings;
    private final ClientFactory factory;

    private NemoClients(NemoEndpoints endpoints, MeterRegistry registry, NemoClientSettings settings,
                        ClientFactory factory) {
        this.endpoints = Objects.requireNonNull(endpoints);
        this.registry = Objects.requireNonNull(registry);
        this.settings = Objects.requireNonNull(settings);
        this.factory = Objects.requireNonNull(factory);
        this.entityStore = new EntityStoreClient(http(NemoService.ENTITY_STORE, endpoints.nemoBaseUrl()));
        this.dataStore = new DataStoreClient(http(NemoService.DATA_STORE, endpoints.datastoreBaseUrl()));
        this.deployments = new DeploymentClient(http(NemoService.DEPLOYMENT, endpoints.nemoBaseUrl()));
        this.nimProxy = new NimProxyClient(http(NemoService.NIM_PROXY, endpoints.nimBaseUrl()));
        this.evaluator = new EvaluatorClient(http(NemoService.EVALUATOR, endpoints.nemoBaseUrl()));
        this.customizer = new CustomizerClient(http(NemoService.CUSTOMIZER, endpoints.nemoBaseUrl()));
    }

    public static NemoClients create(NemoEndpoints endpoints, MeterRegistry registry, NemoClientSettings settings) {
        return new NemoClients(endpoints, registry, settings, ClientFactory.ofDefault());
    }

    public static NemoClients create(NemoEndpoints endpoints, MeterRegistry registry, NemoClientSettings settings,
                                     ClientFactory factory) {
        return new NemoClients(endpoints, registry, settings, factory);
    }

    private NemoHttp http(NemoService service, String baseUrl) {
        return new NemoHttp(service, baseUrl, settings.of(service), registry, factory, null);
    }

    public NemoEndpoints endpoints() {
        return endpoints;
    }

    /** The namespace every resource of these jobs lives in ({@code nmp_namespace}). */
    public String namespace() {
        return endpoints.namespace();
    }

    public EntityStoreClient entityStore() {
        return entityStore;
    }

    public DataStoreClient dataStore() {
        return dataStore;
    }

    public DeploymentClient deployments() {
        return deployments;
    }

    public NimProxyClient nimProxy() {
        return nimProxy;
    }

    public EvaluatorClient evaluator() {
        return evaluator;
    }

    public CustomizerClient customizer() {
        return customizer;
    }

    /**
     * A remote OpenAI-compatible endpoint (remote judge health check, remote embeddings): {@code fullUrl} is the
     * complete chat-completions or embeddings URL from the job config; {@code apiKey} comes from the environment or a
     * file and is sent as {@code Authorization: Bearer}, never logged.
     */
    public NimProxyClient remoteEndpoint(String fullUrl, Secret apiKey) {
        URI uri = URI.create(fullUrl);
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("remote endpoint must be an absolute URL");
        }
        String origin = uri.getScheme() + "://" + uri.getRawAuthority();
        NemoHttp http = new NemoHttp(NemoService.REMOTE_INFERENCE, origin, settings.of(NemoService.REMOTE_INFERENCE),
                registry, factory, apiKey);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return new NimProxyClient(http, null, path, path);
    }

    /** One {@link NemoClients} per distinct endpoint set, created on first use. Thread-safe. */
    public static final class Cache {
        private final Map<NemoEndpoints, NemoClients> clients = new ConcurrentHashMap<>();
        private final MeterRegistry registry;
        private final NemoClientSettings settings;
        private final ClientFactory factory;

        public Cache(MeterRegistry registry, NemoClientSettings settings) {
            this(registry, settings, ClientFactory.ofDefault());
        }

        public Cache(MeterRegistry registry, NemoClientSettings settings, ClientFactory factory) {
            this.registry = Objects.requireNonNull(registry);
            this.settings = Objects.requireNonNull(settings);
            this.factory = Objects.requireNonNull(factory);
        }

        public NemoClients get(NemoEndpoints endpoints) {
            return clients.computeIfAbsent(endpoints, e -> new NemoClients(e, registry, settings, factory));
        }

        /** Builds from a job's {@code nmp_config} values. */
        public NemoClients get(String nemoBaseUrl, String nimBaseUrl, String datastoreBaseUrl, String namespace) {
            return get(new NemoEndpoints(nemoBaseUrl, nimBaseUrl, datastoreBaseUrl, namespace));
        }

        public int size() {
            return clients.size();
        }
    }
}
