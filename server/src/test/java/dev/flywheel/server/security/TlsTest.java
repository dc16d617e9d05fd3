package dev.flywheel.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.TlsKeyPair;
import com.typesafe.config.ConfigFactory;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.server.Main;
import dev.flywheel.server.ServerSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TLS on the server port from PEM files, a renewed certificate picked up without a restart, and mutual TLS: a
 * verified client certificate listed in {@code flywheel.auth.client-certificates} is a caller without an API key.
 */
@ExtendWith(DevStackExtension.class)
class TlsTest {

    @Test
    void servesTlsReloadsARenewedCertificateAndAcceptsMappedClientCertificates(DevStack stack) throws Exception {
        Path dir = Files.createTempDirectory("tls");
        TlsKeyPair first = TlsKeyPair.ofSelfSigned("localhost");
        TlsKeyPair renewed = TlsKeyPair.ofSelfSigned("localhost");
        TlsKeyPair client = TlsKeyPair.ofSelfSigned("ci-runner");
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        writePem(first, cert, key);
        Path clientCert = dir.resolve("client.crt");
        Path clientKey = dir.resolve("client.key");
        writePem(client, clientCert, clientKey);
        String subject = client.certificateChain().get(0).getSubjectX500Principal().getName();

        ServerSettings settings = ServerSettings.from(ConfigFactory.parseString("""
                flywheel.server.port = 0
                flywheel.server.bind-address = "127.0.0.1"
                flywheel.elasticsearch.start-local = false
                flywheel.engine.enabled = false
                flywheel.data-dir = ""
                flywheel.server.tls.reload-every = 200ms
                flywheel.server.tls.client-auth = optional
                flywheel.auth.admin-key-file = none
                """).withFallback(ConfigFactory.parseMap(Map.of(
                "flywheel.mongodb.uri", stack.mongoUri(), "flywheel.mongodb.database", "tls_" + UUID.randomUUID().toString().substring(0, 8),
                "flywheel.redis.uri", stack.redisUri(),
                "flywheel.server.tls.cert-file", cert.toString(), "flywheel.server.tls.key-file", key.toString(),
                "flywheel.server.tls.client-ca-file", clientCert.toString())))
                .withFallback(ConfigFactory.parseString("flywheel.auth.client-certificates = [{subject = \"" + subject
                        + "\", role = client, client-ids = [\"tenant-m\"]}]"))
                .withFallback(ConfigFactory.defaultReference()).resolve());
        try (Main.Running running = Main.start(settings)) {
            String url = "https://localhost:" + running.port();
            assertThat(running.baseUrl()).startsWith("https://");
            assertThat(get(url, first.certificateChain().get(0), null, "/internal/health").status().code()).isEqualTo(200);
            assertThatThrownBy(() -> get(url, renewed.certificateChain().get(0), null, "/internal/health"))
                    .as("a client that trusts only the renewed certificate cannot connect yet").isInstanceOf(Exception.class);

            // the certificate is renewed on disk: new connections get it, without a restart
            Path tmpCert = dir.resolve("server.crt.new");
            Path tmpKey = dir.resolve("server.key.new");
            writePem(renewed, tmpCert, tmpKey);
            Files.move(tmpKey, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmpCert, cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
                    get(url, renewed.certificateChain().get(0), null, "/internal/health").status().code() == 200);
            assertThatThrownBy(() -> get(url, first.certificateChain().get(0), null, "/internal/health")).isInstanceOf(Exception.class);

            // mutual TLS: the client certificate is the caller, bound to tenant-m
            X509Certificate serverCert = renewed.certificateChain().get(0);
            assertThat(post(url, serverCert, client, "tenant-m").status().code()).isEqualTo(200);
            assertThat(post(url, serverCert, client, "tenant-x").status().code()).isEqualTo(403);
            assertThat(post(url, serverCert, null, "tenant-m").status().code()).as("no certificate, no key").isEqualTo(401);
        }
    }

    private static AggregatedHttpResponse get(String url, X509Certificate trusted, TlsKeyPair clientPair, String path) {
        try (ClientFactory factory = factory(trusted, clientPair)) {
            return WebClient.builder(url).factory(factory).build().get(path).aggregate().join();
        }
    }

    private static AggregatedHttpResponse post(String url, X509Certificate trusted, TlsKeyPair clientPair, String clientId) {
        try (ClientFactory factory = factory(trusted, clientPair)) {
            return WebClient.builder(url).factory(factory).build().prepare().post("/v1/jobs")
                    .content(MediaType.JSON, "{\"client_id\":\"" + clientId + "\",\"workload_id\":\"w\"}").execute().aggregate().join();
        }
    }

    private static ClientFactory factory(X509Certificate trusted, TlsKeyPair clientPair) {
        return ClientFactory.builder().tlsCustomizer(b -> {
            b.trustManager(trusted);
            if (clientPair != null) {
                b.keyManager(clientPair.privateKey(), clientPair.certificateChain().toArray(new X509Certificate[0]));
            }
        }).build();
    }

    private static void writePem(TlsKeyPair pair, Path cert, Path key) throws Exception {
        Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        Files.writeString(cert, "-----BEGIN CERTIFICATE-----\n" + b64.encodeToString(pair.certificateChain().get(0).getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + b64.encodeToString(pair.privateKey().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
    }
}
