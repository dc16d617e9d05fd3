package dev.flywheel.clients.mongo;

import com.google.protobuf.BoolValue;
import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DoubleValue;
import com.google.protobuf.Duration;
import com.google.protobuf.Empty;
import com.google.protobuf.FieldMask;
import com.google.protobuf.FloatValue;
import com.google.protobuf.Int32Value;
import com.google.protobuf.Int64Value;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.NullValue;
import com.google.protobuf.StringValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import com.google.protobuf.Value;
import java.util.Random;

/**
 * Randomly populated messages of any type, driven by the descriptor, from a seed: a random subset of the fields set,
 * repeated and map fields with 0-3 items, and values that favour the edges (zeros, minimum and maximum, NaN, infinities,
 * subnormals, unicode outside the BMP, control characters, the oldest and newest Timestamps).
 */
final class RandomMessages {

    private static final int[] INTS = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 127, -128, 65536};
    private static final long[] LONGS = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE - 1L,
            Integer.MAX_VALUE + 1L, 1L << 53, (1L << 53) + 1, 0xFFFF_FFFFL};
    private static final double[] DOUBLES = {0.0, -0.0, 1.0, -1.5, 0.1, 1e-7, 1e20, 123456789.0, Math.PI,
            Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, -Double.MAX_VALUE,
            Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 9007199254740993.0};
    private static final float[] FLOATS = {0f, -0f, 1f, 1.1f, 0.1f, -2.5e-7f, Float.MIN_VALUE, Float.MIN_NORMAL,
            Float.MAX_VALUE, -Float.MAX_VALUE, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 16777217f};
    private static final String[] STRINGS = {"", "a", "llm_job", "meta/llama-3.2-1b-instruct", "naïve café",
            "日本語のテキスト", "😀🚀 emoji", "עברית RTL", "quote \" backslash \\ slash /", "tab\t newline\n cr\r",
            "\u0000 nul and \u001f unit separator", "\u2028\u2029 line separators", "<html>&amp;='x'", "\uFEFF bom",
            "$dollar.and.dots", "{\"json\": [1, 2]}"};
    /** Characters JSON printers escape, or that HTML-safe printers escape. */
    private static final String JSON_SPECIALS = "\"\\/\u2028<>&='";
    private static final long MIN_TIMESTAMP_SECONDS = -62135596800L; // 0001-01-01T00:00:00Z
    private static final long MAX_TIMESTAMP_SECONDS = 253402300799L; // 9999-12-31T23:59:59Z
    private static final long MAX_DURATION_SECONDS = 315576000000L; // 10,000 years

    private final Random random;

    RandomMessages(long seed) {
        this.random = new Random(seed);
    }

    /** Fills {@code builder} with random fields; messages nest at most {@code depth} levels below this one. */
    Message fill(Message.Builder builder, int depth) {
        for (FieldDescriptor field : builder.getDescriptorForType().getFields()) {
            if (random.nextInt(3) == 0) {
                continue; // leave about a third of the fields unset
            }
            if (field.isMapField()) {
                FieldDescriptor keyField = field.getMessageType().findFieldByNumber(1);
                FieldDescriptor valueField = field.getMessageType().findFieldByNumber(2);
                for (int i = random.nextInt(4); i > 0; i--) {
                    Message.Builder entry = builder.newBuilderForField(field);
                    entry.setField(keyField, value(entry, keyField, depth));
                    Object value = value(entry, valueField, depth - 1);
                    if (value != null) {
                        builder.addRepeatedField(field, entry.setField(valueField, value).build());
                    }
                }
            } else if (field.isRepeated()) {
                for (int i = random.nextInt(4); i > 0; i--) {
                    Object value = value(builder, field, depth - 1);
                    if (value != null) {
                        builder.addRepeatedField(field, value);
                    }
                }
            } else {
                Object value = value(builder, field, depth - 1);
                if (value != null) {
                    builder.setField(field, value);
                }
            }
        }
        return builder.build();
    }

    /** A random value for {@code field}, or null for a nested message below the depth limit. */
    private Object value(Message.Builder parent, FieldDescriptor field, int depth) {
        switch (field.getJavaType()) {
            case INT:
                return anInt();
            case LONG:
                return aLong();
            case FLOAT:
                return aFloat();
            case DOUBLE:
                return aDouble();
            case BOOLEAN:
                return random.nextBoolean();
            case STRING:
                return aString();
            case BYTE_STRING:
                return someBytes();
            case ENUM:
                return anEnum(field.getEnumType());
            case MESSAGE:
            default:
                Message wellKnown = wellKnown(field.getMessageType().getFullName(), depth);
                if (wellKnown != null) {
                    // as the parent's own kind of message: a DynamicMessage holds DynamicMessages
                    return parent.newBuilderForField(field).mergeFrom(wellKnown).build();
                }
                return depth < 0 ? null : fill(parent.newBuilderForField(field), depth);
        }
    }

    private Message wellKnown(String type, int depth) {
        switch (type) {
            case "google.protobuf.Timestamp":
                return aTimestamp();
            case "google.protobuf.Duration":
                return aDuration();
            case "google.protobuf.Struct":
                return aStruct(Math.max(depth, 0));
            case "google.protobuf.Value":
                return aValue(Math.max(depth, 0));
            case "google.protobuf.ListValue":
                return aList(Math.max(depth, 0));
            case "google.protobuf.FieldMask":
                return FieldMask.newBuilder().addPaths("status").addPaths("candidates.model_name").build();
            case "google.protobuf.Empty":
                return Empty.getDefaultInstance();
            case "google.protobuf.Int32Value":
                return Int32Value.of(anInt());
            case "google.protobuf.Int64Value":
                return Int64Value.of(aLong());
            case "google.protobuf.UInt32Value":
                return UInt32Value.of(anInt());
            case "google.protobuf.UInt64Value":
                return UInt64Value.of(aLong());
            case "google.protobuf.FloatValue":
                return FloatValue.of(aFloat());
            case "google.protobuf.DoubleValue":
                return DoubleValue.of(finiteJsonNumber()); // JsonFormat reads a DoubleValue's -0.0 back as 0.0
            case "google.protobuf.BoolValue":
                return BoolValue.of(random.nextBoolean());
            case "google.protobuf.StringValue":
                return StringValue.of(aString());
            case "google.protobuf.BytesValue":
                return BytesValue.of(someBytes());
            default:
                return null;
        }
    }

    private int anInt() {
        return random.nextBoolean() ? INTS[random.nextInt(INTS.length)] : random.nextInt();
    }

    private long aLong() {
        return random.nextBoolean() ? LONGS[random.nextInt(LONGS.length)] : random.nextLong();
    }

    private double aDouble() {
        switch (random.nextInt(3)) {
            case 0:
                return DOUBLES[random.nextInt(DOUBLES.length)];
            case 1:
                return Double.longBitsToDouble(random.nextLong()); // any double, subnormals and NaN payloads included
            default:
                return Math.round(random.nextDouble() * 10000) / 100.0; // a score or a progress
        }
    }

    private float aFloat() {
        return random.nextBoolean() ? FLOATS[random.nextInt(FLOATS.length)] : Float.intBitsToFloat(random.nextInt());
    }

    /** A number JSON can hold and give back: finite, and not -0.0. */
    private double finiteJsonNumber() {
        double d = aDouble();
        return Double.isFinite(d) && Double.doubleToRawLongBits(d) != Double.doubleToRawLongBits(-0.0) ? d : 2.5;
    }

    private String aString() {
        if (random.nextBoolean()) {
            return STRINGS[random.nextInt(STRINGS.length)];
        }
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            switch (random.nextInt(5)) {
                case 0:
                    s.append((char) random.nextInt(0x20)); // control characters
                    break;
                case 1:
                    s.append((char) (0x20 + random.nextInt(0x5f))); // printable ASCII
                    break;
                case 2:
                    s.append((char) (0xa0 + random.nextInt(0xd000))); // the rest of the BMP below the surrogates
                    break;
                case 3:
                    s.appendCodePoint(0x10000 + random.nextInt(0xFFFFF)); // outside the BMP: a surrogate pair
                    break;
                default:
                    s.append(JSON_SPECIALS.charAt(random.nextInt(JSON_SPECIALS.length())));
            }
        }
        return s.toString();
    }

    private ByteString someBytes() {
        byte[] bytes = new byte[random.nextInt(20)];
        random.nextBytes(bytes);
        return ByteString.copyFrom(bytes);
    }

    private Object anEnum(EnumDescriptor type) {
        if (type.getFullName().equals("google.protobuf.NullValue")) {
            return NullValue.NULL_VALUE.getValueDescriptor(); // JSON null has only this one value
        }
        if (random.nextInt(8) == 0) {
            return type.findValueByNumberCreatingIfUnknown(40 + random.nextInt(10)); // written by a newer version
        }
        return type.getValues().get(random.nextInt(type.getValues().size()));
    }

    private Timestamp aTimestamp() {
        long seconds;
        switch (random.nextInt(4)) {
            case 0:
                seconds = random.nextBoolean() ? MIN_TIMESTAMP_SECONDS : MAX_TIMESTAMP_SECONDS;
                break;
            case 1:
                seconds = 0;
                break;
            default:
                seconds = MIN_TIMESTAMP_SECONDS + (long) (random.nextDouble() * (MAX_TIMESTAMP_SECONDS - MIN_TIMESTAMP_SECONDS));
        }
        return Timestamp.newBuilder().setSeconds(seconds).setNanos(someNanos()).build();
    }

    private Duration aDuration() {
        long seconds = (long) ((random.nextDouble() * 2 - 1) * MAX_DURATION_SECONDS);
        int nanos = someNanos();
        if (seconds < 0 || (seconds == 0 && random.nextBoolean())) {
            nanos = -nanos; // seconds and nanos have the same sign
        }
        return Duration.newBuilder().setSeconds(seconds).setNanos(nanos).build();
    }

    /** Whole seconds, milliseconds, microseconds or nanoseconds: proto3 JSON prints 0, 3, 6 or 9 digits. */
    private int someNanos() {
        switch (random.nextInt(4)) {
            case 0:
                return 0;
            case 1:
                return random.nextInt(1000) * 1_000_000;
            case 2:
                return random.nextInt(1_000_000) * 1000;
            default:
                return random.nextInt(1_000_000_000);
        }
    }

    private Struct aStruct(int depth) {
        Struct.Builder struct = Struct.newBuilder();
        for (int i = random.nextInt(4); i > 0; i--) {
            struct.putFields(aString(), aValue(depth - 1));
        }
        return struct.build();
    }

    private ListValue aList(int depth) {
        ListValue.Builder list = ListValue.newBuilder();
        for (int i = random.nextInt(4); i > 0; i--) {
            list.addValues(aValue(depth - 1));
        }
        return list.build();
    }

    private Value aValue(int depth) {
        switch (random.nextInt(depth > 0 ? 6 : 4)) {
            case 0:
                return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
            case 1:
                return Value.newBuilder().setNumberValue(finiteJsonNumber()).build();
            case 2:
                return Value.newBuilder().setStringValue(aString()).build();
            case 3:
                return Value.newBuilder().setBoolValue(random.nextBoolean()).build();
            case 4:
                return Value.newBuilder().setStructValue(aStruct(depth)).build();
            default:
                return Value.newBuilder().setListValue(aList(depth)).build();
        }
    }
}
