package dev.flywheel.clients.mongo;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * The test oracle: how ProtoDocuments converted before it walked the descriptor, through proto3 JSON text. Every
 * document stored until then was made by {@link #toDocument} and read by {@link #fromDocument}.
 */
final class JsonPath {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    private JsonPath() {}

    static Document toDocument(MessageOrBuilder message) {
        try {
            return Document.parse(PRINTER.print(message));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot convert " + message.getDescriptorForType().getFullName(), e);
        }
    }

    static <B extends Message.Builder> B fromDocument(Document document, B builder) {
        try {
            PARSER.merge(document.toJson(RELAXED), builder);
            return builder;
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored document does not match " + builder.getDescriptorForType().getFullName(), e);
        }
    }
}
