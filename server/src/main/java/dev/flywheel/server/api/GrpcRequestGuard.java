package dev.flywheel.server.api;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.flywheel.core.error.FlywheelException;
import io.grpc.Status;
import io.netty.util.AsciiString;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Refuses, before Armeria's gRPC service sees them, requests it would answer with a 500 because it fails on them
 * itself (found by the hostile-input suite):
 * <ul>
 *   <li>a gRPC method path ({@code /package.Service/Method}) called with a method other than POST: with a JSON or
 *       protobuf body, the unframed-request support fails on the response it gets (405 here, as Armeria says to GET);</li>
 *   <li>a binary metadata header ({@code *-bin}) that is not base64: Armeria decodes it while starting the call and
 *       throws (INVALID_ARGUMENT here, as a gRPC status for gRPC requests, as our JSON error otherwise).</li>
 * </ul>
 */
public final class GrpcRequestGuard implements DecoratingHttpServiceFunction {

    /** The path of a gRPC method: a fully qualified service name, then the method (the transcoded /v1 routes have no dot). */
    private static final Pattern METHOD_PATH = Pattern.compile("/[^/]+\\.[^/]+/[^/]+");
    private static final AsciiString BINARY_SUFFIX = AsciiString.of("-bin");

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        if (req.method() != HttpMethod.POST && METHOD_PATH.matcher(ctx.path()).matches()) {
            return HttpResponse.of(ResponseHeaders.of(HttpStatus.METHOD_NOT_ALLOWED, HttpHeaderNames.ALLOW, "POST"));
        }
        for (Map.Entry<AsciiString, String> header : req.headers()) {
            if (header.getKey().endsWith(BINARY_SUFFIX) && !isBase64(header.getValue())) {
                return invalid(req, FlywheelException.invalid(header.getKey().toString(),
                        "binary metadata must be base64"));
            }
        }
        return delegate.serve(ctx, req);
    }

    /** The way gRPC (and Armeria) read a binary header: comma-separated values, each base64 with optional padding. */
    static boolean isBase64(String value) {
        try {
            for (String part : value.split(",", -1)) {
                Base64.getDecoder().decode(part);
            }
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static HttpResponse invalid(HttpRequest req, FlywheelException e) {
        MediaType type = req.contentType();
        if (type == null || !type.subtype().startsWith("grpc")) {
            return HttpErrors.of(e);
        }
        // A gRPC client reads the status from a trailers-only response, whatever the HTTP status.
        Status status = Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK)
                .contentType(type)
                .add("grpc-status", Integer.toString(status.getCode().value()))
                .add("grpc-message", percentEncoded(e.getMessage()))
                .add("grpc-status-details-bin", Base64.getEncoder().withoutPadding()
                        .encodeToString(GrpcErrors.details(status, e).toByteArray()))
                .build());
    }

    /** grpc-message is percent-encoded outside printable ASCII (and '%' itself). */
    private static String percentEncoded(String message) {
        StringBuilder out = new StringBuilder();
        for (byte b : message.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }
}
