package dev.flywheel.clients.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The content ids {@link DatasetPublisher} compares with a repo's tree entries before deciding to upload. */
class DatasetPublisherTest {

    @Test
    void computesTheIdsHubServersReport() {
        byte[] hello = "hello\n".getBytes(StandardCharsets.UTF_8);
        // `git hash-object` of "hello\n": what the Hugging Face Hub reports as the oid of a regular file
        assertThat(DatasetPublisher.gitBlobSha1(hello)).isEqualTo("ce013625030ba8dba906f756967f9e9ca394464a");
        assertThat(DatasetPublisher.hex("SHA-1", hello)).isEqualTo("f572d396fae9206628714fb2ce00f72e94f2258f");
        assertThat(DatasetPublisher.hex("SHA-256", hello))
                .isEqualTo("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
    }
}
