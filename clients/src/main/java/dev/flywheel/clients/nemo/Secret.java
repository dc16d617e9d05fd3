package dev.flywheel.clients.nemo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A credential (judge or embedding API key) that can only be read on purpose.
 *
 * <p>Why: the reference leaked its judge key into Redis messages, job specs and logs. A {@code Secret} masks itself in
 * {@link #toString()}, has no bean getters (so a general-purpose Jackson mapper fails instead of writing it), and is
 * only written to the wire by {@link NemoJson}'s mapper, which is used for request bodies and nothing else. Secrets
 * come from the environment or from files, never from job configuration or MongoDB.
 */
public final class Secret {

    private static final String MASK = "******";
    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a secret must not be blank");
        }
        return new Secret(value.strip());
    }

    /**
     * The secret named by {@code name} in {@code env}, or read from the file named by {@code name + "_FILE"} (the
     * Docker/Kubernetes secrets convention). Empty if neither is set.
     */
    public static Optional<Secret> fromEnvironment(String name, Map<String, String> env) {
        String direct = env.get(name);
        if (direct != null && !direct.isBlank()) {
            return Optional.of(of(direct));
        }
        String file = env.get(name + "_FILE");
        if (file != null && !file.isBlank()) {
            return Optional.of(fromFile(Path.of(file)));
        }
        return Optional.empty();
    }

    /** {@link #fromEnvironment(String, Map)} over the process environment. */
    public static Optional<Secret> fromEnvironment(String name) {
        return fromEnvironment(name, System.getenv());
    }

    public static Secret fromFile(Path file) {
        try {
            return of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The path is fine to report; the content is not.
            throw new IllegalStateException("cannot read secret file " + file, e);
        }
    }

    /** The clear value. Call it only where the value goes onto the wire. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return MASK;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && other.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
