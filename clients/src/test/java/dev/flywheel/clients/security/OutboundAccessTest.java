package dev.flywheel.clients.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.TlsKeyPair;
import com.linecorp.armeria.server.Server;
import dev.flywheel.clients.logs.EsHttp;
import dev.flywheel.clients.logs.TrustFiles;
import dev.flywheel.clients.nemo.NemoClientSettings;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.clients.nemo.NemoEndpoints;
import dev.flywheel.clients.nemo.Secret;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

/**
 * How Flywheel reaches secured outside services: NeMo over https with a private CA and a bearer key, Elasticsearch
 * with an API key or the URL's user and password as basic authentication, also over https with a private CA;
 * URLs with credentials are printed without them.
 */
class OutboundAccessTest {

    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    private Server tlsServer(TlsKeyPair pair) {
        Server server = Server.builder().https(0).tls(pair)
                .serviceUnder("/", (ctx, req) -> {
                    authorizations.add(String.valueOf(req.headers().get("authorization")));
                    return HttpResponse.of(HttpStatus.OK, MediaType.JSON, "{\"id\":\"ns\",\"name\":\"ns\",\"namespace\":\"ns\"}");
                }).build();
        server.start().join();
        return server;
    }

    @Test
    void nemoOverHttpsWithAPrivateCaAndABearerKey() throws Exception {
        TlsKeyPair pair = TlsKeyPair.ofSelfSigned("localhost");
        Path ca = pem(pair);
        Server server = tlsServer(pair);
        try {
            String base = "https://localhost:" + server.activeLocalPort();
            NemoEndpoints endpoints = new NemoEndpoints(base, base, base, "ns");
            try (ClientFactory trusting = NemoClients.clientFactory(ca)) {
                NemoClients nemo = NemoClients.create(endpoints, new SimpleMeterRegistry(), NemoClientSettings.defaults(), trusting,
                        Secret.of("nemo-gateway-key"));
                nemo.entityStore().getNamespace("ns").join();
                assertThat(authorizations).contains("Bearer nemo-gateway-key");
            }
            NemoClients untrusting = NemoClients.create(endpoints, new SimpleMeterRegistry(), NemoClientSettings.defaults());
            assertThatThrownBy(() -> untrusting.entityStore().getNamespace("ns").join()).as("the JVM alone does not trust it")
                    .isInstanceOf(Exception.class);
        } finally {
            server.stop().join();
        }
    }

    @Test
    void elasticsearchWithAnApiKeyOrTheUrlsUserOverHttpsWithAPrivateCa() throws Exception {
        TlsKeyPair pair = TlsKeyPair.ofSelfSigned("localhost");
        Path ca = pem(pair);
        Server server = tlsServer(pair);
        try {
            int port = server.activeLocalPort();
            try (RestClient es = EsHttp.client("https://flywheel:p%40ss@localhost:" + port, new EsHttp.Access(null, ca))) {
                es.performRequest(new Request("GET", "/"));
            }
            assertThat(authorizations).contains("Basic " + Base64.getEncoder().encodeToString("flywheel:p@ss".getBytes(StandardCharsets.UTF_8)));
            try (RestClient es = EsHttp.client("https://localhost:" + port, new EsHttp.Access("aWQ6a2V5", ca))) {
                es.performRequest(new Request("GET", "/"));
            }
            assertThat(authorizations).contains("ApiKey aWQ6a2V5");
            try (RestClient es = EsHttp.client("https://localhost:" + port, EsHttp.Access.NONE)) {
                assertThatThrownBy(() -> es.performRequest(new Request("GET", "/"))).isInstanceOf(Exception.class);
            }
            assertThat(new EsHttp.Access("aWQ6a2V5", null).toString()).doesNotContain("aWQ6a2V5");
        } finally {
            server.stop().join();
        }
    }

    @Test
    void urlsArePrintedWithoutCredentials() {
        assertThat(TrustFiles.redactUserInfo("mongodb://app:s3cret@db.example:27017/flywheel?tls=true"))
                .isEqualTo("mongodb://****@db.example:27017/flywheel?tls=true");
        assertThat(TrustFiles.redactUserInfo("rediss://:s3cret@cache.example:6380")).isEqualTo("rediss://****@cache.example:6380");
        assertThat(TrustFiles.redactUserInfo("http://127.0.0.1:9200")).isEqualTo("http://127.0.0.1:9200");
        assertThat(EsHttp.redacted("https://u:p@es.example:9200")).isEqualTo("https://****@es.example:9200");
    }

    private static Path pem(TlsKeyPair pair) throws Exception {
        Path file = Files.createTempFile("ca", ".pem");
        Files.writeString(file, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.certificateChain().get(0).getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        return file;
    }
}
