package dev.flywheel.core.auth;

import java.util.Set;

/**
 * Who is calling: an API key's id, name and role, and for a client key the client ids it is bound to. The one
 * place that decides what a caller may touch.
 */
public record Principal(String keyId, String name, Role role, Set<String> clientIds) {

    /** In-process callers (the engine, the demo) and a server whose authentication is switched off. */
    public static final Principal SYSTEM = new Principal("system", "system", Role.ADMIN, Set.of());

    public Principal {
        clientIds = Set.copyOf(clientIds);
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** May this caller see, watch, cancel, delete and create jobs of {@code clientId}? */
    public boolean mayAccess(String clientId) {
        return isAdmin() || clientIds.contains(clientId);
    }

    @Override
    public String toString() { // for logs: the key's id and name, never anything secret
        return role.wire() + " key " + keyId + " (" + name + ")";
    }
}
