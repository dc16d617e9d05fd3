package dev.flywheel.cli;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/** Turns a failed call into one readable message and an exit status: the gRPC status and the fields at fault. */
final class RpcErrors {

    private RpcErrors() {}

    static String describe(StatusRuntimeException e, CliSettings settings) {
        Status status = e.getStatus();
        StringBuilder out = new StringBuilder(status.getCode().name());
        switch (status.getCode()) {
            case UNAVAILABLE:
                out.append(": cannot reach the server at ").append(settings.target());
                if (status.getDescription() != null) {
                    out.append(" (").append(status.getDescription()).append(')');
                }
                return out.toString();
            case DEADLINE_EXCEEDED:
                return out.append(": no answer from ").append(settings.target()).append(" within ")
                        .append(Format.duration(settings.timeout())).append(" (--timeout)").toString();
            case UNAUTHENTICATED:
                out.append(": ").append(orEmpty(status.getDescription()))
                        .append(" (set --token, FLYWHEEL_TOKEN or token= in ").append(settings.configFile()).append(')');
                return out.toString();
            default:
                break;
        }
        if (status.getDescription() != null) {
            out.append(": ").append(status.getDescription());
        }
        com.google.rpc.Status details = StatusProto.fromThrowable(e);
        if (details != null) {
            for (Any any : details.getDetailsList()) {
                try {
                    if (any.is(BadRequest.class)) {
                        for (BadRequest.FieldViolation v : any.unpack(BadRequest.class).getFieldViolationsList()) {
                            out.append(System.lineSeparator()).append("  field ").append(v.getField()).append(": ").append(v.getDescription());
                        }
                    } else if (any.is(ErrorInfo.class)) {
                        ErrorInfo info = any.unpack(ErrorInfo.class);
                        if (!info.getReason().isEmpty()) {
                            out.append(System.lineSeparator()).append("  reason: ").append(info.getReason());
                        }
                    }
                } catch (InvalidProtocolBufferException ignored) {
                    // a detail we cannot read adds nothing the description does not say
                }
            }
        }
        return out.toString();
    }

    static int exitCode(StatusRuntimeException e) {
        switch (e.getStatus().getCode()) {
            case UNAVAILABLE:
            case DEADLINE_EXCEEDED:
                return ExitCodes.UNREACHABLE;
            default:
                return ExitCodes.RPC_ERROR;
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
