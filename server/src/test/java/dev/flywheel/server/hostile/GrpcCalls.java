package dev.flywheel.server.hostile;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import dev.flywheel.api.v1.CancelJobRequest;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.DataSplitConfig;
import dev.flywheel.api.v1.DeleteConfigRequest;
import dev.flywheel.api.v1.DeleteJobRequest;
import dev.flywheel.api.v1.GetConfigRequest;
import dev.flywheel.api.v1.GetJobRequest;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.ListConfigsRequest;
import dev.flywheel.api.v1.ListJobsRequest;
import dev.flywheel.api.v1.PutConfigRequest;
import dev.flywheel.api.v1.WatchJobRequest;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.reflection.v1.ServerReflectionRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * gRPC calls, typed (random but well-formed messages with hostile values) and raw (the bytes of an HTTP/2 POST with
 * gRPC framing, right or wrong).
 */
final class GrpcCalls {

    private GrpcCalls() {}

    /** Every method of the public port's gRPC services, and two that do not exist. */
    enum Method {
        CREATE_JOB("flywheel.v1.FlywheelService/CreateJob", CreateJobRequest.getDefaultInstance(), false),
        GET_JOB("flywheel.v1.FlywheelService/GetJob", GetJobRequest.getDefaultInstance(), false),
        LIST_JOBS("flywheel.v1.FlywheelService/ListJobs", ListJobsRequest.getDefaultInstance(), false),
        WATCH_JOB("flywheel.v1.FlywheelService/WatchJob", WatchJobRequest.getDefaultInstance(), true),
        CANCEL_JOB("flywheel.v1.FlywheelService/CancelJob", CancelJobRequest.getDefaultInstance(), false),
        DELETE_JOB("flywheel.v1.FlywheelService/DeleteJob", DeleteJobRequest.getDefaultInstance(), false),
        PUT_CONFIG("flywheel.v1.ConfigService/PutConfig", PutConfigRequest.getDefaultInstance(), false),
        GET_CONFIG("flywheel.v1.ConfigService/GetConfig", GetConfigRequest.getDefaultInstance(), false),
        LIST_CONFIGS("flywheel.v1.ConfigService/ListConfigs", ListConfigsRequest.getDefaultInstance(), false),
        DELETE_CONFIG("flywheel.v1.ConfigService/DeleteConfig", DeleteConfigRequest.getDefaultInstance(), false),
        HEALTH_CHECK("grpc.health.v1.Health/Check", HealthCheckRequest.getDefaultInstance(), false),
        REFLECTION("grpc.reflection.v1.ServerReflection/ServerReflectionInfo", ServerReflectionRequest.getDefaultInstance(), true),
        UNKNOWN_METHOD("flywheel.v1.FlywheelService/Nope", GetJobRequest.getDefaultInstance(), false),
        UNKNOWN_SERVICE("flywheel.v0.Nope/GetJob", GetJobRequest.getDefaultInstance(), false);

        final String path;
        final Message prototype;
        final boolean streaming;

        Method(String path, Message prototype, boolean streaming) {
            this.path = "/" + path;
            this.prototype = prototype;
            this.streaming = streaming;
        }
    }

    // ------------------------------------------------------------------ typed messages

    /** A request for {@code method}: plausible with hostile values for the ids and strings, or filled at random. */
    static Message message(Method method, Random r) {
        Message.Builder b = method.prototype.newBuilderForType();
        if (r.nextInt(4) == 0) {
            fill(b, r, 3, 0.5);
            return b.build();
        }
        switch (method) {
            case CREATE_JOB -> {
                CreateJobRequest.Builder c = (CreateJobRequest.Builder) b;
                c.setClientId(r.nextInt(4) == 0 ? Hostile.text(r) : "hostile-" + Hostile.ident(r))
                        .setWorkloadId(r.nextInt(4) == 0 ? Hostile.text(r) : Hostile.ident(r));
                if (r.nextBoolean()) {
                    c.setJobType(r.nextInt(3) == 0 ? Hostile.text(r) : "llm_job");
                }
                if (r.nextInt(4) == 0) {
                    c.setConfigName(r.nextBoolean() ? Hostile.knownConfig(r) : Hostile.text(r));
                }
                if (r.nextBoolean()) {
                    DataSplitConfig.Builder split = DataSplitConfig.newBuilder();
                    fill(split, r, 0, 0.5);
                    c.setDataSplitConfig(split);
                }
                if (r.nextBoolean()) {
                    c.setRequestId(r.nextBoolean() ? Hostile.ident(r) : Hostile.text(r));
                }
                if (r.nextInt(4) == 0) {
                    c.setFrom(timestamp(r));
                }
                if (r.nextInt(4) == 0) {
                    c.setTo(timestamp(r));
                }
            }
            case PUT_CONFIG -> {
                PutConfigRequest.Builder p = (PutConfigRequest.Builder) b;
                p.setName(r.nextInt(3) == 0 ? Hostile.text(r) : "hostile-" + Hostile.ident(r));
                JobConfig.Builder config = JobConfig.newBuilder();
                fill(config, r, 3, 0.2);
                p.setConfig(config);
                if (r.nextInt(4) == 0) {
                    p.setDescription(Hostile.text(r));
                }
            }
            default -> {
                fill(b, r, 2, 0.6);
                FieldDescriptor id = b.getDescriptorForType().findFieldByName("id");
                if (id != null && r.nextBoolean()) {
                    b.setField(id, Hostile.knownJob(r));
                }
                FieldDescriptor name = b.getDescriptorForType().findFieldByName("name");
                if (name != null && method != Method.LIST_CONFIGS && r.nextBoolean()) {
                    b.setField(name, Hostile.knownConfig(r));
                }
            }
        }
        return b.build();
    }

