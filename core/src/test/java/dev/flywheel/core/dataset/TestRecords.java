package dev.flywheel.core.dataset;

import dev.flywheel.api.v1.DataSplitConfig;
import dev.flywheel.api.v1.IclConfig;
import dev.flywheel.api.v1.JobConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Hand-made log records and configurations for the dataset tests. */
final class TestRecords {

    private TestRecords() {}

    /** A generic (no tool) record whose only user message is {@code question}. */
    static String generic(String question, String answer) {
        return "{\"timestamp\": 1712345678, \"workload_id\": \"w\", \"client_id\": \"c\", \"request\": {\"model\": \"m\", "
                + "\"messages\": [{\"role\": \"system\", \"content\": \"You answer.\"}, {\"role\": \"user\", \"content\": "
                + quote(question) + "}]}, \"response\": {\"id\": \"r\", \"choices\": [{\"index\": 0, \"message\": "
                + "{\"role\": \"assistant\", \"content\": " + quote(answer) + "}, \"finish_reason\": \"stop\"}]}}";
    }

    /** A tool-calling record: the response calls {@code tool} with string arguments {@code argsJson}. */
    static String toolCall(String question, String tool, String argsJson) {
        return "{\"timestamp\": 1712345678901, \"workload_id\": \"w\", \"client_id\": \"c\", \"request\": {\"model\": \"m\", "
                + "\"messages\": [{\"role\": \"user\", \"content\": " + quote(question) + "}], \"tools\": [{\"type\": "
                + "\"function\", \"function\": {\"name\": " + quote(tool) + ", \"parameters\": {\"type\": \"object\", "
                + "\"properties\": {\"q\": {\"type\": \"string\"}}}}}]}, \"response\": {\"id\": \"r\", \"choices\": "
                + "[{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": "
                + "\"call\", \"type\": \"function\", \"function\": {\"name\": " + quote(tool) + ", \"arguments\": "
                + quote(argsJson) + "}}]}, \"finish_reason\": \"tool_calls\"}]}}";
    }

    static String quote(String s) {
        return PythonJson.dumps(com.fasterxml.jackson.databind.node.TextNode.valueOf(s));
    }

    static JobConfig config(int evalSize, double valRatio, int minTotal, Integer limit) {
        DataSplitConfig.Builder split = DataSplitConfig.newBuilder()
                .setEvalSize(evalSize).setValRatio(valRatio).setMinTotalRecords(minTotal)
                .setParseFunctionArguments(true);
        if (limit != null) {
            split.setLimit(limit);
        }
        return JobConfig.newBuilder()
                .setDataSplitConfig(split)
                .setIclConfig(IclConfig.newBuilder().setMaxContextLength(32768).setReservedTokens(4096)
                        .setMaxExamples(3).setExampleSelection("uniform_distribution"))
                .build();
    }

    static String resource(String name) {
        try (InputStream in = TestRecords.class.getResourceAsStream("/dataset/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
