package dev.flywheel.clients.mongo;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.Empty;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Int32Value;
import java.util.List;

/**
 * A proto3 message type with a field of every kind, used as a DynamicMessage: our API uses only strings, int32, int64,
 * doubles, bools, Timestamps, nested and repeated messages and a map of string to double, and ProtoDocuments must get
 * the rest right too (enums, bytes, floats, unsigned and fixed integers, maps with other keys, oneofs, optional fields
 * and the well-known types). Any is left out: JsonFormat needs a type registry for it, which the stores never had.
 */
final class AllKinds {

    /** Singular kinds: {name, proto type, type name for messages and enums}; each also exists as a repeated field. */
    private static final List<Object[]> KINDS = List.of(
            new Object[] {"int32", Type.TYPE_INT32, null},
            new Object[] {"int64", Type.TYPE_INT64, null},
            new Object[] {"uint32", Type.TYPE_UINT32, null},
            new Object[] {"uint64", Type.TYPE_UINT64, null},
            new Object[] {"sint32", Type.TYPE_SINT32, null},
            new Object[] {"sint64", Type.TYPE_SINT64, null},
            new Object[] {"fixed32", Type.TYPE_FIXED32, null},
            new Object[] {"fixed64", Type.TYPE_FIXED64, null},
            new Object[] {"sfixed32", Type.TYPE_SFIXED32, null},
            new Object[] {"sfixed64", Type.TYPE_SFIXED64, null},
            new Object[] {"float", Type.TYPE_FLOAT, null},
            new Object[] {"double", Type.TYPE_DOUBLE, null},
            new Object[] {"bool", Type.TYPE_BOOL, null},
            new Object[] {"string", Type.TYPE_STRING, null},
            new Object[] {"bytes", Type.TYPE_BYTES, null},
            new Object[] {"color", Type.TYPE_ENUM, ".test.Color"},
            new Object[] {"message", Type.TYPE_MESSAGE, ".test.AllKinds"},
            new Object[] {"timestamp", Type.TYPE_MESSAGE, ".google.protobuf.Timestamp"},
            new Object[] {"duration", Type.TYPE_MESSAGE, ".google.protobuf.Duration"},
            new Object[] {"struct", Type.TYPE_MESSAGE, ".google.protobuf.Struct"},
            new Object[] {"value", Type.TYPE_MESSAGE, ".google.protobuf.Value"},
            new Object[] {"list_value", Type.TYPE_MESSAGE, ".google.protobuf.ListValue"},
            new Object[] {"null_value", Type.TYPE_ENUM, ".google.protobuf.NullValue"},
            new Object[] {"field_mask", Type.TYPE_MESSAGE, ".google.protobuf.FieldMask"},
            new Object[] {"empty", Type.TYPE_MESSAGE, ".google.protobuf.Empty"},
            new Object[] {"int32_wrapper", Type.TYPE_MESSAGE, ".google.protobuf.Int32Value"},
            new Object[] {"int64_wrapper", Type.TYPE_MESSAGE, ".google.protobuf.Int64Value"},
            new Object[] {"uint32_wrapper", Type.TYPE_MESSAGE, ".google.protobuf.UInt32Value"},
            new Object[] {"uint64_wrapper", Type.TYPE_MESSAGE, ".google.protobuf.UInt64Value"},
            new Object[] {"float_wrapper", Type.TYPE_MESSAGE, ".google.protobuf.FloatValue"},
            new Object[] {"double_wrapper", Type.TYPE_MESSAGE, ".google.protobuf.DoubleValue"},
            new Object[] {"bool_wrapper", Type.TYPE_MESSAGE, ".google.protobuf.BoolValue"},
            new Object[] {"string_wrapper", Type.TYPE_MESSAGE, ".google.protobuf.StringValue"},
            new Object[] {"bytes_wrapper", Type.TYPE_MESSAGE, ".google.protobuf.BytesValue"});

    /** Map fields: {name, key type, value type, value type name}. */
    private static final List<Object[]> MAPS = List.of(
            new Object[] {"string_double", Type.TYPE_STRING, Type.TYPE_DOUBLE, null},
            new Object[] {"string_int64", Type.TYPE_STRING, Type.TYPE_INT64, null},
            new Object[] {"int32_string", Type.TYPE_INT32, Type.TYPE_STRING, null},
            new Object[] {"int64_message", Type.TYPE_INT64, Type.TYPE_MESSAGE, ".test.AllKinds"},
            new Object[] {"uint32_color", Type.TYPE_UINT32, Type.TYPE_ENUM, ".test.Color"},
            new Object[] {"uint64_bytes", Type.TYPE_UINT64, Type.TYPE_BYTES, null},
            new Object[] {"bool_timestamp", Type.TYPE_BOOL, Type.TYPE_MESSAGE, ".google.protobuf.Timestamp"},
            new Object[] {"sint64_float", Type.TYPE_SINT64, Type.TYPE_FLOAT, null},
            new Object[] {"fixed32_value", Type.TYPE_FIXED32, Type.TYPE_MESSAGE, ".google.protobuf.Value"},
            new Object[] {"sfixed64_duration", Type.TYPE_SFIXED64, Type.TYPE_MESSAGE, ".google.protobuf.Duration"},
            new Object[] {"fixed64_int32_wrapper", Type.TYPE_FIXED64, Type.TYPE_MESSAGE, ".google.protobuf.Int32Value"},
            new Object[] {"string_uint32", Type.TYPE_STRING, Type.TYPE_UINT32, null});

