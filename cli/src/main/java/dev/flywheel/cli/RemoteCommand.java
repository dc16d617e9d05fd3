package dev.flywheel.cli;

import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * A command that talks to the server: connection flags, {@code -o table|json}, and the one place where a failed
 * call becomes a message (gRPC status + fields at fault) and an exit status, never a stack trace.
 */
public abstract class RemoteCommand implements Callable<Integer> {

    public enum OutputFormat { table, json }

    CliContext context;

    @Option(names = "--server", paramLabel = "HOST:PORT", description = "Server address or URL (env FLYWHEEL_SERVER; default localhost:8080).")
    String server;

    @Option(names = "--tls", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL", description = "Use TLS (env FLYWHEEL_TLS; implied by https://).")
    Boolean tls;

    @Option(names = "--ca-cert", paramLabel = "PEM", description = "CA certificate(s) to trust for TLS (env FLYWHEEL_CA_CERT).")
    Path caCert;

    @Option(names = "--token", paramLabel = "TOKEN", description = "API key sent as a bearer token (env FLYWHEEL_TOKEN).")
    String token;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Deadline of each call, e.g. 30s, 2m (env FLYWHEEL_TIMEOUT; default 30s).")
    Duration timeout;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table (default) or json (snake_case, as the HTTP API).")
    OutputFormat output;

    @Override
    public final Integer call() {
        CliSettings settings;
        try {
            settings = CliSettings.resolve(new CliSettings.Flags(server, tls, caCert, token, timeout), context.env());
        } catch (IllegalArgumentException e) {
            context.err().println("flywheel: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        try (Connection connection = new Connection(settings)) {
            return run(connection);
        } catch (StatusRuntimeException e) {
            context.err().println("flywheel: " + RpcErrors.describe(e, settings));
            return RpcErrors.exitCode(e);
        } catch (IllegalArgumentException e) {
            context.err().println("flywheel: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.UNREACHABLE;
        }
    }

    protected abstract int run(Connection connection) throws InterruptedException;

    protected boolean json() {
        return output == OutputFormat.json;
    }

    /** Durations as {@link CliSettings#parseDuration} reads them. */
    public static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return CliSettings.parseDuration("duration", value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
