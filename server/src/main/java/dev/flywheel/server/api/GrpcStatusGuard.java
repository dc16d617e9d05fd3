package dev.flywheel.server.api;

import dev.flywheel.core.error.FlywheelException;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fixes two kinds of status that reach the client without passing {@link GrpcErrors} (a status closed without a
 * cause never does), both found by the hostile-input suite:
 * <ul>
 *   <li>a call to a method that takes one request message (unary, server streaming) that ends with none or with
 *       more than one: grpc-java answers INTERNAL ("Half-closed without a request", "Too many requests"); it is the
 *       client's error, INVALID_ARGUMENT;</li>
 *   <li>a status message that echoes a huge input (the health service repeats the service name it was asked for):
 *       over the client's header size limit it cannot be read at all, so the message is cut to
 *       {@value #MAX_MESSAGE} characters.</li>
 * </ul>
 */
public final class GrpcStatusGuard implements ServerInterceptor {

    static final int MAX_MESSAGE = 1000;

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        boolean oneMessage = call.getMethodDescriptor().getType().clientSendsOneMessage();
        AtomicInteger messages = new AtomicInteger();
        ServerCall<Q, R> guarded = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                int received = messages.get();
                // Our services only run with exactly one message, so INTERNAL with another count is the framework's.
                if (oneMessage && status.getCode() == Status.Code.INTERNAL && status.getCause() == null && received != 1) {
                    FlywheelException e = FlywheelException.invalid("body", received == 0
                            ? "the call carried no request message" : "the call carried more than one request message");
                    status = Status.INVALID_ARGUMENT.withDescription(e.getMessage());
                    trailers.put(GrpcErrors.STATUS_DETAILS, GrpcErrors.details(status, e));
                }
                String message = status.getDescription();
                if (message != null && message.length() > MAX_MESSAGE) {
                    status = status.withDescription(message.substring(0, MAX_MESSAGE) + "...");
                }
                super.close(status, trailers);
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(guarded, headers)) {
            @Override
            public void onMessage(Q message) {
                messages.incrementAndGet();
                super.onMessage(message);
            }
        };
    }
}
