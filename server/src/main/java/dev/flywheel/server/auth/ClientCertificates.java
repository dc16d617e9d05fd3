package dev.flywheel.server.auth;

import com.typesafe.config.Config;
import dev.flywheel.core.auth.Principal;
import dev.flywheel.core.auth.Role;
import dev.flywheel.core.error.FlywheelException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Mutual TLS identities: the subject of a client certificate the TLS layer has verified (against
 * {@code flywheel.server.tls.client-ca-file}) names a caller with a role and client ids. Subjects are compared as
 * distinguished names (RFC 2253: order of attributes counts, case and spacing of values do not).
 */
public final class ClientCertificates {

    public static final ClientCertificates NONE = new ClientCertificates(Map.of());

    private final Map<LdapName, Principal> bySubject;

    private ClientCertificates(Map<LdapName, Principal> bySubject) {
        this.bySubject = bySubject;
    }

    public static ClientCertificates from(List<? extends Config> entries) {
        Map<LdapName, Principal> map = new HashMap<>();
        for (Config e : entries) {
            String subject = e.getString("subject");
            Role role = Role.parse(e.getString("role")).orElseThrow(() ->
                    FlywheelException.invalid("flywheel.auth.client-certificates.role", "must be admin or client"));
            List<String> clients = e.hasPath("client-ids") ? e.getStringList("client-ids") : List.of();
            if (role == Role.CLIENT && clients.isEmpty()) {
                throw FlywheelException.invalid("flywheel.auth.client-certificates.client-ids", "a client certificate needs client-ids");
            }
            map.put(name(subject).orElseThrow(() -> FlywheelException.invalid("flywheel.auth.client-certificates.subject",
                    "not a distinguished name: " + subject)), new Principal("cert:" + subject, subject, role, Set.copyOf(clients)));
        }
        return new ClientCertificates(Map.copyOf(map));
    }

    public boolean isEmpty() {
        return bySubject.isEmpty();
    }

    /** The caller named by the verified peer certificate of {@code session}, if one is listed. */
    public Optional<Principal> caller(SSLSession session) {
        if (session == null || bySubject.isEmpty()) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
                return Optional.empty();
            }
            String subject = ((X509Certificate) chain[0]).getSubjectX500Principal().getName(); // RFC 2253
            return name(subject).map(bySubject::get);
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty(); // no certificate offered (client-auth optional)
        }
    }

    private static Optional<LdapName> name(String dn) {
        try {
            return Optional.of(new LdapName(dn));
        } catch (InvalidNameException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
