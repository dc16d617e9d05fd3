package dev.flywheel.server.auth;

import dev.flywheel.core.auth.Role;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first admin key: at start, unless the file already holds a working admin key, a new one is created and
 * written there as {@code token=...} (the CLI's settings file, owner-only), so {@code ./flywheel server} and
 * {@code ./flywheel jobs ...} work together without copying keys around. The key itself is never logged.
 */
public final class AdminKeyFile {

    private static final Logger log = LoggerFactory.getLogger(AdminKeyFile.class);
    static final Duration LIFETIME = Duration.ofDays(365);

    private AdminKeyFile() {}

    public static void ensure(ApiKeyService keys, Path file) {
        Properties properties = new Properties();
        try {
            if (Files.isRegularFile(file)) {
                try (Reader reader = Files.newBufferedReader(file)) {
                    properties.load(reader);
                }
            }
            String token = properties.getProperty("token");
            if (token != null && keys.isActiveAdmin(token.trim()).join()) {
                log.info("the admin key in {} works; no new key created", file);
                return;
            }
            var created = keys.create("admin (created at start)", Role.ADMIN, Set.of(), Instant.now().plus(LIFETIME)).join();
            properties.setProperty("token", created.getSecret());
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".cli", ".properties");
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's permissions have to do
            }
            try (Writer writer = Files.newBufferedWriter(temp)) {
                properties.store(writer, "flywheel CLI settings; token = an admin API key created by the server at start");
            }
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            log.info("created admin API key {} and wrote it to {} (the flywheel CLI reads it)", created.getKey().getId(), file);
            System.out.println("admin key written to " + file + " (the flywheel CLI reads it)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the admin key file " + file, e);
        }
    }
}