    /** Sets each field with probability {@code density} to a hostile value of its type. */
    static void fill(Message.Builder b, Random r, int depth, double density) {
        for (FieldDescriptor f : b.getDescriptorForType().getFields()) {
            if (r.nextDouble() >= density || f.isMapField()) {
                continue;
            }
            if (f.isRepeated()) {
                for (int i = r.nextInt(4); i > 0; i--) {
                    Object v = value(b, f, r, depth);
                    if (v != null) {
                        b.addRepeatedField(f, v);
                    }
                }
            } else {
                Object v = value(b, f, r, depth);
                if (v != null) {
                    b.setField(f, v);
                }
            }
        }
    }

    private static Object value(Message.Builder b, FieldDescriptor f, Random r, int depth) {
        return switch (f.getJavaType()) {
            case STRING -> Hostile.text(r);
            case INT -> r.nextInt(3) == 0 ? r.nextInt() : Hostile.smallInt(r);
            case LONG -> r.nextInt(3) == 0 ? r.nextLong() : (long) Hostile.smallInt(r);
            case DOUBLE -> Hostile.pick(r, List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1.0, 0.0,
                    0.1, 0.5, 1e-4, 1e308, Double.MIN_VALUE, 2.5));
            case FLOAT -> Hostile.pick(r, List.of(Float.NaN, Float.POSITIVE_INFINITY, -1f, 0f, 0.5f));
            case BOOLEAN -> r.nextBoolean();
            case ENUM -> f.getEnumType().getValues().get(r.nextInt(f.getEnumType().getValues().size()));
            case BYTE_STRING -> com.google.protobuf.ByteString.copyFrom(Hostile.randomBytes(r, r.nextInt(64)));
            case MESSAGE -> {
                if (f.getMessageType().getFullName().equals("google.protobuf.Timestamp")) {
                    yield timestamp(r);
                }
                if (depth <= 0) {
                    yield null;
                }
                Message.Builder child = b.newBuilderForField(f);
                fill(child, r, depth - 1, 0.3);
                yield child.build();
            }
        };
    }

    static Timestamp timestamp(Random r) {
        long seconds = Hostile.pick(r, List.of(0L, 1_700_000_000L, 1_900_000_000L, -62_135_596_800L, -62_135_596_801L,
                253_402_300_799L, 253_402_300_800L, Long.MAX_VALUE, Long.MIN_VALUE, -1L));
        int nanos = Hostile.pick(r, List.of(0, 1, 999_999_999, 1_000_000_000, -1, Integer.MAX_VALUE));
        return Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos).build();
    }

    // ------------------------------------------------------------------ raw frames

    /** What the message bytes are. */
    enum Payload { VALID, RANDOM_BYTES, NOT_UTF8, WRONG_WIRE_TYPE, TRUNCATED_FIELD, DEEP_GROUPS, EMPTY }

    /** How the bytes are framed (5-byte prefix: compressed flag, big-endian length). */
    enum Framing {
        CORRECT, TRUNCATED, SHORTER, HUGE_LENGTH, NO_MESSAGE, PARTIAL_PREFIX, TWO_MESSAGES, COMPRESSED_WITHOUT_ENCODING,
        BAD_FLAG, GZIP_GARBAGE, GZIP_VALID, UNKNOWN_ENCODING
    }

    enum ContentType {
        GRPC("application/grpc"), GRPC_PROTO("application/grpc+proto"), GRPC_JSON("application/grpc+json"),
        WEB("application/grpc-web"), WEB_PROTO("application/grpc-web+proto"), WEB_TEXT("application/grpc-web-text"),
        GRPC_UNKNOWN_SUBTYPE("application/grpc+thrift"), UNFRAMED_PROTO("application/protobuf"),
        UNFRAMED_JSON("application/json"), GARBAGE("application/grpc;;;=\u00e9"), NONE(null);

        final String value;

        ContentType(String value) {
            this.value = value;
        }

        boolean json() {
            return this == GRPC_JSON || this == UNFRAMED_JSON;
        }

        boolean unframed() {
            return this == UNFRAMED_PROTO || this == UNFRAMED_JSON;
        }
    }

    /** Header trouble for a raw gRPC call. */
    enum HeaderKind { NORMAL, SHORT_DEADLINE, BAD_TIMEOUT, NO_TE, BAD_ENCODING_HEADERS, METADATA_ABUSE, AUTHORIZATION }

    /** {@code message}: the request the body carries when it is a well-framed valid message, else null. */
    record RawCall(Method method, List<String[]> headers, byte[] body, Message message) {
        String describe() {
            StringBuilder s = new StringBuilder("POST ").append(method.path);
            for (String[] h : headers) {
                s.append(" | ").append(h[0]).append(": ").append(Hostile.abbreviate(h[1], 60));
            }
            s.append(" | body(").append(body.length).append(" bytes)=");
            for (int i = 0; i < Math.min(48, body.length); i++) {
                s.append(String.format("%02x", body[i]));
            }
            return s.append(body.length > 48 ? "..." : "").toString();
        }
    }

    static RawCall raw(Method method, ContentType type, Payload payload, Framing framing, HeaderKind headerKind, long seed) {
        Random r = new Random(seed);
        Message valid = payload == Payload.VALID ? message(method, new Random(seed)) : null;
        byte[] message = type.json() ? jsonPayload(method, payload, r) : payload(method, payload, r);
        List<String[]> headers = new ArrayList<>();
        if (type.value != null) {
            headers.add(new String[] {"content-type", type.value});
        }
        if (headerKind != HeaderKind.NO_TE) {
            headers.add(new String[] {"te", "trailers"});
        }
        byte[] body;
        if (type.unframed()) {
            body = framing == Framing.NO_MESSAGE ? new byte[0] : message;
        } else {
            body = frame(message, framing, r, headers);
        }
        if (type == ContentType.WEB_TEXT) {
            body = Base64.getEncoder().encode(body);
        }
        switch (headerKind) {
            case SHORT_DEADLINE -> headers.add(new String[] {"grpc-timeout", Hostile.pick(r, List.of("1n", "1u", "1m", "50m", "1S"))});
            case BAD_TIMEOUT -> headers.add(new String[] {"grpc-timeout", Hostile.pick(r, List.of("abc", "-1S", "1", "S", "1X",
                    "999999999H", "123456789012S", "1.5S", "0S", " 1S", "", "1s", "99999999n"))});
            case BAD_ENCODING_HEADERS -> {
                headers.add(new String[] {"grpc-accept-encoding", Hostile.pick(r, List.of("gzip", "x-garbage", ",,,", "identity;q=x"))});
                if (r.nextBoolean()) {
                    headers.add(new String[] {"grpc-encoding", Hostile.pick(r, List.of("identity", "gzip", "x-garbage", ""))});
                }
            }
            case METADATA_ABUSE -> {
                switch (r.nextInt(5)) {
                    case 0 -> headers.add(new String[] {"x-meta-bin", Hostile.pick(r, List.of("!!!", "QQ=", "====", "\u00e9"))});
                    case 1 -> headers.add(new String[] {"x-meta", "v".repeat(Hostile.pick(r, List.of(4_000, 9_000, 20_000)))});
                    case 2 -> {
                        for (int i = Hostile.pick(r, List.of(100, 500)); i > 0; i--) {
                            headers.add(new String[] {"x-m-" + i, "v"});
                        }
                    }
                    case 3 -> headers.add(new String[] {"grpc-status", "13"}); // a response header in a request
                    default -> headers.add(new String[] {"grpc-message", "%zz%" + Hostile.ident(r)});
                }
            }
            case AUTHORIZATION -> headers.add(new String[] {"authorization", Hostile.pick(r, List.of("Bearer", "Bearer !!",
                    "Bearer " + "a".repeat(5000), "Basic ====", "garbage", ""))});
            default -> { }
        }
        boolean intact = framing == Framing.CORRECT || framing == Framing.GZIP_VALID || (type.unframed() && framing != Framing.NO_MESSAGE);
        return new RawCall(method, headers, body, intact ? valid : null);
    }

    private static byte[] payload(Method method, Payload payload, Random r) {
        return switch (payload) {
            case VALID -> message(method, r).toByteArray();
            case RANDOM_BYTES -> Hostile.randomBytes(r, Hostile.pick(r, List.of(1, 3, 10, 100, 1000, 20_000)));
            case NOT_UTF8 -> {
                // field 1 (a string in every request message here) with bytes that are not UTF-8
                byte[] bad = Hostile.notUtf8(r, "\"" + Hostile.ident(r) + "\"");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(0x0a);
                out.write(bad.length);
                out.writeBytes(bad);
                yield out.toByteArray();
            }
            case WRONG_WIRE_TYPE -> Hostile.pick(r, List.of(new byte[] {0x08, 0x01}, new byte[] {0x0d, 1, 2, 3, 4},
                    new byte[] {0x09, 1, 2, 3, 4, 5, 6, 7, 8}, new byte[] {0x2a, 0x02, 0x08, 0x01}, new byte[] {0x00},
                    new byte[] {0x0f}, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x00}));
            case TRUNCATED_FIELD -> Hostile.pick(r, List.of(new byte[] {0x0a, 0x7f, 'a'}, new byte[] {0x0a},
                    new byte[] {0x10, (byte) 0xff, (byte) 0xff}, new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07},
                    new byte[] {(byte) 0x80}));
            case DEEP_GROUPS -> {
                int levels = Hostile.pick(r, List.of(50, 101, 1_000, 100_000));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (int i = 0; i < levels; i++) {
                    out.write(0x7b); // field 15, start group
                }
                for (int i = 0; i < levels; i++) {
                    out.write(0x7c); // field 15, end group
                }
                yield out.toByteArray();
            }
            case EMPTY -> new byte[0];
        };
    }

    private static byte[] jsonPayload(Method method, Payload payload, Random r) {
        if (payload == Payload.VALID) {
            try {
                return JsonFormat.printer().preservingProtoFieldNames().print(message(method, r)).getBytes(StandardCharsets.UTF_8);
            } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
                // not printable as JSON (an invalid timestamp): send what a client would build by hand instead
                return Hostile.utf8(Hostile.message(r, method.prototype.getDescriptorForType(), 2, 0.5));
            }
        }
        if (payload == Payload.EMPTY) {
            return new byte[0];
        }
        String valid = Hostile.message(r, method.prototype.getDescriptorForType(), 2, 0.5);
        return payload == Payload.NOT_UTF8 ? Hostile.notUtf8(r, valid) : Hostile.brokenBody(r, valid);
    }

    static byte[] frame(byte[] m, Framing framing, Random r, List<String[]> headers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (framing) {
            case CORRECT -> writeFrame(out, 0, m.length, m);
            case TRUNCATED -> writeFrame(out, 0, m.length + 1 + r.nextInt(100), m);
            case SHORTER -> writeFrame(out, 0, Math.max(0, m.length - 1 - r.nextInt(10)), m);
            case HUGE_LENGTH -> writeFrame(out, 0, Hostile.pick(r, List.of(0x7fffffff, 0xffffffff, Hostile.RequestGuardsLimit.BODY + 1,
                    0x80000000)), m);
            case NO_MESSAGE -> { }
            case PARTIAL_PREFIX -> {
                byte[] prefix = ByteBuffer.allocate(5).put((byte) 0).putInt(m.length).array();
                out.write(prefix, 0, 1 + r.nextInt(4));
            }
            case TWO_MESSAGES -> {
                writeFrame(out, 0, m.length, m);
                writeFrame(out, 0, m.length, m);
            }
            case COMPRESSED_WITHOUT_ENCODING -> writeFrame(out, 1, m.length, m);
            case BAD_FLAG -> writeFrame(out, Hostile.pick(r, List.of(2, 0x7f, 0x80, 0xff)), m.length, m);
            case GZIP_GARBAGE -> {
                headers.add(new String[] {"grpc-encoding", "gzip"});
                writeFrame(out, 1, m.length, m);
            }
            case GZIP_VALID -> {
                headers.add(new String[] {"grpc-encoding", "gzip"});
                byte[] zipped = gzip(m);
                writeFrame(out, 1, zipped.length, zipped);
            }
            case UNKNOWN_ENCODING -> {
                headers.add(new String[] {"grpc-encoding", Hostile.pick(r, List.of("snappy", "x-garbage", "zstd", "br"))});
                writeFrame(out, 1, m.length, m);
            }
        }
        return out.toByteArray();
    }

    private static void writeFrame(ByteArrayOutputStream out, int flag, int declaredLength, byte[] m) {
        out.write(flag);
        out.writeBytes(ByteBuffer.allocate(4).putInt(declaredLength).array());
        out.writeBytes(m);
    }

    private static byte[] gzip(byte[] m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
