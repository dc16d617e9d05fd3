package dev.flywheel.server.api;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.linecorp.armeria.common.RequestContext;
import com.linecorp.armeria.common.RpcRequest;
import com.linecorp.armeria.server.RequestTimeoutException;
import com.linecorp.armeria.common.logging.RequestLogProperty;
import com.linecorp.armeria.common.grpc.GrpcExceptionHandlerFunction;
import com.linecorp.armeria.common.grpc.protocol.ArmeriaMessageDeframer;
import dev.flywheel.core.error.FieldViolation;
import dev.flywheel.core.error.FlywheelException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where domain errors become gRPC statuses (and, through Armeria's unframed/transcoding
 * error handler, HTTP statuses: INVALID_ARGUMENT 400, NOT_FOUND 404, ALREADY_EXISTS 409, ...). Invalid
 * arguments carry a {@code google.rpc.BadRequest} with one field violation per bad field.
 */
public final class GrpcErrors implements GrpcExceptionHandlerFunction {

    private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);
    /** The standard trailer for rich error details (what io.grpc.protobuf.StatusProto reads). */
    static final Metadata.Key<com.google.rpc.Status> STATUS_DETAILS = Metadata.Key.of("grpc-status-details-bin",
            ProtoUtils.metadataMarshaller(com.google.rpc.Status.getDefaultInstance()));
    static final String DOMAIN = "flywheel.dev";

    @Override
    public @Nullable Status apply(RequestContext ctx, Status status, Throwable cause, Metadata metadata) {
        Throwable error = unwrap(cause);
        if (error instanceof FlywheelException e) {
            return toStatus(e, metadata);
        }
        if (error instanceof InvalidProtocolBufferException e) {
            // A JSON body that does not fit the message: an unknown field, a wrong type, bad syntax.
            return toStatus(jsonError(e), metadata);
        }
        if (error instanceof RequestTimeoutException) {
            // The caller's grpc-timeout (or the server's request timeout) ran out: a deadline, not a server fault.
            return Status.DEADLINE_EXCEEDED.withDescription("the deadline expired before the call completed");
        }
        if (error instanceof com.linecorp.armeria.common.stream.ClosedStreamException) {
            return Status.CANCELLED.withDescription("the client closed the stream"); // a client going away is normal
        }
        if ((status.getCode() == Status.Code.INTERNAL || status.getCode() == Status.Code.UNKNOWN)
                && (!requestRead(ctx) || refusedFrame(status))) {
            // Armeria could not deframe, decompress or parse the request message, or the stream ended without one: a
            // truncated frame, a compressed flag without grpc-encoding, bytes that are not protobuf, JSON the parser
            // chokes on. gRPC's own servers answer INTERNAL here; the fault is the caller's and the same bytes can
            // never succeed, so say so.
            log.debug("unreadable request message for {}", ctx.path(), error);
            return toStatus(unreadable(status, error), metadata);
        }
        if (error instanceof com.mongodb.MongoException) {
            log.warn("MongoDB failed during {}: {}", ctx.path(), error.toString());
            return Status.UNAVAILABLE.withDescription("the job store is unavailable; retry later").withCause(error);
        }
        if (status.getCode() == Status.Code.UNKNOWN) {
            log.error("unexpected error during {}", ctx.path(), error);
            return Status.INTERNAL.withDescription("internal error").withCause(error);
        }
        return null; // Armeria's default mapping
    }

    private static Status toStatus(FlywheelException e, Metadata metadata) {
        // The cause lets the HTTP/JSON error renderer (HttpErrors) put the same details into the body.
        Status status = Status.fromCode(Status.Code.valueOf(e.kind().name())).withDescription(e.getMessage()).withCause(e);
        metadata.put(STATUS_DETAILS, details(status, e));
        return status;
    }

    private static final Pattern UNKNOWN_FIELD = Pattern.compile("Cannot find field: (\\S+) in message");

    static FlywheelException jsonError(InvalidProtocolBufferException e) {
        String message = String.valueOf(e.getMessage());
        Matcher unknown = UNKNOWN_FIELD.matcher(message);
        if (unknown.find()) {
            return FlywheelException.invalid(unknown.group(1), "unknown field");
        }
        return FlywheelException.invalid("body", "not a valid request: " + message);
    }

    /**
     * Whether the call got as far as a request message. Armeria records the request content in the log right after
     * it has deframed and deserialized the message, before any service code runs; a failure before that point is
     * about the bytes the client sent.
     */
    /**
     * A frame the deframer refused (reserved flag bits, say). On a streaming call it can come after messages that
     * were read, so {@link #requestRead} does not tell; the deframer names itself in its status messages.
     */
    private static boolean refusedFrame(Status status) {
        return status.getDescription() != null && status.getDescription().startsWith(ArmeriaMessageDeframer.class.getName());
    }

    private static boolean requestRead(RequestContext ctx) {
        if (!ctx.log().isAvailable(RequestLogProperty.REQUEST_CONTENT)) {
            return false;
        }
        // A stream that ended without a whole message is logged with no parameters (grpc-java then closes the call
        // with INTERNAL "Half-closed without a request").
        return !(ctx.log().partial().requestContent() instanceof RpcRequest rpc) || !rpc.params().isEmpty();
    }

    /**
     * The client's error: the parser's words for bad protobuf or JSON, the deframer's for a bad frame (an INTERNAL
     * status Armeria raised); nothing from an unexpected exception, whose message is about our internals.
     */
    static FlywheelException unreadable(Status status, Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof InvalidProtocolBufferException e) {
                return jsonError(e);
            }
        }
        String reason = status.getCode() == Status.Code.INTERNAL && status.getDescription() != null
                ? ": " + status.getDescription() : "";
        return FlywheelException.invalid("body", "the request message could not be read" + reason);
    }

    /** The google.rpc.Status sent in grpc-status-details-bin: BadRequest for invalid fields, else ErrorInfo. */
    static com.google.rpc.Status details(Status status, FlywheelException e) {
        com.google.rpc.Status.Builder rpc = com.google.rpc.Status.newBuilder()
                .setCode(status.getCode().value())
                .setMessage(String.valueOf(status.getDescription()));
        if (!e.violations().isEmpty()) {
            BadRequest.Builder bad = BadRequest.newBuilder();
            for (FieldViolation v : e.violations()) {
                bad.addFieldViolations(BadRequest.FieldViolation.newBuilder().setField(v.field()).setDescription(v.description()));
            }
            rpc.addDetails(Any.pack(bad.build()));
        } else {
            rpc.addDetails(Any.pack(ErrorInfo.newBuilder().setDomain(DOMAIN).setReason(e.kind().name()).build()));
        }
        if (e.retryAfter() != null) {
            rpc.addDetails(Any.pack(com.google.rpc.RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder()
                    .setSeconds(e.retryAfter().toSeconds())).build()));
        }
        return rpc.build();
    }

    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
