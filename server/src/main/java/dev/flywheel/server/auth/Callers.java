package dev.flywheel.server.auth;

import com.linecorp.armeria.common.RequestContext;
import dev.flywheel.core.auth.Principal;
import dev.flywheel.core.error.FlywheelException;
import io.netty.util.AttributeKey;

/** The caller of the current request, as {@link AuthDecorator} put it on the request context. */
public final class Callers {

    static final AttributeKey<Principal> PRINCIPAL = AttributeKey.valueOf(Callers.class, "principal");

    private Callers() {}

    /**
     * The current request's caller. Outside any request (the engine, the demo, tests calling the services
     * directly) it is {@link Principal#SYSTEM}. A request that did not pass {@link AuthDecorator} is refused: a
     * route that was forgotten must fail closed, not open.
     */
    public static Principal current() {
        RequestContext ctx = RequestContext.currentOrNull();
        if (ctx == null) {
            return Principal.SYSTEM;
        }
        Principal principal = ctx.attr(PRINCIPAL);
        if (principal == null) {
            throw FlywheelException.unauthenticated("no API key checked for this route");
        }
        return principal;
    }

    /** PERMISSION_DENIED unless the caller is an admin. */
    public static Principal requireAdmin() {
        Principal caller = current();
        if (!caller.isAdmin()) {
            throw FlywheelException.permissionDenied("needs an admin key");
        }
        return caller;
    }
}
