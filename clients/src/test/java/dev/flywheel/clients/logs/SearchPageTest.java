package dev.flywheel.clients.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The exporter's early look at a page's cursor must agree with the full parse, or find nothing. */
class SearchPageTest {

    private static byte[] response(String pitId, String... hits) {
        return ("{" + (pitId == null ? "" : "\"pit_id\":\"" + pitId + "\",") + "\"took\":3,\"timed_out\":false,"
                + "\"_shards\":{\"total\":1,\"successful\":1,\"skipped\":0,\"failed\":0},\"hits\":{\"max_score\":null,"
                + "\"hits\":[" + String.join(",", hits) + "]}}").getBytes(StandardCharsets.UTF_8);
    }

    private static String hit(String source, String sort) {
        return "{\"_index\":\"logs\",\"_id\":\"x\",\"_score\":null,\"_source\":" + source + ",\"sort\":" + sort + "}";
    }

    @Test
    void thePeekedCursorIsTheParsedOneEvenWithSortLookalikesInSources() {
        byte[] body = response("pit==", hit("{\"a\":1}", "[1718000000200,4]"),
                hit("{\"sort\":[9,9],\"text\":\"\\\"sort\\\":[7]\",\"x\":{\"sort\":[]}}", "[1718000000100,17]"));
        SearchPage page = SearchPage.parse(body, 2);
        SearchPage.Cursor cursor = SearchPage.peekCursor(body);
        assertThat(cursor).isNotNull();
        assertThat(new String(cursor.lastSort(), StandardCharsets.UTF_8)).isEqualTo("[1718000000100,17]");
        assertThat(cursor.lastSort()).isEqualTo(page.lastSort);
        assertThat(cursor.pitId()).isEqualTo("pit==").isEqualTo(page.pitId);
    }

    @Test
    void anEmptyPageHasNoCursor() {
        assertThat(SearchPage.peekCursor(response("pit==", new String[0]))).isNull();
        SearchPage.Cursor withoutPit = SearchPage.peekCursor(response(null, hit("{}", "[5,1]")));
        assertThat(withoutPit.pitId()).isNull();
    }
}
