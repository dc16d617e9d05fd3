package dev.flywheel.clients.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A tenant's ids reach Elasticsearch only as term values: ids written to break out of the query (JSON
 * fragments, wildcards, query-string syntax, operators) match nothing, never another tenant's records.
 */
@ExtendWith(DevStackExtension.class)
class QueryInjectionTest {

    @Test
    void hostileIdsMatchNoOtherTenantsRecords(DevStack stack) throws Exception {
        try (RestClient client = EsHttp.client(stack.elasticsearchUrl())) {
            String index = "inject-" + System.nanoTime();
            LogRecordGenerator gen = new LogRecordGenerator(7);
            List<byte[]> docs = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                docs.add(gen.next("victim", "support", 1_718_000_000_000L + i * 1000L, i));
            }
            EsTestSupport.index(client, index, docs);
            LogExporter exporter = new LogExporter(client, index);
            assertThat(count(exporter, "victim", "support")).isEqualTo(50); // the records are there

            for (String hostile : List.of("*", "vic*", "victim*", "?ictim", "victim OR 1=1", "\"}},{\"match_all\":{}}]}}",
                    "victim\"}},{\"match_all\":{\"", "{\"$gt\":\"\"}", "$where", "victim\\", "_all", "client_id:victim",
                    "victim\u0000", "VICTIM", " victim")) {
                assertThat(count(exporter, hostile, "support")).as("client_id %s", hostile).isZero();
                assertThat(count(exporter, "victim", hostile.replace("victim", "support"))).as("workload_id %s", hostile).isZero();
            }
        }
    }

    private static long count(LogExporter exporter, String clientId, String workloadId) {
        AtomicLong n = new AtomicLong();
        exporter.export(ExportQuery.builder(clientId, workloadId).build(), bytes -> n.incrementAndGet()).join();
        return n.get();
    }
}
