package dev.flywheel.clients.logs;

import static dev.flywheel.clients.logs.EsTestSupport.call;
import static dev.flywheel.clients.logs.EsTestSupport.uniqueIndex;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import java.io.IOException;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DevStackExtension.class)
class LogIndexTest {

    private static RestClient client;

    @BeforeAll
    static void connect(DevStack stack) {
        client = EsHttp.client(stack.elasticsearchUrl());
    }

    @AfterAll
    static void disconnect() throws IOException {
        client.close();
    }

    @Test
    void theTemplateGivesTheIndexTheExplicitMapping() {
        String name = uniqueIndex("idx");
        LogIndex index = new LogIndex(client, name);
        index.ensureIndex().join();
        index.ensureIndex().join(); // idempotent

        JsonNode template = call(client, "GET", "/_index_template/" + index.templateName(), null);
        assertThat(template.path("index_templates").get(0).path("index_template").path("index_patterns"))
                .extracting(JsonNode::asText).containsExactly(name, name + "-*");

        JsonNode mappings = call(client, "GET", "/" + name + "/_mapping", null).path(name).path("mappings");
        assertThat(mappings.path("dynamic").asText()).isEqualTo("false");
        JsonNode props = mappings.path("properties");
        assertThat(props.path("client_id").path("type").asText()).isEqualTo("keyword");
        assertThat(props.path("workload_id").path("type").asText()).isEqualTo("keyword");
        assertThat(props.path("timestamp").path("type").asText()).isEqualTo("date");
        assertThat(props.path("timestamp").path("format").asText()).isEqualTo("epoch_millis");
        assertThat(props.path("request").path("enabled").asBoolean(true)).isFalse();
        assertThat(props.path("response").path("enabled").asBoolean(true)).isFalse();
    }

    @Test
    void documentsWithExtraTopLevelFieldsAreAcceptedAndKept() {
        String name = uniqueIndex("idx");
        new LogIndex(client, name).ensureTemplate().join(); // the first write creates the index from the template
        call(client, "PUT", "/" + name + "/_doc/1?refresh=true", """
                {"client_id":"c","workload_id":"w","timestamp":1718000000123,
                 "request":{"model":"m","messages":[{"role":"user","content":"hi"}]},
                 "response":{"choices":[{"index":0,"message":{"role":"assistant","content":"hello"}}]},
                 "description":"free-form metadata","labels":{"env":"prod","n":3},"tags":["a","b"]}
                """);
        JsonNode source = call(client, "GET", "/" + name + "/_doc/1", null).path("_source");
        assertThat(source.path("description").asText()).isEqualTo("free-form metadata");
        assertThat(source.path("labels").path("env").asText()).isEqualTo("prod");

        // not indexed (dynamic: false), so the mapping stays at the five fields and cannot explode
        JsonNode props = call(client, "GET", "/" + name + "/_mapping", null).path(name).path("mappings")
                .path("properties");
        assertThat(props.fieldNames()).toIterable()
                .containsExactlyInAnyOrder("client_id", "workload_id", "timestamp", "request", "response");
    }

    @Test
    void timestampsAreEpochMillisSoRangeFiltersWork() {
        String name = uniqueIndex("idx");
        new LogIndex(client, name).ensureIndex().join();
        call(client, "PUT", "/" + name + "/_doc/1?refresh=true",
                "{\"client_id\":\"c\",\"workload_id\":\"w\",\"timestamp\":1718000000123,\"request\":{},\"response\":{}}");
        String inJune2024 = "{\"range\":{\"timestamp\":{\"gte\":\"2024-06-10T00:00:00Z\",\"lt\":\"2024-06-11T00:00:00Z\","
                + "\"format\":\"strict_date_optional_time\"}}}";
        assertThat(EsTestSupport.count(client, name, inJune2024)).isEqualTo(1);
    }
}
