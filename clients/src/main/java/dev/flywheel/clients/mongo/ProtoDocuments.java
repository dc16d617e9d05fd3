package dev.flywheel.clients.mongo;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * Converts API messages to and from stored documents. A stored document has exactly the shape of the message's
 * proto3 JSON with the proto field names (what {@code JsonFormat.printer().preservingProtoFieldNames()} prints, read
 * by {@code Document.parse}), so a stored job reads like the API's JSON (snake_case keys). Earlier versions produced
 * the documents that way, through JSON text; walking the descriptor gives the same documents without the text, which
 * was the one Flywheel-owned cost of CreateJob that showed up (~45 µs and 76 KB of garbage per call, see
 * docs/benchmarks.md).
 *
 * <p>Written as proto3 JSON writes them: only the fields {@code getAllFields()} reports (proto3 fields at their
 * default value are left out, fields with presence are kept when set); 64-bit integers as decimal strings; 32-bit
 * integers as numbers (Int32, or Int64 for a uint32 above 2^31 - 1, as Document.parse reads such a number); doubles and
 * floats as doubles, NaN and infinities as the strings "NaN", "Infinity", "-Infinity"; enums by name (an unknown
 * number as the number); bytes as base64; Timestamps as RFC 3339 strings; Durations as "1.5s"; maps as sub-documents
 * keyed by the key's text; repeated fields as lists. The other well-known types with a special JSON form (wrappers,
 * Struct, Value, ListValue, Any, FieldMask) are not in our API; a field of such a type goes through JsonFormat, so
 * it too gets exactly its proto3 JSON form.
 *
 * <p>Reading is tolerant, so documents written by any earlier version still load: keys that name no field are
 * ignored, missing keys leave the field at its default, and camelCase (JSON) names are accepted besides the proto
 * names. A value in the shape written here is read directly; a value in any other shape (a number stored where a
 * string is written, a string holding a number in a double field, null, ...) is handed, for that field only, to the
 * JSON parser that read every stored document before, so whatever it accepted still loads, to the same value, and
 * what it refused is refused still (IllegalStateException naming the field). The only differences: a Timestamp field
 * also accepts a BSON date, a double or float field a BSON NaN or infinity, and a double -0.0 stays -0.0 (the JSON
 * parser made it 0.0), so that every message reads back equal to what was written.
 */
public final class ProtoDocuments {

    /** The printer and parser the stored shape was defined with; used only for the rare cases described above. */
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    /** Well-known types whose proto3 JSON is special and which this class leaves to JsonFormat (none is used by our API). */
    private static final Set<String> LEFT_TO_JSON_FORMAT = Set.of(
            "google.protobuf.Any", "google.protobuf.FieldMask",
            "google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue", "google.protobuf.NullValue",
            "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
            "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
            "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue");

    /** JsonFormat's limit for floats: anything larger in magnitude is out of range, below it rounds (maybe to infinity). */
    private static final double FLOAT_LIMIT = Float.MAX_VALUE * (1.0 + 1e-6);

    private ProtoDocuments() {}

    // ---------------------------------------------------------------- message -> document

