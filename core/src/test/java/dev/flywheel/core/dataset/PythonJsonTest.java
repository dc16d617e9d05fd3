package dev.flywheel.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class PythonJsonTest {

    private static JsonNode parse(String json) throws Exception {
        return DatasetJson.parse(json);
    }

    @Test
    void usesPythonSeparatorsAndKeepsKeyOrder() throws Exception {
        assertThat(PythonJson.dumps(parse("{\"b\":1,\"a\":[true,null,\"x\"],\"c\":{}}")))
                .isEqualTo("{\"b\": 1, \"a\": [true, null, \"x\"], \"c\": {}}");
    }

    @Test
    void escapesNonAsciiLikeEnsureAscii() throws Exception {
        assertThat(PythonJson.dumps(parse("\"caf\u00e9 \\ud83d\\ude00 \\u007f \\t\\\"\"")))
                .isEqualTo("\"caf\\u00e9 \\ud83d\\ude00 \\u007f \\t\\\"\"");
    }

    @Test
    void floatsAreRenderedAsPythonRepr() throws Exception {
        // Ground truth from python3: json.dumps([1e-05, 100.0, 1e16, 123456789.123, 0.1, -2.5e-7, 1e22, 5e-324])
        assertThat(PythonJson.dumps(parse("[0.00001, 100.0, 1e16, 123456789.123, 0.1, -2.5e-7, 1e22, 5e-324]")))
                .isEqualTo("[1e-05, 100.0, 1e+16, 123456789.123, 0.1, -2.5e-07, 1e+22, 5e-324]");
        assertThat(PythonJson.dumps(parse("12345678901234567890123"))).isEqualTo("12345678901234567890123");
    }

    @Test
    void indentMatchesJsonDumpsIndent2() throws Exception {
        assertThat(PythonJson.dumps(parse("[{\"a\": {\"b\": 1}, \"c\": []}]"), 2))
                .isEqualTo("[\n  {\n    \"a\": {\n      \"b\": 1\n    },\n    \"c\": []\n  }\n]");
    }
}
