package dev.flywheel.devstack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The child-JVM lifecycle of the es-node: fresh data, HEAD /, and nothing left running after stop(). */
class LocalElasticsearchTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void startsAFreshNodeAndStopKillsTheChild() throws IOException, InterruptedException {
        LocalElasticsearch es = LocalElasticsearch.start();
        long pid = es.pid();
        int port = URI.create(es.url()).getPort();
        try {
            assertTrue(es.url().matches("http://127\\.0\\.0\\.1:\\d+"), es.url());
            assertTrue(es.isAlive());

            HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(es.url() + "/"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(200, head.statusCode());
            assertEquals("Elasticsearch", head.headers().firstValue("X-Elastic-Product").orElse(""));

            // a new, empty data directory on every start: no indices left over from other nodes or runs
            HttpResponse<String> indices = http.send(HttpRequest.newBuilder(URI.create(es.url() + "/_cat/indices?h=index"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, indices.statusCode());
            assertEquals("", indices.body().trim());
        } finally {
            es.stop();
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "ES child JVM outlived stop()");
        assertFalse(Ports.isListening(port), "ES still listening after stop()");
        assertFalse(Files.exists(es.workDir()), "data directory left behind");
        es.stop(); // idempotent
    }

    @Test
    void anUnbuiltEsNodeDirectoryIsReportedWithTheFix(@TempDir Path notBuilt) {
        String previous = System.getProperty(LocalElasticsearch.ES_NODE_DIR_PROPERTY);
        System.setProperty(LocalElasticsearch.ES_NODE_DIR_PROPERTY, notBuilt.toString());
        try {
            assertEquals(notBuilt.toAbsolutePath(), LocalElasticsearch.locateEsNode());
            IllegalStateException e = assertThrows(IllegalStateException.class, LocalElasticsearch::start);
            assertTrue(e.getMessage().contains("mvn -pl devstack/es-node package"), e.getMessage());
        } finally {
            if (previous == null) {
                System.clearProperty(LocalElasticsearch.ES_NODE_DIR_PROPERTY);
            } else {
                System.setProperty(LocalElasticsearch.ES_NODE_DIR_PROPERTY, previous);
            }
        }
    }
}
