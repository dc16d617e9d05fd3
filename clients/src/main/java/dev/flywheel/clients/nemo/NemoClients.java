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

    private final Secret platformKey;

    private NemoClients(NemoEndpoints endpoints, MeterRegistry registry, NemoClientSettings settings,
                        ClientFactory factory) {
        this(endpoints, registry, settings, factory, null);
    }

    /** {@code platformKey}: sent as {@code Authorization: Bearer} to every NeMo service (a gateway in front of NeMo); null: none. */
    private NemoClients(NemoEndpoints endpoints, MeterRegistry registry, NemoClientSettings settings,
                        ClientFactory factory, Secret platformKey) {
        this.platformKey = platformKey;
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

    /** With a bearer key for the platform (from the environment or a file) and a client factory (e.g. trusting a private CA). */
    public static NemoClients create(NemoEndpoints endpoints, MeterRegistry registry, NemoClientSettings settings,
                                     ClientFactory factory, Secret platformKey) {
        return new NemoClients(endpoints, registry, settings, factory, platformKey);
    }

    /**
     * A client factory for NeMo: the JVM's trust, plus the PEM certificates in {@code caCertFile} when not null
     * (a platform behind a private CA).
     */
    public static ClientFactory clientFactory(java.nio.file.Path caCertFile) {
        if (caCertFile == null) {
            return ClientFactory.ofDefault();
        }
        java.util.List<java.security.cert.X509Certificate> extra = dev.flywheel.clients.logs.TrustFiles.certificates(caCertFile);
        return ClientFactory.builder().tlsCustomizer(b -> {
            try {
                javax.net.ssl.TrustManagerFactory jvm = javax.net.ssl.TrustManagerFactory.getInstance(
                        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                jvm.init((java.security.KeyStore) null);
                java.util.List<java.security.cert.X509Certificate> all = new java.util.ArrayList<>(extra);
                all.addAll(java.util.List.of(((javax.net.ssl.X509TrustManager) jvm.getTrustManagers()[0]).getAcceptedIssuers()));
                b.trustManager(all);
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }).build();
    }

    private NemoHttp http(NemoService service, String baseUrl) {
        return new NemoHttp(service, baseUrl, settings.of(service), registry, factory, platformKey);
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
        private final Secret platformKey;

        public Cache(MeterRegistry registry, NemoClientSettings settings) {
            this(registry, settings, ClientFactory.ofDefault());
        }

        public Cache(MeterRegistry registry, NemoClientSettings settings, ClientFactory factory) {
            this(registry, settings, factory, null);
        }

        /** {@code platformKey}: bearer key for every NeMo service, null for none. */
        public Cache(MeterRegistry registry, NemoClientSettings settings, ClientFactory factory, Secret platformKey) {
            this.registry = Objects.requireNonNull(registry);
            this.settings = Objects.requireNonNull(settings);
            this.factory = Objects.requireNonNull(factory);
            this.platformKey = platformKey;
        }

        public NemoClients get(NemoEndpoints endpoints) {
            return clients.computeIfAbsent(endpoints, e -> new NemoClients(e, registry, settings, factory, platformKey));
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
