package dev.flywheel.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordInspectorTest {

    private final RecordInspector inspector = new RecordInspector(64 * 1024, 8, true);

    private RecordFacts inspect(String json) {
        return inspector.inspect(json.getBytes(StandardCharsets.UTF_8));
    }

    private static final String OK_RESPONSE =
            "\"response\": {\"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": \"x\"}}]}";

    @Test
    void referenceFormatRulesGiveReasons() {
        assertThat(inspect("{" + OK_RESPONSE + "}").invalid()).isEqualTo(InvalidReason.MISSING_REQUEST);
        assertThat(inspect("{\"request\": {\"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}}").invalid())
                .isEqualTo(InvalidReason.MISSING_RESPONSE);
        assertThat(inspect("{\"request\": {\"messages\": []}, " + OK_RESPONSE + "}").invalid())
                .isEqualTo(InvalidReason.MESSAGES_EMPTY);
        assertThat(inspect("{\"request\": {\"messages\": \"hi\"}, " + OK_RESPONSE + "}").invalid())
                .isEqualTo(InvalidReason.MESSAGES_NOT_A_LIST);
        assertThat(inspect("{\"request\": {\"messages\": [{\"role\": \"user\"}]}, \"response\": {\"choices\": []}}")
                .invalid()).isEqualTo(InvalidReason.CHOICES_EMPTY);
        assertThat(inspect("{\"request\": {\"messages\": [{\"role\": \"user\"}]}, \"response\": {\"choices\": [{}]}}")
                .invalid()).isEqualTo(InvalidReason.CHOICE_WITHOUT_MESSAGE);
    }

    @Test
    void oddDataIsCountedNeverThrown() {
        assertThat(inspector.inspect(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}).invalid())
                .isEqualTo(InvalidReason.NOT_UTF8);
        assertThat(inspect("{\"request\": ").invalid()).isEqualTo(InvalidReason.MALFORMED_JSON);
        assertThat(inspect("{} {}").invalid()).isEqualTo(InvalidReason.MALFORMED_JSON);
        assertThat(inspect("[1, 2]").invalid()).isEqualTo(InvalidReason.NOT_AN_OBJECT);
        assertThat(inspect("{\"request\": {\"messages\": [\"hi\"]}, " + OK_RESPONSE + "}").invalid())
                .isEqualTo(InvalidReason.MESSAGE_NOT_AN_OBJECT);
        assertThat(inspect("{\"request\": {\"messages\": [{}]}, \"response\": {\"choices\": [{\"message\": null}]}}")
                .invalid()).isEqualTo(InvalidReason.MESSAGE_NOT_AN_OBJECT);
        String huge = TestRecords.generic("x".repeat(70 * 1024), "y");
        assertThat(inspect(huge).invalid()).isEqualTo(InvalidReason.RECORD_TOO_LARGE);
    }

    @Test
    void utf8CheckAgreesWithTheDecoder() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(4);
        String[] pieces = {"a", "{", "\"", "\u00e9", "\u65e5", "\ud83d\ude00"};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int n = random.nextInt(40); n > 0; n--) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256); // often breaks a sequence
            }
            assertThat(inspector.inspect(bytes).invalid() == InvalidReason.NOT_UTF8)
                    .as(java.util.HexFormat.of().formatHex(bytes))
                    .isEqualTo(!StreamingTrainingLinesTest.isUtf8(bytes));
        }
    }

    @Test
    void emptyAndMultimodalContentAreValid() {
        RecordFacts empty = inspect(TestRecords.generic("", ""));
        assertThat(empty.isValid()).isTrue();
        assertThat(empty.dedupKey()).as("empty user content gives no dedup key, like the reference").isNull();
        String multimodal = "{\"request\": {\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", "
                + "\"text\": \"look\"}, {\"type\": \"image_url\", \"image_url\": {\"url\": \"data:x\"}}]}]}, " + OK_RESPONSE + "}";
        RecordFacts facts = inspect(multimodal);
        assertThat(facts.isValid()).isTrue();
        assertThat(facts.dedupKey()).isEqualTo(inspect(multimodal).dedupKey()).isNotNull();
    }

    @Test
    void toolParameterLimitIsConfigurable() {
        StringBuilder props = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            props.append(i == 0 ? "" : ", ").append("\"p").append(i).append("\": {\"type\": \"string\"}");
        }
        String record = "{\"request\": {\"messages\": [{\"role\": \"user\", \"content\": \"q\"}], \"tools\": [{\"type\": "
                + "\"function\", \"function\": {\"name\": \"t\", \"parameters\": {\"properties\": {" + props + "}}}}]}, "
                + OK_RESPONSE + "}";
        assertThat(inspect(record).invalid()).isEqualTo(InvalidReason.TOO_MANY_TOOL_PARAMETERS);
        assertThat(new RecordInspector(64 * 1024, 9, true).inspect(record.getBytes(StandardCharsets.UTF_8)).isValid())
                .isTrue();
    }

    @Test
    void toolFilterVerdicts() {
        assertThat(inspect(TestRecords.toolCall("q", "search", "{\"q\": 1}")).toolFilter()).isEqualTo(FilterReason.NONE);
        assertThat(inspect(TestRecords.toolCall("q", "search", "{not json")).toolFilter())
                .isEqualTo(FilterReason.ARGUMENTS_UNPARSEABLE);
        assertThat(new RecordInspector(64 * 1024, 8, false)
                .inspect(TestRecords.toolCall("q", "search", "{not json").getBytes(StandardCharsets.UTF_8)).toolFilter())
                .as("parse_function_arguments off: strings are not checked").isEqualTo(FilterReason.NONE);
        String nullArgs = TestRecords.toolCall("q", "search", "x").replace("\"arguments\": \"x\"", "\"arguments\": null");
        assertThat(inspect(nullArgs).toolFilter()).isEqualTo(FilterReason.ARGUMENTS_MISSING);
        String notFunction = TestRecords.toolCall("q", "search", "{}").replace("\"id\": \"call\", \"type\": \"function\"",
                "\"id\": \"call\", \"type\": \"code\"");
        assertThat(inspect(notFunction).toolFilter()).isEqualTo(FilterReason.TOOL_CALL_TYPE_NOT_FUNCTION);
        assertThat(inspect(TestRecords.generic("q", "a")).toolFilter()).isEqualTo(FilterReason.NO_TOOL_CALLS);
    }

    @Test
    void labelIsFirstToolNameOrNoTool() {
        assertThat(inspect(TestRecords.toolCall("q", "search", "{}")).toolLabel()).isEqualTo("search");
        assertThat(inspect(TestRecords.generic("q", "a")).toolLabel()).isEqualTo("no_tool");
    }
}