    /** The stored form of {@code message}: a document shaped like its proto3 JSON, with proto field names. */
    public static Document toDocument(MessageOrBuilder message) {
        Document document = new Document();
        // getAllFields() is what JsonFormat prints: the fields that are set, in field-number order.
        for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
            FieldDescriptor field = entry.getKey();
            Object value = leftToJsonFormat(field)
                    ? printedByJsonFormat(message, field, entry.getValue())
                    : fieldValue(field, entry.getValue());
            document.put(field.getName(), value);
        }
        return document;
    }

    private static Object fieldValue(FieldDescriptor field, Object value) {
        if (field.isMapField()) {
            FieldDescriptor keyField = field.getMessageType().findFieldByNumber(1);
            FieldDescriptor valueField = field.getMessageType().findFieldByNumber(2);
            Document map = new Document();
            for (Object item : (List<?>) value) {
                Message entry = (Message) item;
                map.put(mapKey(keyField, entry.getField(keyField)), singleValue(valueField, entry.getField(valueField)));
            }
            return map;
        }
        if (field.isRepeated()) {
            List<?> items = (List<?>) value;
            List<Object> list = new ArrayList<>(items.size());
            for (Object item : items) {
                list.add(singleValue(field, item));
            }
            return list;
        }
        return singleValue(field, value);
    }

    /** One value of {@code field} (an element, for a repeated field) as proto3 JSON has it, after Document.parse. */
    private static Object singleValue(FieldDescriptor field, Object value) {
        switch (field.getType()) {
            case STRING:
            case BOOL:
            case INT32:
            case SINT32:
            case SFIXED32:
                return value;
            case UINT32:
            case FIXED32:
                // printed unsigned; Document.parse reads a number above Integer.MAX_VALUE as an Int64
                long unsigned = Integer.toUnsignedLong((Integer) value);
                return unsigned <= Integer.MAX_VALUE ? (Object) (int) unsigned : (Object) unsigned;
            case INT64:
            case SINT64:
            case SFIXED64:
                return value.toString(); // proto3 JSON writes 64-bit integers as strings
            case UINT64:
            case FIXED64:
                return Long.toUnsignedString((Long) value);
            case DOUBLE:
                return finiteOrName((Double) value);
            case FLOAT:
                // JsonFormat prints Float.toString(f), which Document.parse reads as the nearest double
                float f = (Float) value;
                return Float.isFinite(f) ? (Object) Double.parseDouble(Float.toString(f)) : finiteOrName((double) f);
            case BYTES:
                return Base64.getEncoder().encodeToString(((ByteString) value).toByteArray());
            case ENUM:
                EnumValueDescriptor enumValue = (EnumValueDescriptor) value;
                // a number this code does not know (an open enum written by a newer version) stays a number
                return enumValue.getIndex() == -1 ? (Object) enumValue.getNumber() : enumValue.getName();
            case MESSAGE:
            case GROUP:
            default:
                String type = field.getMessageType().getFullName();
                if (type.equals("google.protobuf.Timestamp")) {
                    return Timestamps.toString(asTimestamp((Message) value));
                }
                if (type.equals("google.protobuf.Duration")) {
                    return Durations.toString(asDuration((Message) value));
                }
                return toDocument((MessageOrBuilder) value);
        }
    }

    private static Object finiteOrName(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return d;
    }

    /** A map key as proto3 JSON writes it: the key's text (unsigned for unsigned types). */
    private static String mapKey(FieldDescriptor keyField, Object key) {
        switch (keyField.getType()) {
            case UINT32:
            case FIXED32:
                return Integer.toUnsignedString((Integer) key);
            case UINT64:
            case FIXED64:
                return Long.toUnsignedString((Long) key);
            default:
                return key.toString(); // string, bool, signed integers
        }
    }

    /** {@code field} as JsonFormat prints it: print a message holding only that field and take the field's value. */
    private static Object printedByJsonFormat(MessageOrBuilder message, FieldDescriptor field, Object value) {
        Message onlyThisField = message.getDefaultInstanceForType().toBuilder().setField(field, value).build();
        try {
            return Document.parse(PRINTER.print(onlyThisField)).get(field.getName());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot convert " + field.getFullName(), e);
        }
    }

    // ---------------------------------------------------------------- document -> message

    /**
     * Reads a stored document into {@code builder} (meant to be a new one) and returns the builder. Throws
     * IllegalStateException when a known key holds something that cannot be read as that field.
     */
    public static <B extends Message.Builder> B fromDocument(Document document, B builder) {
        Descriptor type = builder.getDescriptorForType();
        for (Map.Entry<String, Object> entry : document.entrySet()) {
            FieldDescriptor field = fieldNamed(type, entry.getKey());
            if (field != null) { // other keys: fields removed since, or a store's own bookkeeping
                readField(builder, field, entry.getValue());
            }
        }
        return builder;
    }

    /** The field a key names: its proto name, or its JSON (lowerCamelCase) name, which the JSON parser took too. */
    private static FieldDescriptor fieldNamed(Descriptor type, String key) {
        FieldDescriptor field = type.findFieldByName(key);
        if (field == null) {
            for (FieldDescriptor candidate : type.getFields()) {
                if (candidate.getJsonName().equals(key)) {
                    return candidate;
                }
            }
        }
        return field;
    }

    private static void readField(Message.Builder builder, FieldDescriptor field, Object value) {
        if (!leftToJsonFormat(field)) {
            boolean read;
            if (field.isMapField()) {
                read = value instanceof Document && readMap(builder, field, (Document) value);
            } else if (field.isRepeated()) {
                read = value instanceof List && readList(builder, field, (List<?>) value);
            } else {
                Object single = readSingle(builder, field, value);
                read = single != null;
                if (read) {
                    builder.setField(field, single);
                }
            }
            if (read) {
                return;
            }
        }
        parsedByJsonFormat(builder, field, value);
    }

    /** Adds the list's items; false (and adds nothing) when one of them is not in the shape written here. */
    private static boolean readList(Message.Builder builder, FieldDescriptor field, List<?> items) {
        List<Object> values = new ArrayList<>(items.size());
        for (Object item : items) {
            Object value = readSingle(builder, field, item);
            if (value == null) {
                return false;
            }
            values.add(value);
        }
        for (Object value : values) {
            builder.addRepeatedField(field, value);
        }
        return true;
    }

    /** Adds the map's entries; false (and adds nothing) when a key or value is not in the shape written here. */
    private static boolean readMap(Message.Builder builder, FieldDescriptor field, Document map) {
        FieldDescriptor keyField = field.getMessageType().findFieldByNumber(1);
        FieldDescriptor valueField = field.getMessageType().findFieldByNumber(2);
        List<Message> entries = new ArrayList<>(map.size());
        for (Map.Entry<String, Object> item : map.entrySet()) {
            Message.Builder entry = builder.newBuilderForField(field);
            Object key = readMapKey(keyField, item.getKey());
            Object value = readSingle(entry, valueField, item.getValue());
            if (key == null || value == null) {
                return false;
            }
            entries.add(entry.setField(keyField, key).setField(valueField, value).build());
        }
        for (Message entry : entries) {
            builder.addRepeatedField(field, entry);
        }
        return true;
    }

    private static Object readMapKey(FieldDescriptor keyField, String key) {
        try {
            switch (keyField.getType()) {
                case STRING:
                    return key;
                case BOOL:
                    return key.equals("true") ? Boolean.TRUE : key.equals("false") ? Boolean.FALSE : null;
                case INT32:
                case SINT32:
                case SFIXED32:
                    return Integer.parseInt(key);
                case UINT32:
                case FIXED32:
                    return Integer.parseUnsignedInt(key);
                case INT64:
                case SINT64:
                case SFIXED64:
                    return Long.parseLong(key);
                case UINT64:
                case FIXED64:
                    return Long.parseUnsignedLong(key);
                default:
                    return null;
            }
        } catch (NumberFormatException e) {
            return null; // e.g. "1e3": the JSON parser decides
        }
    }

    /**
     * One value of {@code field} (an element, for a repeated field) from a value in the shape {@link #singleValue}
     * writes (for 64-bit integers and doubles also from any Int32/Int64); null for anything else, which the JSON parser
     * then reads. {@code parent} is the builder the value goes into, which makes nested messages of its own kind.
     */
    private static Object readSingle(Message.Builder parent, FieldDescriptor field, Object value) {
        switch (field.getType()) {
            case STRING:
                return value instanceof String ? value : null;
            case BOOL:
                return value instanceof Boolean ? value : null;
            case INT32:
            case SINT32:
            case SFIXED32:
                return value instanceof Integer ? value : null;
            case UINT32:
            case FIXED32:
                if (value instanceof Integer || value instanceof Long) {
                    long n = ((Number) value).longValue();
                    return n >= 0 && n <= 0xFFFF_FFFFL ? (Object) (int) n : null;
                }
                return null;
            case INT64:
            case SINT64:
            case SFIXED64:
                if (value instanceof Integer || value instanceof Long) {
                    return ((Number) value).longValue(); // a number, as the stores write "version" so that CAS compares numbers
                }
                return value instanceof String ? parseLongOrNull((String) value, false) : null;
            case UINT64:
            case FIXED64:
                if (value instanceof Integer || value instanceof Long) {
                    long n = ((Number) value).longValue();
                    return n >= 0 ? (Object) n : null;
                }
                return value instanceof String ? parseLongOrNull((String) value, true) : null;
            case DOUBLE:
                if (value instanceof Double || value instanceof Integer || value instanceof Long) {
                    return ((Number) value).doubleValue();
                }
                return value instanceof String ? nonFiniteOrNull((String) value) : null;
            case FLOAT:
                if (value instanceof Double || value instanceof Integer || value instanceof Long) {
                    double d = ((Number) value).doubleValue();
                    return Double.isFinite(d) && Math.abs(d) > FLOAT_LIMIT ? null : (Object) (float) d;
                }
                Double nonFinite = value instanceof String ? nonFiniteOrNull((String) value) : null;
                return nonFinite == null ? null : (Object) nonFinite.floatValue();
            case BYTES:
                if (value instanceof String) {
                    try {
                        return ByteString.copyFrom(Base64.getDecoder().decode((String) value));
                    } catch (IllegalArgumentException e) {
                        return null; // e.g. URL-safe base64, which the JSON parser also takes
                    }
                }
                return null;
            case ENUM:
                return value instanceof String ? field.getEnumType().findValueByName((String) value) : null;
            case MESSAGE:
            case GROUP:
            default:
                return readMessage(parent, field, value);
        }
    }

    private static Object readMessage(Message.Builder parent, FieldDescriptor field, Object value) {
        String type = field.getMessageType().getFullName();
        Message parsed;
        if (type.equals("google.protobuf.Timestamp")) {
            parsed = readTimestamp(value);
        } else if (type.equals("google.protobuf.Duration")) {
            parsed = readDuration(value);
        } else if (value instanceof Document) {
            return fromDocument((Document) value, parent.newBuilderForField(field)).build();
        } else {
            return null;
        }
        // as the parent's own kind of message (a DynamicMessage's field cannot hold a generated Timestamp)
        return parsed == null ? null : parent.newBuilderForField(field).mergeFrom(parsed).build();
    }

    private static Timestamp readTimestamp(Object value) {
        if (value instanceof Date) { // never written here, but what a person editing a document would write
            return Timestamps.fromMillis(((Date) value).getTime());
        }
        if (value instanceof String) {
            try {
                return Timestamps.parse((String) value);
            } catch (ParseException e) {
                return null; // the JSON parser reports it
            }
        }
        return null;
    }

    private static Duration readDuration(Object value) {
        if (value instanceof String) {
            try {
                return Durations.parse((String) value);
            } catch (ParseException e) {
                return null;
            }
        }
        return null;
    }

    private static Object parseLongOrNull(String text, boolean unsigned) {
        try {
            return unsigned ? Long.parseUnsignedLong(text) : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null; // e.g. "1e3" or "1.0", which the JSON parser takes
        }
    }

    private static Double nonFiniteOrNull(String text) {
        switch (text) {
            case "NaN":
                return Double.NaN;
            case "Infinity":
                return Double.POSITIVE_INFINITY;
            case "-Infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                return null; // a number in a string: the JSON parser takes it
        }
    }

    /** Reads one field exactly as the JSON parser that read every stored document before did. */
    private static void parsedByJsonFormat(Message.Builder builder, FieldDescriptor field, Object value) {
        try {
            PARSER.merge(new Document(field.getName(), value).toJson(RELAXED), builder);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored document does not match " + field.getFullName() + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- both directions

    /** Whether {@code field} holds a well-known type with a special JSON form that this class leaves to JsonFormat. */
    private static boolean leftToJsonFormat(FieldDescriptor field) {
        FieldDescriptor single = field.isMapField() ? field.getMessageType().findFieldByNumber(2) : field;
        switch (single.getJavaType()) {
            case MESSAGE:
                return LEFT_TO_JSON_FORMAT.contains(single.getMessageType().getFullName());
            case ENUM:
                return LEFT_TO_JSON_FORMAT.contains(single.getEnumType().getFullName());
            default:
                return false;
        }
    }

    private static Timestamp asTimestamp(Message message) {
        return message instanceof Timestamp ? (Timestamp) message : Timestamp.newBuilder().mergeFrom(message).build();
    }

    private static Duration asDuration(Message message) {
        return message instanceof Duration ? (Duration) message : Duration.newBuilder().mergeFrom(message).build();
    }
}
