package dev.flywheel.core.auth;

import java.util.Optional;

/** What a caller may do: {@code admin} everything; {@code client} only the jobs of its own client ids. */
public enum Role {
    ADMIN("admin"),
    CLIENT("client");

    private final String wire;

    Role(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<Role> parse(String text) {
        for (Role r : values()) {
            if (r.wire.equals(text)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
