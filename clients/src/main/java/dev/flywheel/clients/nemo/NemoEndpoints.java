package dev.flywheel.clients.nemo;

import java.net.URI;
import java.util.Objects;

/**
 * Where one job's NeMo platform lives: the job configuration's {@code nmp_config} ({@code nemo_base_url},
 * {@code nim_base_url}, {@code datastore_base_url}, {@code nmp_namespace}). A {@link NemoClients} set is built per
 * distinct value, because different jobs may point at different platforms.
 */
public record NemoEndpoints(String nemoBaseUrl, String nimBaseUrl, String datastoreBaseUrl, String namespace) {

    public NemoEndpoints {
        nemoBaseUrl = baseUrl(nemoBaseUrl, "nemo_base_url");
        nimBaseUrl = baseUrl(nimBaseUrl, "nim_base_url");
        datastoreBaseUrl = baseUrl(datastoreBaseUrl, "datastore_base_url");
        Objects.requireNonNull(namespace, "nmp_namespace");
        if (!NemoNames.isValidNamespace(namespace)) {
            throw new IllegalArgumentException("nmp_namespace is not a valid NeMo namespace: " + namespace);
        }
    }

    private static String baseUrl(String url, String key) {
        Objects.requireNonNull(url, key);
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " is not a URL: " + url, e);
        }
        if (uri.getScheme() == null || uri.getHost() == null
                || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw new IllegalArgumentException(key + " must be an absolute http(s) URL: " + url);
        }
        if (uri.getRawUserInfo() != null) {
            // Credentials in a URL end up in logs and job snapshots.
            throw new IllegalArgumentException(key + " must not contain credentials");
        }
        String s = uri.toString();
        // Paths below are absolute ("/v1/..."); a trailing slash would double it.
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
