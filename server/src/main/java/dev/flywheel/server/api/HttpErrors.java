package dev.flywheel.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.linecorp.armeria.server.annotation.ExceptionHandlerFunction;
import com.linecorp.armeria.server.grpc.UnframedGrpcErrorHandler;
import com.linecorp.armeria.server.grpc.UnframedGrpcErrorResponseType;
import dev.flywheel.core.error.FlywheelException;
import io.grpc.Status;
import java.util.Base64;

/**
 * JSON error bodies for everything served over plain HTTP: the same shape Armeria gives transcoded gRPC
 * errors ({@code code}, {@code grpc-code}, {@code message}, {@code details} with BadRequest field
 * violations), so a client parses one error format whichever route it called.
 */
public final class HttpErrors implements ExceptionHandlerFunction {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFormat.Printer DETAILS = JsonFormat.printer()
            .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder().add(BadRequest.getDescriptor()).add(ErrorInfo.getDescriptor())
                    .add(com.google.rpc.RetryInfo.getDescriptor()).build());

    /**
     * The error handler for transcoded and unframed gRPC calls: our own errors get the full body with
     * field violations, anything else Armeria's JSON rendering.
     */
    public static UnframedGrpcErrorHandler unframedHandler() {
        UnframedGrpcErrorHandler fallback = UnframedGrpcErrorHandler.builder()
                .responseTypes(UnframedGrpcErrorResponseType.JSON)
                .build();
        return (ctx, status, response) -> {
            FlywheelException e = findCause(status.getCause());
            if (e != null) {
                return of(e);
            }
            // The framed response carries our google.rpc.Status (with field violations) in a trailer.
            String details = response.trailers().get("grpc-status-details-bin");
            if (details == null) {
                details = response.headers().get("grpc-status-details-bin");
            }
            if (details != null) {
                try {
                    com.google.rpc.Status rpc = com.google.rpc.Status.parseFrom(Base64.getDecoder().decode(padded(details)));
                    AggregatedHttpResponse json = AggregatedHttpResponse.of(httpStatus(status.getCode()), MediaType.JSON_UTF_8,
                            body(Status.fromCodeValue(rpc.getCode()).withDescription(rpc.getMessage()), rpc));
                    for (var any : rpc.getDetailsList()) {
                        if (any.is(com.google.rpc.RetryInfo.class)) { // HTTP clients read Retry-After, not the body
                            long seconds = any.unpack(com.google.rpc.RetryInfo.class).getRetryDelay().getSeconds();
                            json = AggregatedHttpResponse.of(json.headers().toBuilder()
                                    .set(com.linecorp.armeria.common.HttpHeaderNames.RETRY_AFTER, Long.toString(Math.max(1, seconds)))
                                    .build(), json.content());
                        }
                    }
                    return json.toHttpResponse();
                } catch (IllegalArgumentException | com.google.protobuf.InvalidProtocolBufferException ignored) {
                    // not ours; fall back to Armeria's rendering
                }
            }
            return fallback.handle(ctx, status, response);
        };
    }

    /**
     * Errors raised before a service runs: a transcoded body that is not JSON at all, or a body larger than
     * the limit that came without Content-Length (only detected while reading it).
     */
    public static ServerErrorHandler serverErrors() {
        return new ServerErrorHandler() {
            @Override
            public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
                FlywheelException e = translate(cause);
                return e == null ? null : of(e);
            }

            @Override
            public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config,
                                                       RequestHeaders headers, HttpStatus status, String description,
                                                       Throwable cause) {
                FlywheelException e = status == HttpStatus.REQUEST_ENTITY_TOO_LARGE ? tooLarge() : translate(cause);
                return e == null ? null : aggregated(e);
            }
        };
    }

    private static FlywheelException translate(Throwable cause) {
        if (cause instanceof ContentTooLargeException) {
            return tooLarge();
        }
        if (cause instanceof IllegalArgumentException && cause.getCause() instanceof JsonProcessingException json) {
            return FlywheelException.invalid("body", "malformed JSON: " + json.getOriginalMessage());
        }
        return null;
    }

    private static FlywheelException tooLarge() {
        return FlywheelException.invalid("body", "request body is larger than the limit of "
                + RequestGuards.MAX_BODY_BYTES + " bytes");
    }

    /** gRPC sends binary headers as unpadded base64. */
    private static String padded(String base64) {
        return base64 + "==".substring(0, (4 - base64.length() % 4) % 4);
    }

    private static FlywheelException findCause(Throwable t) {
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            if (t instanceof FlywheelException e) {
                return e;
            }
        }
        return null;
    }

    @Override
    public HttpResponse handleException(ServiceRequestContext ctx, HttpRequest req, Throwable cause) {
        Throwable error = GrpcErrors.unwrap(cause);
        if (error instanceof FlywheelException e) {
            return of(e);
        }
        return ExceptionHandlerFunction.fallthrough();
    }

    public static HttpResponse of(FlywheelException e) {
        return aggregated(e).toHttpResponse();
    }

    static AggregatedHttpResponse aggregated(FlywheelException e) {
        Status status = Status.fromCode(Status.Code.valueOf(e.kind().name())).withDescription(e.getMessage());
        AggregatedHttpResponse response = AggregatedHttpResponse.of(httpStatus(status.getCode()), MediaType.JSON_UTF_8,
                body(status, GrpcErrors.details(status, e)));
        if (e.retryAfter() != null) {
            return AggregatedHttpResponse.of(response.headers().toBuilder()
                    .set(com.linecorp.armeria.common.HttpHeaderNames.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())))
                    .build(), response.content());
        }
        return response;
    }

    static String body(Status status, com.google.rpc.Status details) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("code", status.getCode().value());
        json.put("grpc-code", status.getCode().name());
        json.put("message", status.getDescription());
        ArrayNode list = json.putArray("details");
        for (var any : details.getDetailsList()) {
            try {
                list.add(MAPPER.readTree(DETAILS.print(any)));
            } catch (InvalidProtocolBufferException | com.fasterxml.jackson.core.JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return json.toString();
    }

    /** The gRPC-to-HTTP mapping used by google.api transcoding (peers.md D.2). */
    public static HttpStatus httpStatus(Status.Code code) {
        return switch (code) {
            case OK -> HttpStatus.OK;
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> HttpStatus.BAD_REQUEST;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case ALREADY_EXISTS, ABORTED -> HttpStatus.CONFLICT;
            case RESOURCE_EXHAUSTED -> HttpStatus.TOO_MANY_REQUESTS;
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
            case CANCELLED -> HttpStatus.valueOf(499);
            case UNIMPLEMENTED -> HttpStatus.NOT_IMPLEMENTED;
            default -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
    }
}
