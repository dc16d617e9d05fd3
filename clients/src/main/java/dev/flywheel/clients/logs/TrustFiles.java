package dev.flywheel.clients.logs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Trusting extra PEM certificates (a private CA) next to the JVM's own, and keeping credentials out of URLs we print. */
public final class TrustFiles {

    private TrustFiles() {}

    /** An SSL context that trusts the certificates in {@code pemFile} and everything the JVM trusts. */
    public static SSLContext sslContext(Path pemFile) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (X509Certificate c : certificates(pemFile)) {
                store.setCertificateEntry("extra-" + i++, c);
            }
            TrustManagerFactory extra = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            extra.init(store);
            TrustManagerFactory jvm = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            jvm.init((KeyStore) null);
            X509TrustManager both = new EitherTrustManager((X509TrustManager) extra.getTrustManagers()[0],
                    (X509TrustManager) jvm.getTrustManagers()[0]);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[] {both}, null);
            return ssl;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot use " + pemFile + " as trusted certificates: " + e.getMessage(), e);
        }
    }

    public static List<X509Certificate> certificates(Path pemFile) {
        try (InputStream in = Files.newInputStream(pemFile)) {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException(pemFile + ": no certificate in it");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pemFile, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(pemFile + ": not a PEM certificate: " + e.getMessage(), e);
        }
    }

    /** {@code scheme://user:password@host/...} → {@code scheme://****@host/...}; anything unparsable is returned masked whole. */
    public static String redactUserInfo(String url) {
        if (url == null || url.isEmpty()) {
            return url;
        }
        try {
            URI uri = URI.create(url.trim());
            if (uri.getRawUserInfo() == null) {
                return url;
            }
            return url.replace(uri.getRawUserInfo() + "@", "****@");
        } catch (IllegalArgumentException e) {
            int at = url.lastIndexOf('@');
            int scheme = url.indexOf("://");
            return at > 0 && scheme > 0 && at > scheme ? url.substring(0, scheme + 3) + "****" + url.substring(at) : url;
        }
    }

    /** Trusts what either manager trusts. */
    private record EitherTrustManager(X509TrustManager first, X509TrustManager second) implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            try {
                first.checkClientTrusted(chain, authType);
            } catch (java.security.cert.CertificateException e) {
                second.checkClientTrusted(chain, authType);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            try {
                first.checkServerTrusted(chain, authType);
            } catch (java.security.cert.CertificateException e) {
                second.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            List<X509Certificate> all = new ArrayList<>(List.of(first.getAcceptedIssuers()));
            all.addAll(List.of(second.getAcceptedIssuers()));
            return all.toArray(new X509Certificate[0]);
        }
    }
}
