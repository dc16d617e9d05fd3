package dev.flywheel.server.auth;

import com.linecorp.armeria.common.TlsKeyPair;
import com.linecorp.armeria.common.TlsProvider;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerTlsConfig;
import dev.flywheel.clients.logs.TrustFiles;
import io.netty.handler.ssl.ClientAuth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for the server port from PEM files, re-read when they change (a renewed certificate needs no restart), and
 * optionally client certificates (mutual TLS) checked against a CA file.
 *
 * @param clientAuth "none", "optional" (a certificate may identify the caller instead of a key) or "require"
 */
public record ServerTls(Path certFile, Path keyFile, Duration reloadEvery, Path clientCaFile, String clientAuth) {

    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

    /** Serves HTTPS on {@code port} (0 = any) with these files. */
    public void configure(ServerBuilder sb, java.net.InetSocketAddress address) {
        PemKeyPair pem = new PemKeyPair(certFile, keyFile);
        pem.get(); // fail at start, not on the first handshake, if the files are bad
        List<X509Certificate> trusted = clientCaFile == null ? List.of() : TrustFiles.certificates(clientCaFile);
        TlsProvider provider = TlsProvider.ofScheduled(pem, trusted, pair -> { }, reloadEvery,
                com.linecorp.armeria.common.CommonPools.blockingTaskExecutor());
        ClientAuth auth = switch (clientAuth) {
            case "require" -> ClientAuth.REQUIRE;
            case "optional" -> ClientAuth.OPTIONAL;
            default -> ClientAuth.NONE;
        };
        sb.https(address).tlsProvider(provider, ServerTlsConfig.builder().clientAuth(auth).build());
    }

    /**
     * The key pair from the PEM files, parsed again only when a file's modification time or size changed; a
     * half-written or broken new pair is logged and the previous one kept.
     */
    static final class PemKeyPair implements Supplier<TlsKeyPair> {
        private final Path cert;
        private final Path key;
        private final AtomicReference<String> stamp = new AtomicReference<>("");
        private final AtomicReference<TlsKeyPair> current = new AtomicReference<>();

        PemKeyPair(Path cert, Path key) {
            this.cert = cert;
            this.key = key;
        }

        @Override
        public TlsKeyPair get() {
            String now = stamp(cert) + "/" + stamp(key);
            if (current.get() != null && now.equals(stamp.get())) {
                return current.get();
            }
            try {
                TlsKeyPair pair = TlsKeyPair.of(key.toFile(), cert.toFile());
                boolean reload = current.getAndSet(pair) != null;
                stamp.set(now);
                if (reload) {
                    log.info("TLS certificate reloaded from {} (subject {})", cert, pair.certificateChain().get(0).getSubjectX500Principal());
                }
                return pair;
            } catch (RuntimeException e) {
                if (current.get() == null) {
                    throw new IllegalArgumentException("cannot read the TLS key pair " + cert + " / " + key + ": " + e.getMessage(), e);
                }
                log.warn("TLS key pair {} / {} changed but cannot be read ({}); keeping the previous one", cert, key, e.toString());
                return current.get();
            }
        }

        private static String stamp(Path file) {
            try {
                return Files.getLastModifiedTime(file).toMillis() + ":" + Files.size(file);
            } catch (IOException e) {
                return "missing";
            }
        }
    }
}
