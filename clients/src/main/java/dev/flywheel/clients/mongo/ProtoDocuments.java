package dev.flywheel.clients.mongo;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * Converts API messages to and from stored documents through their JSON form, so that a stored job reads
 * exactly like the API's JSON (snake_case keys) and a document written by an older version still loads:
 * unknown keys are ignored on read, missing keys take their defaults.
 */
final class ProtoDocuments {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    private ProtoDocuments() {}

    static Document toDocument(Message message) {
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
