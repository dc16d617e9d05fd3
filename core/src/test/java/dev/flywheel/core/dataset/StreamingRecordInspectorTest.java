package dev.flywheel.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The streaming inspection must give exactly the tree inspection's facts (verdict, reason, vote, label, filter,
 * dedup key, timestamp) whenever it gives any, and leave to the tree what it cannot judge.
 */
class StreamingRecordInspectorTest {

    private static final int RECORDS = 10_000;
    private static final int MAX_BYTES = 64 * 1024;

    @ParameterizedTest
    @CsvSource({"8, true", "8, false", "2147483647, true", "2, false"})
    void agreesWithTheTreeOnHostileRecords(int maxToolParameters, boolean parseArguments) {
        RecordInspector inspector = new RecordInspector(MAX_BYTES, maxToolParameters, parseArguments);
        StreamingRecordInspector streaming = new StreamingRecordInspector(maxToolParameters, parseArguments);
        HostileRecords records = new HostileRecords(maxToolParameters * 31L + (parseArguments ? 1 : 0));
        int streamed = 0;
        int valid = 0;
        for (int i = 0; i < RECORDS; i++) {
            byte[] record = records.next();
            if (record.length > MAX_BYTES || !StreamingTrainingLinesTest.isUtf8(record)) {
                continue; // rejected before either route runs
            }
            RecordFacts tree = inspector.inspectTree(record);
            RecordFacts facts = streaming.inspect(record);
            if (facts != null) {
                streamed++;
                assertThat(facts).as("record %d: %s", i, new String(record, StandardCharsets.UTF_8)).isEqualTo(tree);
            }
            assertThat(inspector.inspect(record)).isEqualTo(tree);
            valid += tree.isValid() ? 1 : 0;
        }
        System.out.printf("StreamingRecordInspectorTest max=%d parse=%s: %d of %d streamed, %d valid%n",
                maxToolParameters, parseArguments, streamed, RECORDS, valid);
        assertThat(streamed).as("the streaming route judges most records").isGreaterThan(RECORDS * 7 / 10);
        assertThat(valid).as("a test with many valid records").isGreaterThan(RECORDS / 5);
    }

    @Test
    void handMadeHostileRecordsAgree() {
        String okResponse = "\"response\": {\"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": \"x\"}}]}";
        String[] cases = {
            TestRecords.generic("", ""),
            TestRecords.generic("q", "a").replace("\"timestamp\": 1712345678", "\"timestamp\": \"1712345678.5\""),
            TestRecords.generic("q", "a").replace("\"timestamp\": 1712345678", "\"timestamp\": 1712345678.9999"),
            TestRecords.generic("q", "a").replace("\"timestamp\": 1712345678", "\"timestamp\": 1e400"),
            TestRecords.generic("q", "a").replace("\"timestamp\": 1712345678", "\"timestamp\": [1]"),
            TestRecords.toolCall("q", "search", "{\"q\": 1}").replace("\"arguments\": \"{\\\"q\\\": 1}\"",
                    "\"arguments\": null"),
            TestRecords.toolCall("q", "search", "{\"q\": 1}").replace("\"arguments\": \"{\\\"q\\\": 1}\"",
                    "\"arguments\": {\"q\": 1}"),
            TestRecords.toolCall("q", "", "{}"),
            TestRecords.toolCall("q", "x".repeat(400), "{}"),
            // multimodal, numeric and boolean user content; "user" written with an escape
            "{\"request\": {\"messages\": [{\"content\": [{\"type\": \"text\", \"text\": \"look\"}], \"role\": "
                    + "\"user\"}, {\"role\": \"\\u0075ser\", \"content\": 0.0}, {\"role\": \"user\", \"content\": "
                    + "true}, {\"role\": \"user\", \"content\": {}}]}, " + okResponse + "}",
            // a later choice invalid; the first choice's message not an object
            "{\"request\": {\"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}, \"response\": {\"choices\": "
                    + "[{\"message\": {}}, {\"index\": 1}]}}",
            "{\"request\": {\"messages\": [{}]}, \"response\": {\"choices\": [{\"message\": null}, 5]}}",
            // tools of odd shapes around the parameter limit
            "{\"request\": {\"messages\": [{}], \"tools\": [5, {\"function\": 1}, {\"function\": {\"parameters\": "
                    + "{\"properties\": []}}}, {\"function\": {\"parameters\": {\"properties\": {\"a\": 1, \"b\": 2, "
                    + "\"c\": 3, \"d\": 4, \"e\": 5, \"f\": 6, \"g\": 7, \"h\": 8, \"i\": 9}}, \"name\": \"t\"}, "
                    + "\"type\": \"function\"}]}, " + okResponse + "}",
            "[1, 2]", "\"text\"", "{} {}", "{\"request\": ", "", " ",
            "{\"a\": " + "[".repeat(2000) + "]".repeat(2000) + "}",
        };
        RecordInspector inspector = new RecordInspector(MAX_BYTES, 8, true);
        StreamingRecordInspector streaming = new StreamingRecordInspector(8, true);
        for (String c : cases) {
            byte[] record = c.getBytes(StandardCharsets.UTF_8);
            RecordFacts tree = inspector.inspectTree(record);
            RecordFacts facts = streaming.inspect(record);
            if (facts != null) {
                assertThat(facts).as(c).isEqualTo(tree);
            }
            assertThat(inspector.inspect(record)).as(c).isEqualTo(tree);
        }
    }

    @Test
    void repeatedKeysGoToTheTree() {
        String record = TestRecords.generic("q", "a").replace("\"role\": \"system\"", "\"role\": \"system\", "
                + "\"role\": \"user\"");
        assertThat(new StreamingRecordInspector(8, true).inspect(record.getBytes(StandardCharsets.UTF_8))).isNull();
        RecordFacts facts = new RecordInspector(MAX_BYTES, 8, true).inspect(record.getBytes(StandardCharsets.UTF_8));
        assertThat(facts.isValid()).isTrue();
        assertThat(facts.dedupKey()).as("the last role wins, so the system prompt counts as user content")
                .isNotEqualTo(new RecordInspector(MAX_BYTES, 8, true)
                        .inspect(TestRecords.generic("q", "a").getBytes(StandardCharsets.UTF_8)).dedupKey());
    }
}
