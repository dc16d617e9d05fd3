package dev.flywheel.server.auth;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code flywheel.auth.*}: whether API keys are required (default yes; off only by an explicit setting, warned
 * about on every start), which routes stay open besides health, how long a checked key is trusted before it is
 * read again (so a revocation takes effect within that time), where the first admin key is written, and which
 * client certificates (mutual TLS) stand for which callers.
 *
 * @param adminKeyFile null: no admin key is created at start
 */
public record AuthOptions(boolean enabled, boolean docsPublic, boolean metricsPublic, Duration keyCacheTtl, Path adminKeyFile,
                          ClientCertificates clientCertificates, int createJobsPerMinute, int createBurst, int maxWatchesPerKey) {

    /**
     * Keys required, docs open, metrics behind a key, no admin key file, no client certificates, 100 watches per
     * key (creation limits need Redis: {@code FlywheelApp} sets them up where there is one).
     */
    public static AuthOptions required() {
        return new AuthOptions(true, true, false, Duration.ofSeconds(5), null, ClientCertificates.NONE, 120, 30, 100);
    }

    public static AuthOptions off() {
        return new AuthOptions(false, true, true, Duration.ofSeconds(5), null, ClientCertificates.NONE, 0, 0, 0);
    }

    public AuthOptions withMaxWatchesPerKey(int max) {
        return new AuthOptions(enabled, docsPublic, metricsPublic, keyCacheTtl, adminKeyFile, clientCertificates,
                createJobsPerMinute, createBurst, max);
    }
}