    /** The message type {@code test.AllKinds}. */
    static final Descriptor TYPE = build();

    private AllKinds() {}

    private static Descriptor build() {
        DescriptorProto.Builder message = DescriptorProto.newBuilder().setName("AllKinds");
        int number = 1;
        for (Object[] kind : KINDS) {
            message.addField(field("f_" + kind[0], number, Label.LABEL_OPTIONAL, (Type) kind[1], (String) kind[2]));
            message.addField(field("r_" + kind[0], 100 + number, Label.LABEL_REPEATED, (Type) kind[1], (String) kind[2]));
            number++;
        }
        // proto3 `optional`: explicit presence, so a zero is stored; each sits in its own synthetic oneof
        String[][] optionals = {{"o_int32", "TYPE_INT32"}, {"o_string", "TYPE_STRING"}, {"o_double", "TYPE_DOUBLE"},
                {"o_uint64", "TYPE_UINT64"}, {"o_bool", "TYPE_BOOL"}};
        int oneofIndex = 0;
        message.addOneofDecl(OneofDescriptorProto.newBuilder().setName("choice"));
        for (Object[] member : new Object[][] {{"c_string", Type.TYPE_STRING, null}, {"c_int64", Type.TYPE_INT64, null},
                {"c_message", Type.TYPE_MESSAGE, ".test.AllKinds"}, {"c_timestamp", Type.TYPE_MESSAGE, ".google.protobuf.Timestamp"},
                {"c_color", Type.TYPE_ENUM, ".test.Color"}}) {
            message.addField(field((String) member[0], 300 + oneofIndex++, Label.LABEL_OPTIONAL, (Type) member[1],
                    (String) member[2]).toBuilder().setOneofIndex(0));
        }
        for (int i = 0; i < optionals.length; i++) {
            message.addOneofDecl(OneofDescriptorProto.newBuilder().setName("_" + optionals[i][0]));
            message.addField(field(optionals[i][0], 400 + i, Label.LABEL_OPTIONAL, Type.valueOf(optionals[i][1]), null)
                    .toBuilder().setOneofIndex(i + 1).setProto3Optional(true));
        }
        int mapNumber = 500;
        for (Object[] map : MAPS) {
            String entryName = camel((String) map[0]) + "Entry";
            message.addNestedType(DescriptorProto.newBuilder().setName(entryName)
                    .addField(field("key", 1, Label.LABEL_OPTIONAL, (Type) map[1], null))
                    .addField(field("value", 2, Label.LABEL_OPTIONAL, (Type) map[2], (String) map[3]))
                    .setOptions(MessageOptions.newBuilder().setMapEntry(true)));
            message.addField(field("m_" + map[0], mapNumber++, Label.LABEL_REPEATED, Type.TYPE_MESSAGE,
                    ".test.AllKinds." + entryName));
        }
        EnumDescriptorProto color = EnumDescriptorProto.newBuilder().setName("Color")
                .addValue(EnumValueDescriptorProto.newBuilder().setName("COLOR_UNSPECIFIED").setNumber(0))
                .addValue(EnumValueDescriptorProto.newBuilder().setName("RED").setNumber(1))
                .addValue(EnumValueDescriptorProto.newBuilder().setName("GREEN").setNumber(2))
                .addValue(EnumValueDescriptorProto.newBuilder().setName("BLUE").setNumber(3))
                .build();
        FileDescriptor[] dependencies = {Timestamp.getDescriptor().getFile(), Duration.getDescriptor().getFile(),
                Struct.getDescriptor().getFile(), FieldMask.getDescriptor().getFile(), Empty.getDescriptor().getFile(),
                Int32Value.getDescriptor().getFile()};
        FileDescriptorProto.Builder file = FileDescriptorProto.newBuilder().setName("test/all_kinds.proto")
                .setPackage("test").setSyntax("proto3").addMessageType(message).addEnumType(color);
        for (FileDescriptor dependency : dependencies) {
            file.addDependency(dependency.getName());
        }
        try {
            return FileDescriptor.buildFrom(file.build(), dependencies).findMessageTypeByName("AllKinds");
        } catch (DescriptorValidationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FieldDescriptorProto field(String name, int number, Label label, Type type, String typeName) {
        FieldDescriptorProto.Builder field = FieldDescriptorProto.newBuilder().setName(name).setNumber(number)
                .setLabel(label).setType(type);
        if (typeName != null) {
            field.setTypeName(typeName);
        }
        return field.build();
    }

    private static String camel(String snake) {
        StringBuilder out = new StringBuilder();
        for (String part : snake.split("_")) {
            out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return out.toString();
    }
}
