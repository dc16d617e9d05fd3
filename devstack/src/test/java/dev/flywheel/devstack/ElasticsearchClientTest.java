package dev.flywheel.devstack;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch.core.InfoResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stack's Elasticsearch (the local es-node, started lazily here, or FLYWHEEL_TEST_ELASTICSEARCH_URL) with the
 * project's client, elasticsearch-java 8.19, used plainly: no header or compatibility tricks.
 */
@ExtendWith(DevStackExtension.class)
class ElasticsearchClientTest {

    record Note(String title, String kind, int stars) {
    }

    private static RestClient restClient;
    private static ElasticsearchClient es;

    @BeforeAll
    static void connect(DevStack stack) {
        restClient = RestClient.builder(HttpHost.create(stack.elasticsearchUrl())).build();
        es = new ElasticsearchClient(new RestClientTransport(restClient, new JacksonJsonpMapper()));
    }

    @AfterAll
    static void disconnect() throws IOException {
        restClient.close();
    }

    @Test
    void infoAndPingUseTheRootEndpoint(DevStack stack) throws IOException {
        assertTrue(es.ping().value());
        InfoResponse info = es.info();
        assertEquals("You Know, for Search", info.tagline());
        assertFalse(info.clusterUuid().isBlank());
        String expected = System.getProperty("flywheel.expected.es.version");
        if (stack.isElasticsearchLocal() && expected != null) { // the es-node built from ${elasticsearch-server.version}
            assertEquals(expected, info.version().number());
        }
        assertTrue(info.version().number().startsWith("8.") || info.version().number().startsWith("9."),
                info.version().number());
    }

    @Test
    void createIndexIndexWithRefreshAndSearch() throws IOException {
        String index = "devstack-test-" + System.nanoTime();
        try {
            es.indices().create(c -> c.index(index).mappings(m -> m
                    .properties("title", p -> p.text(t -> t))
                    .properties("kind", p -> p.keyword(k -> k))
                    .properties("stars", p -> p.integer(i -> i))));
            es.index(i -> i.index(index).id("1").document(new Note("the data flywheel turns", "blog", 5)));
            es.index(i -> i.index(index).id("2").document(new Note("an unrelated recipe", "blog", 3))
                    .refresh(Refresh.True));

            SearchResponse<Note> response = es.search(s -> s.index(index)
                    .query(q -> q.bool(b -> b
                            .must(m -> m.match(t -> t.field("title").query("flywheel")))
                            .filter(f -> f.term(t -> t.field("kind").value("blog"))))), Note.class);

            List<Hit<Note>> hits = response.hits().hits();
            assertEquals(1, hits.size());
            assertEquals("1", hits.get(0).id());
            assertEquals(new Note("the data flywheel turns", "blog", 5), hits.get(0).source());
        } finally {
            es.indices().delete(d -> d.index(index).ignoreUnavailable(true));
        }
    }
}
