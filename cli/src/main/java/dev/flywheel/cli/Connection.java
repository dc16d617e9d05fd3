package dev.flywheel.cli;

import dev.flywheel.api.v1.AdminServiceGrpc;
import dev.flywheel.api.v1.ConfigServiceGrpc;
import dev.flywheel.api.v1.FlywheelServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel to the server (grpc-netty-shaded), with the bearer token on every call and a deadline on
 * every stub it hands out.
 */
public final class Connection implements AutoCloseable {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final CliSettings settings;
    private final ManagedChannel channel;

    public Connection(CliSettings settings) {
        this.settings = settings;
        ChannelCredentials credentials;
        if (settings.tls()) {
            TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
            if (settings.caCert() != null) {
                try {
                    tls.trustManager(settings.caCert().toFile());
                } catch (IOException e) {
                    throw new IllegalArgumentException("ca-cert: cannot read " + settings.caCert() + ": " + e.getMessage());
                }
            }
            credentials = tls.build();
        } else {
            credentials = InsecureChannelCredentials.create();
        }
        var builder = Grpc.newChannelBuilderForAddress(settings.host(), settings.port(), credentials)
                .userAgent("flywheel-cli")
                // A watch that idles for minutes must notice a dead server; pings keep proxies from dropping it.
                .keepAliveTime(30, TimeUnit.SECONDS)
                .maxInboundMessageSize(64 * 1024 * 1024);
        if (settings.token() != null) {
            builder.intercept(new BearerToken(settings.token()));
        }
        channel = builder.build();
    }

    public CliSettings settings() {
        return settings;
    }

    /** Job calls, each with the unary deadline. */
    public FlywheelServiceGrpc.FlywheelServiceBlockingStub jobs() {
        return FlywheelServiceGrpc.newBlockingStub(channel).withDeadlineAfter(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A WatchJob stream with its own (long) deadline; the follower reconnects when it passes. */
    public FlywheelServiceGrpc.FlywheelServiceBlockingStub watch(Duration deadline) {
        return FlywheelServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    public ConfigServiceGrpc.ConfigServiceBlockingStub configs() {
        return ConfigServiceGrpc.newBlockingStub(channel).withDeadlineAfter(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    public AdminServiceGrpc.AdminServiceBlockingStub admin() {
        return AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Adds {@code authorization: Bearer <token>} to every call. */
    private record BearerToken(String token) implements ClientInterceptor {
        @Override
        public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<A> listener, Metadata headers) {
                    headers.put(AUTHORIZATION, "Bearer " + token);
                    super.start(listener, headers);
                }
            };
        }

        @Override
        public String toString() {
            return "BearerToken[***]";
        }
    }
}
