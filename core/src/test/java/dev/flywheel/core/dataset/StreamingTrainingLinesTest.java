package dev.flywheel.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The streaming training line must be byte for byte the tree route's {@code json.dumps(trainingLine(normalize(..)))}
 * whenever it renders a record, and must refuse (leaving the line untouched) whatever it cannot render exactly.
 */
class StreamingTrainingLinesTest {

    private static final int RECORDS = 10_000;

    @ParameterizedTest
    @CsvSource({"TOOL_CALLING, true", "TOOL_CALLING, false", "GENERIC, true", "GENERIC, false"})
    void agreesWithTheTreeRouteOnHostileRecords(WorkloadType workload, boolean parseArguments) {
        RecordFormatter formatter = new RecordFormatter(workload, parseArguments);
        StreamingTrainingLines streaming = new StreamingTrainingLines(workload, parseArguments);
        HostileRecords records = new HostileRecords(workload.ordinal() * 2L + (parseArguments ? 1 : 0));
        int streamed = 0;
        int treeOnly = 0;
        int treeRendered = 0;
        for (int i = 0; i < RECORDS; i++) {
            byte[] record = records.next();
            if (!isUtf8(record)) {
                continue; // the spool only holds records that passed the UTF-8 check
            }
            String tree = treeLine(formatter, record);
            treeRendered += tree == null ? 0 : 1;
            AsciiBuffer line = new AsciiBuffer(16);
            line.append("kept|");
            if (streaming.append(record, 0, record.length, line)) {
                streamed++;
                assertThat(line.toString()).as("record %d: %s", i, new String(record, StandardCharsets.UTF_8))
                        .isEqualTo("kept|" + tree);
            } else {
                treeOnly++;
                assertThat(line.toString()).isEqualTo("kept|");
            }
        }
        System.out.printf("StreamingTrainingLinesTest %s parse=%s: the tree route rendered %d, the streaming route "
                + "%d of them; %d refused%n", workload, parseArguments, treeRendered, streamed, treeOnly);
        assertThat(streamed).as("the streaming route renders nearly every record the tree route can")
                .isGreaterThan(treeRendered * 8 / 10);
        assertThat(treeRendered).as("a test with many renderable records").isGreaterThan(RECORDS / 5);
    }

    @Test
    void handMadeCasesMatchTheTreeRoute() {
        String[] cases = {
            TestRecords.toolCall("q", "search", "{\"q\": 1.5, \"big\": 123456789012345678901234567890}"),
            TestRecords.toolCall("q", "search", "{not json"),
            TestRecords.toolCall("caf\u00e9 \ud83d\ude00 \u0001", "search", "[1e-05, 1e16, -0.0, 100.0]"),
            TestRecords.generic("hello", "there"),
            // assistant history with null content, its role after the content
            "{\"request\": {\"messages\": [{\"content\": null, \"role\": \"assistant\"}, {\"role\": \"user\", "
                    + "\"content\": \"q\"}], \"tools\": []}, \"response\": {\"choices\": [{\"message\": "
                    + "{\"role\": \"assistant\", \"tool_calls\": [{\"type\": \"function\", \"function\": "
                    + "{\"arguments\": \"{}\", \"name\": \"t\"}}]}}]}}",
            // response before request, no content key in the response message
            "{\"response\": {\"choices\": [{\"message\": {\"role\": \"assistant\"}}, {\"message\": {}}]}, "
                    + "\"request\": {\"tools\": null, \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": "
                    + "\"text\", \"text\": \"look\"}]}]}}",
        };
        for (WorkloadType workload : WorkloadType.values()) {
            RecordFormatter formatter = new RecordFormatter(workload, true);
            StreamingTrainingLines streaming = new StreamingTrainingLines(workload, true);
            for (String c : cases) {
                byte[] record = c.getBytes(StandardCharsets.UTF_8);
                AsciiBuffer line = new AsciiBuffer(16);
                String tree = treeLine(formatter, record);
                // A tool-calling line needs request.tools; without, the tree route throws and so must the caller.
                assertThat(streaming.append(record, 0, record.length, line)).as(c).isEqualTo(tree != null);
                assertThat(line.toString()).as(c).isEqualTo(tree == null ? "" : tree);
            }
        }
    }

    @Test
    void repeatedKeysAreLeftToTheTreeRoute() {
        String record = TestRecords.generic("q", "a").replace("\"model\": \"m\"", "\"model\": \"m\", \"model\": \"n\"");
        byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
        assertThat(new StreamingTrainingLines(WorkloadType.GENERIC, true)
                .append(bytes, 0, bytes.length, new AsciiBuffer(16))).isFalse();
    }

    /** The tree route, or null when it throws. */
    static String treeLine(RecordFormatter formatter, byte[] record) {
        try {
            return PythonJson.dumps(formatter.trainingLine(formatter.normalize(DatasetJson.parse(record))));
        } catch (Exception e) {
            return null;
        }
    }

    static boolean isUtf8(byte[] raw) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
