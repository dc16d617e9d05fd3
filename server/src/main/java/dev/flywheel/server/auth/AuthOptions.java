package dev.flywheel.server.auth;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code flywheel.auth.*}: whether API keys are required (default yes; off only by an explicit setting, warned
 * about on every start), which routes stay open besides health, how long a checked key is trusted before it is
 * read again (so a revocation takes effect within that time), and where the first admin key is written.
 *
 * @param adminKeyFile null: no admin key is created at start
 */
public record AuthOptions(boolean enabled, boolean docsPublic, boolean metricsPublic, Duration keyCacheTtl, Path adminKeyFile) {

    /** Keys required, docs open, metrics behind a key, no admin key file. */
    public static AuthOptions required() {
        return new AuthOptions(true, true, false, Duration.ofSeconds(5), null);
    }

    public static AuthOptions off() {
        return new AuthOptions(false, true, true, Duration.ofSeconds(5), null);
    }

    public AuthOptions withAdminKeyFile(Path file) {
        return new AuthOptions(enabled, docsPublic, metricsPublic, keyCacheTtl, file);
    }
}
