package dev.flywheel.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * Where the server is and how to talk to it, from (first wins) a flag, an environment variable, the user's
 * config file ({@code ~/.flywheel/cli.properties}, or {@code $FLYWHEEL_HOME/cli.properties}), a default.
 *
 * <pre>
 * flag           environment          file key   default
 * --server       FLYWHEEL_SERVER      server     localhost:8080   (host:port, or http:// / https:// URL)
 * --tls          FLYWHEEL_TLS         tls        false            (an https:// server implies it)
 * --ca-cert      FLYWHEEL_CA_CERT     ca_cert    the JVM's trust store
 * --token        FLYWHEEL_TOKEN       token      none             (sent as "authorization: Bearer ...")
 * --timeout      FLYWHEEL_TIMEOUT     timeout    30s              (deadline of every unary call)
 * </pre>
 */
public record CliSettings(String host, int port, boolean tls, Path caCert, String token, Duration timeout, Path configFile) {

    public static final String DEFAULT_SERVER = "localhost:8080";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** The flags as given; null where not given. */
    public record Flags(String server, Boolean tls, Path caCert, String token, Duration timeout) {}

    /** Resolves the settings; {@code IllegalArgumentException} with a readable message on a bad value. */
    public static CliSettings resolve(Flags flags, Map<String, String> env) {
        Path configFile = configDir(env).resolve("cli.properties");
        Properties file = readFile(configFile);
        String server = first(flags.server(), env.get("FLYWHEEL_SERVER"), file.getProperty("server"), DEFAULT_SERVER);
        String tlsText = first(flags.tls() == null ? null : flags.tls().toString(), env.get("FLYWHEEL_TLS"),
                file.getProperty("tls"), "false");
        String caCert = first(flags.caCert() == null ? null : flags.caCert().toString(), env.get("FLYWHEEL_CA_CERT"),
                file.getProperty("ca_cert"), null);
        String token = first(flags.token(), env.get("FLYWHEEL_TOKEN"), file.getProperty("token"), null);
        String timeoutText = first(flags.timeout() == null ? null : flags.timeout().toString(),
                env.get("FLYWHEEL_TIMEOUT"), file.getProperty("timeout"), null);

        boolean tls = parseBoolean("tls", tlsText);
        String address = server.trim();
        if (address.startsWith("https://")) {
            tls = true;
            address = address.substring("https://".length());
        } else if (address.startsWith("http://")) {
            address = address.substring("http://".length());
        }
        if (address.endsWith("/")) {
            address = address.substring(0, address.length() - 1);
        }
        int colon = address.lastIndexOf(':');
        String host = colon < 0 ? address : address.substring(0, colon);
        int port = tls ? 443 : 80;
        if (colon >= 0) {
            try {
                port = Integer.parseInt(address.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        if (host.isEmpty() || port <= 0 || port > 65535 || host.contains("/")) {
            throw new IllegalArgumentException("server: expected host:port or an http(s):// URL, got '" + server + "'");
        }
        Duration timeout = timeoutText == null ? DEFAULT_TIMEOUT : parseDuration("timeout", timeoutText);
        return new CliSettings(host, port, tls, caCert == null ? null : Path.of(caCert),
                token == null || token.isBlank() ? null : token.trim(), timeout, configFile);
    }

    /** {@code host:port}, for messages. */
    public String target() {
        return host + ":" + port;
    }

    static Path configDir(Map<String, String> env) {
        String home = env.get("FLYWHEEL_HOME");
        return home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".flywheel");
    }

    /** "30s", "2m", "500ms", "1h", "30d" or ISO-8601 ("PT30S"); must be positive. */
    static Duration parseDuration(String what, String text) {
        Duration d = readDuration(text.trim().toLowerCase(java.util.Locale.ROOT));
        if (d == null) {
            throw new IllegalArgumentException(what + ": expected a duration like 30s, 2m, 500ms or PT30S, got '" + text + "'");
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + ": must be positive, got '" + text + "'");
        }
        return d;
    }

    private static Duration readDuration(String t) {
        try {
            if (t.startsWith("p")) {
                return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            switch (t.charAt(t.length() - 1)) {
                case 's': return Duration.ofSeconds(n);
                case 'm': return Duration.ofMinutes(n);
                case 'h': return Duration.ofHours(n);
                case 'd': return Duration.ofDays(n);
                default: return null;
            }
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean parseBoolean(String what, String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("true") || t.equals("1") || t.equals("yes")) {
            return true;
        }
        if (t.equals("false") || t.equals("0") || t.equals("no") || t.isEmpty()) {
            return false;
        }
        throw new IllegalArgumentException(what + ": expected true or false, got '" + text + "'");
    }

    private static Properties readFile(Path file) {
        Properties properties = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader reader = Files.newBufferedReader(file)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
            }
        }
        return properties;
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    @Override
    public String toString() { // never the token
        return "CliSettings[" + target() + (tls ? " tls" : "") + (token != null ? " token=***" : "") + " timeout=" + timeout + "]";
    }
}
