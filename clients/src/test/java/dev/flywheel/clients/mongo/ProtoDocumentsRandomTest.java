package dev.flywheel.clients.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobConfig;
import java.util.function.Supplier;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/**
 * Property test over randomly populated messages (seeded, so a failure names the seed that reproduces it): the stored
 * document is the one the JSON path stored, type for type and key for key, and it reads back to an equal message.
 */
class ProtoDocumentsRandomTest {

    private static final long SEED = 20_240_611L;

    @Test
    void randomJobs() {
        check(1500, Job::newBuilder, 3);
    }

    @Test
    void randomJobConfigs() {
        check(1500, JobConfig::newBuilder, 3);
    }

    /** Every field kind protobuf has (our API uses only some), see {@link AllKinds}. */
    @Test
    void randomMessagesOfEveryFieldKind() {
        check(300, () -> DynamicMessage.newBuilder(AllKinds.TYPE), 1);
    }

    private static void check(int count, Supplier<Message.Builder> builders, int depth) {
        for (int i = 0; i < count; i++) {
            long seed = SEED + i;
            Message message = new RandomMessages(seed).fill(builders.get(), depth);
            Document stored = ProtoDocuments.toDocument(message);
            String context = "seed " + seed + ": " + message;
            assertThat(stored.toJson(ProtoDocumentsTest.EXACT)).as(context)
                    .isEqualTo(JsonPath.toDocument(message).toJson(ProtoDocumentsTest.EXACT));
            assertThat(ProtoDocuments.fromDocument(stored, builders.get()).build()).as(context).isEqualTo(message);
        }
    }
}
