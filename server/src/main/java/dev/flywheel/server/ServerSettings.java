package dev.flywheel.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.NmpConfig;
import dev.flywheel.core.config.ConfigTreeReader;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.error.FieldViolation;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.server.auth.AuthOptions;
import dev.flywheel.server.auth.ClientCertificates;
import dev.flywheel.server.auth.ServerTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The server's settings, read once at start from HOCON ({@code reference.conf} defaults, a site file,
 * environment variables) and checked: a bad value stops the server with the path of the bad key.
 * Secrets are held here only; {@link #toString()} masks them.
 */
public record ServerSettings(
        int port,
        String bindAddress,
        Duration shutdownQuietPeriod,
        Duration shutdownTimeout,
        String mongoUri,
        String mongoDatabase,
        String redisUri,
        String elasticsearchUrl,
        boolean startLocalElasticsearch,
        Path dataDir,
        JobConfig defaultJobConfig,
        double nemoEmulatorTimeScale,
        long nemoEmulatorSeed,
        Secrets secrets,
        EngineOptions engine,
        AuthOptions auth,
        ServerTls tls) {

    /**
     * API keys for the judge and embedding models, the Data Store token, a bearer key for NeMo (a gateway in front of
     * it) and the Elasticsearch API key; plus the extra CA certificate files for NeMo and Elasticsearch.
     */
    public record Secrets(String llmJudgeApiKey, String embeddingApiKey, String hfToken, String nemoApiKey,
                          String elasticsearchApiKey, String nemoCaCertFile, String elasticsearchCaCertFile) {
        @Override
        public String toString() {
            return "Secrets[llmJudgeApiKey=" + mask(llmJudgeApiKey) + ", embeddingApiKey=" + mask(embeddingApiKey)
                    + ", hfToken=" + mask(hfToken) + ", nemoApiKey=" + mask(nemoApiKey) + ", elasticsearchApiKey="
                    + mask(elasticsearchApiKey) + "]";
        }

        private static String mask(String secret) {
            return secret.isEmpty() ? "(unset)" : "****";
        }
    }

    /** Loads the standard stack: system properties, then config.file or flywheel.conf, then reference.conf. */
    public static ServerSettings load() {
        Config site = Files.exists(Path.of("flywheel.conf")) && System.getProperty("config.file") == null
                ? ConfigFactory.parseFile(Path.of("flywheel.conf").toFile()) : ConfigFactory.empty();
        return from(ConfigFactory.defaultOverrides()
                .withFallback(site)
                .withFallback(ConfigFactory.defaultApplication())
                .withFallback(ConfigFactory.defaultReference())
                .resolve());
    }

    /** Reads and checks the {@code flywheel} block; throws {@link FlywheelException} naming the bad key. */
    public static ServerSettings from(Config root) {
        try {
            Config c = root; // full paths, so an error names e.g. flywheel.server.port
            int port = c.getInt("flywheel.server.port");
            if (port < 0 || port > 65535) {
                throw FlywheelException.invalid("flywheel.server.port", "must be between 0 and 65535, got " + port);
            }
            String dataDir = c.getString("flywheel.data-dir");
            return new ServerSettings(
                    port,
                    c.getString("flywheel.server.bind-address"),
                    c.getDuration("flywheel.server.graceful-shutdown-quiet-period"),
                    c.getDuration("flywheel.server.graceful-shutdown-timeout"),
                    c.getString("flywheel.mongodb.uri"),
                    c.getString("flywheel.mongodb.database"),
                    c.getString("flywheel.redis.uri"),
                    c.getString("flywheel.elasticsearch.url"),
                    c.getBoolean("flywheel.elasticsearch.start-local"),
                    dataDir.isEmpty() ? null : Path.of(dataDir),
                    defaultJobConfig(c),
                    c.getDouble("flywheel.nemo.emulator-time-scale"),
                    c.getLong("flywheel.nemo.emulator-seed"),
                    new Secrets(c.getString("flywheel.secrets.llm-judge-api-key"), c.getString("flywheel.secrets.embedding-api-key"),
                            c.getString("flywheel.secrets.hf-token"), c.getString("flywheel.secrets.nemo-api-key"),
                            c.getString("flywheel.secrets.elasticsearch-api-key"), c.getString("flywheel.nemo.ca-cert-file"),
                            c.getString("flywheel.elasticsearch.ca-cert-file")),
                    EngineOptions.from(c),
                    auth(c),
                    tls(c));
        } catch (ConfigException e) {
            // Typesafe's messages carry the origin (file:line) and the path of the bad key.
            throw new FlywheelException(FlywheelException.Kind.INVALID_ARGUMENT, "invalid configuration: " + e.getMessage(),
                    List.of(), e);
        }
    }

    /** Built-in defaults, then the reference-format file, then the NeMo endpoint overrides; validated. */
    private static JobConfig defaultJobConfig(Config c) {
        JobConfig config = JobConfigs.builtInDefaults();
        String file = c.getString("flywheel.job-config-file");
        if (!file.isEmpty()) {
            try {
                config = JobConfigs.merge(config, ConfigTreeReader.readYaml(Path.of(file)));
            } catch (FlywheelException e) {
                throw prefixed(e, file + ": ");
            }
        }
        NmpConfig.Builder nmp = NmpConfig.newBuilder();
        setIfPresent(c, "nemo.nemo-base-url", nmp::setNemoBaseUrl);
        setIfPresent(c, "nemo.nim-base-url", nmp::setNimBaseUrl);
        setIfPresent(c, "nemo.datastore-base-url", nmp::setDatastoreBaseUrl);
        setIfPresent(c, "nemo.namespace", nmp::setNmpNamespace);
        config = JobConfigs.merge(config, JobConfig.newBuilder().setNmpConfig(nmp).build());
        List<FieldViolation> violations = JobConfigs.validate(config, file.isEmpty() ? "job configuration: " : file + ": ");
        if (!violations.isEmpty()) {
            throw FlywheelException.invalid(violations);
        }
        return config;
    }

    /**
     * True when nobody configured NeMo: the default job configuration still points at the built-in
     * placeholder hosts. The server then starts the NeMo emulator and uses it instead.
     */
    public boolean nemoConfigured() {
        return !defaultJobConfig.getNmpConfig().getNemoBaseUrl()
                .equals(JobConfigs.builtInDefaults().getNmpConfig().getNemoBaseUrl());
    }

    /** These settings with the default job configuration's NeMo endpoints replaced. */
    public ServerSettings withNemoEndpoints(String nemoBaseUrl, String nimBaseUrl, String datastoreBaseUrl) {
        JobConfig config = JobConfigs.merge(defaultJobConfig, JobConfig.newBuilder().setNmpConfig(NmpConfig.newBuilder()
                .setNemoBaseUrl(nemoBaseUrl).setNimBaseUrl(nimBaseUrl).setDatastoreBaseUrl(datastoreBaseUrl)).build());
        return new ServerSettings(port, bindAddress, shutdownQuietPeriod, shutdownTimeout, mongoUri, mongoDatabase,
                redisUri, elasticsearchUrl, startLocalElasticsearch, dataDir, config, nemoEmulatorTimeScale,
                nemoEmulatorSeed, secrets, engine, auth, tls);
    }

    /** These settings with other engine options. */
    public ServerSettings withEngine(EngineOptions options) {
        return new ServerSettings(port, bindAddress, shutdownQuietPeriod, shutdownTimeout, mongoUri, mongoDatabase,
                redisUri, elasticsearchUrl, startLocalElasticsearch, dataDir, defaultJobConfig, nemoEmulatorTimeScale,
                nemoEmulatorSeed, secrets, options, auth, tls);
    }

    /** {@code flywheel.server.tls.*}: null (plain HTTP) unless a certificate file is set. */
    private static ServerTls tls(Config c) {
        String cert = c.getString("flywheel.server.tls.cert-file");
        String key = c.getString("flywheel.server.tls.key-file");
        if (cert.isEmpty() && key.isEmpty()) {
            return null;
        }
        if (cert.isEmpty() || key.isEmpty()) {
            throw FlywheelException.invalid("flywheel.server.tls", "cert-file and key-file go together");
        }
        String clientAuth = c.getString("flywheel.server.tls.client-auth");
        if (!List.of("none", "optional", "require").contains(clientAuth)) {
            throw FlywheelException.invalid("flywheel.server.tls.client-auth", "must be none, optional or require");
        }
        String clientCa = c.getString("flywheel.server.tls.client-ca-file");
        if (!clientAuth.equals("none") && clientCa.isEmpty()) {
            throw FlywheelException.invalid("flywheel.server.tls.client-ca-file", "is required when client-auth is " + clientAuth);
        }
        return new ServerTls(Path.of(cert), Path.of(key), c.getDuration("flywheel.server.tls.reload-every"),
                clientCa.isEmpty() ? null : Path.of(clientCa), clientAuth);
    }

    /** {@code flywheel.auth.*}; the admin key file defaults to the CLI's own file, so the CLI just works. */
    private static AuthOptions auth(Config c) {
        String file = c.getString("flywheel.auth.admin-key-file");
        Path adminKeyFile;
        if (file.equals("none")) {
            adminKeyFile = null;
        } else if (!file.isEmpty()) {
            adminKeyFile = Path.of(file);
        } else {
            String home = System.getenv("FLYWHEEL_HOME");
            adminKeyFile = (home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".flywheel"))
                    .resolve("cli.properties");
        }
        return new AuthOptions(c.getBoolean("flywheel.auth.enabled"), c.getBoolean("flywheel.auth.docs-public"),
                c.getBoolean("flywheel.auth.metrics-public"), c.getDuration("flywheel.auth.key-cache-ttl"), adminKeyFile,
                ClientCertificates.from(c.getConfigList("flywheel.auth.client-certificates")),
                c.getInt("flywheel.auth.create-jobs-per-minute"), c.getInt("flywheel.auth.create-burst"),
                c.getInt("flywheel.auth.max-watches-per-key"));
    }

    private static void setIfPresent(Config c, String path, java.util.function.Consumer<String> setter) {
        String value = c.getString("flywheel." + path);
        if (!value.isEmpty()) {
            setter.accept(value);
        }
    }

    private static FlywheelException prefixed(FlywheelException e, String prefix) {
        return FlywheelException.invalid(e.violations().isEmpty() ? List.of(new FieldViolation(prefix, e.getMessage()))
                : e.violations().stream().map(v -> new FieldViolation(prefix + v.field(), v.description())).toList());
    }
}
