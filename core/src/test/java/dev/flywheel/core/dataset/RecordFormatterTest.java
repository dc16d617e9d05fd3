package dev.flywheel.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** Lines compared byte for byte with output produced by the reference's Python code on the same records. */
class RecordFormatterTest {

    private static ObjectNode record(String name) throws Exception {
        return (ObjectNode) DatasetJson.parse(TestRecords.resource("format/" + name));
    }

    @Test
    void toolCallingTrainingLineCarriesToolsFirstAndArgumentObjects() throws Exception {
        RecordFormatter formatter = new RecordFormatter(WorkloadType.TOOL_CALLING, true);
        ObjectNode normalized = formatter.normalize(record("tool_record.json"));
        assertThat(PythonJson.dumps(formatter.trainingLine(normalized)))
                .isEqualTo(TestRecords.resource("format/tool_expected_train.json"));
    }

    @Test
    void evaluatorLineStringifiesRequestHistoryArgumentsOnly() throws Exception {
        RecordFormatter formatter = new RecordFormatter(WorkloadType.TOOL_CALLING, true);
        ObjectNode normalized = formatter.normalize(record("tool_record.json"));
        assertThat(PythonJson.dumps(formatter.evaluatorLine(normalized)))
                .isEqualTo(TestRecords.resource("format/tool_expected_eval.json"));
    }

    @Test
    void genericTrainingLineHasNoToolsAndKeepsTheResponseMessage() throws Exception {
        RecordFormatter formatter = new RecordFormatter(WorkloadType.GENERIC, true);
        ObjectNode normalized = formatter.normalize(record("generic_record.json"));
        assertThat(PythonJson.dumps(formatter.trainingLine(normalized)))
                .isEqualTo(TestRecords.resource("format/generic_expected_train.json"));
    }

    @Test
    void iclExampleTextMatchesTheReference() throws Exception {
        RecordFormatter formatter = new RecordFormatter(WorkloadType.TOOL_CALLING, true);
        ObjectNode normalized = formatter.normalize(record("tool_record.json"));
        assertThat(IclExampleText.format(normalized))
                .isEqualTo(TestRecords.resource("format/tool_expected_icl_example.txt"))
                .contains("Then you'll respond with:");
    }
}
