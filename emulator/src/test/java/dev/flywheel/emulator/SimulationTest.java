package dev.flywheel.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.http.Json;
import dev.flywheel.emulator.sim.AnswerGenerator;
import dev.flywheel.emulator.sim.ChatAnswer;
import dev.flywheel.emulator.sim.IclDetector;
import dev.flywheel.emulator.sim.Judge;
import dev.flywheel.emulator.sim.LossCurve;
import dev.flywheel.emulator.sim.ModelSize;
import dev.flywheel.emulator.sim.ReferenceOracle;
import dev.flywheel.emulator.sim.SkillModel;
import dev.flywheel.emulator.sim.ToolCall;
import dev.flywheel.emulator.sim.ToolCallMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulation model on its own, without HTTP. */
class SimulationTest {

    @Test
    void parsesModelSizes() {
        assertThat(ModelSize.billions("meta/llama-3.2-1b-instruct")).isEqualTo(1.0);
        assertThat(ModelSize.billions("meta/llama-3.2-3b-instruct")).isEqualTo(3.0);
        assertThat(ModelSize.billions("meta/llama-3.1-8b-instruct")).isEqualTo(8.0);
        assertThat(ModelSize.billions("meta/llama-3.3-70b-instruct")).isEqualTo(70.0);
        assertThat(ModelSize.billions("ns/custom-1b@cust-x70b")).isEqualTo(1.0);
        assertThat(ModelSize.billions("mystery-model")).isEqualTo(ModelSize.UNKNOWN_BILLIONS);
    }

    @Test
    void skillGrowsWithSizeIclAndTraining() {
        double s1 = SkillModel.base("llama-1b");
        assertThat(s1).isLessThan(SkillModel.base("llama-3b"));
        assertThat(SkillModel.base("llama-3b")).isLessThan(SkillModel.base("llama-8b"));
        assertThat(SkillModel.base("llama-8b")).isLessThan(SkillModel.base("llama-70b"));
        assertThat(SkillModel.withIcl(s1, 3)).isGreaterThan(s1);
        assertThat(SkillModel.withIcl(s1, 0)).isEqualTo(s1);
        double small = SkillModel.withLora(s1, 50, 1);
        double more = SkillModel.withLora(s1, 500, 1);
        double moreEpochs = SkillModel.withLora(s1, 500, 3);
        assertThat(small).isGreaterThan(s1);
        assertThat(more).isGreaterThan(small);
        assertThat(moreEpochs).isGreaterThan(more);
        // saturates: ten times the data adds little once saturated
        assertThat(SkillModel.withLora(s1, 100_000, 3) - SkillModel.withLora(s1, 10_000, 3)).isLessThan(0.001);
    }

    @Test
    void detectsInContextExamples() {
        assertThat(IclDetector.countExamples("You are a helpful assistant.")).isZero();
        assertThat(IclDetector.countExamples(TestData.iclSystem(4))).isEqualTo(4);
        assertThat(IclDetector.countExamples("Example 1: a\nExample 2: b")).isEqualTo(2);
    }

    @Test
    void answersAreDeterministicAndSpreadOverOutcomes() {
        AnswerGenerator g = new AnswerGenerator(42);
        AnswerGenerator same = new AnswerGenerator(42);
        java.util.Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (int i = 0; i < 300; i++) {
            ObjectNode rec = TestData.toolRecord(i, "sys");
            JsonNode msgs = rec.path("request").path("messages");
            JsonNode ref = rec.path("response").path("choices").path(0).path("message");
            ChatAnswer a = g.answer("m-1b", 0.3, msgs, TestData.tools(), null, ref);
            ChatAnswer b = same.answer("m-1b", 0.3, msgs, TestData.tools(), null, ref);
            assertThat(a).isEqualTo(b);
            outcomes.merge(a.outcome(), 1, Integer::sum);
        }
        assertThat(outcomes).containsOnlyKeys("exact", "wrong_arguments", "wrong_function", "text");
        assertThat(outcomes.get("exact")).isBetween(60, 120); // ≈ 30 % of 300
    }

    @Test
    void higherSkillIsRightOnASupersetOfItems() {
        AnswerGenerator g = new AnswerGenerator(1);
        for (int i = 0; i < 200; i++) {
            ObjectNode rec = TestData.toolRecord(i, "sys");
            JsonNode msgs = rec.path("request").path("messages");
            JsonNode ref = rec.path("response").path("choices").path(0).path("message");
            boolean lowRight = g.answer("a", 0.3, msgs, null, null, ref).outcome().equals("exact");
            boolean highRight = g.answer("b", 0.8, msgs, null, null, ref).outcome().equals("exact");
            assertThat(!lowRight || highRight).isTrue();
        }
    }

    @Test
    void textOverlapFallsWithSkill() {
        AnswerGenerator g = new AnswerGenerator(3);
        double low = 0;
        double high = 0;
        for (int i = 0; i < 50; i++) {
            ObjectNode rec = TestData.textRecord(i);
            JsonNode msgs = rec.path("request").path("messages");
            JsonNode ref = rec.path("response").path("choices").path(0).path("message");
            String refText = ref.path("content").asText();
            low += Judge.similarity(refText, g.answer("x", 0.2, msgs, null, null, ref).content());
            high += Judge.similarity(refText, g.answer("x", 0.9, msgs, null, null, ref).content());
        }
        assertThat(high).isGreaterThan(low + 100);
    }

    @Test
    void judgeRepliesAreParsedWithTheConfiguredRegex() {
        assertThat(Judge.similarity("a b c", "a b c")).isEqualTo(10);
        assertThat(Judge.similarity("a b c", "")).isEqualTo(1);
        // DFW's "(\d)" reads a 10 as 1 — reproduced, not fixed
        assertThat(Judge.parse(Judge.similarityReply("a b c", "a b c"), "(\\d)")).isEqualTo(1.0);
        assertThat(Judge.parse(Judge.similarityReply("a b c", "a b c"), "(\\d+)")).isEqualTo(10.0);
        List<ToolCall> ref = List.of(new ToolCall("f", Json.obj().put("city", "Paris")));
        List<ToolCall> ok = List.of(new ToolCall("f", Json.obj().put("city", " paris").put("extra", 1)));
        assertThat(Judge.parse(Judge.toolCorrectnessReply(ref, ok), "RATING:\\s*(\\d+)")).isEqualTo(1.0);
        assertThat(Judge.toolCorrectness(ref, List.of(new ToolCall("g", Json.obj())))).isZero();
    }

    @Test
    void toolCallMetricsCompareNamesAndArguments() {
        List<ToolCall> truth = ToolCall.parseList(Json.parse(
                "[{\"function\": {\"name\": \"f\", \"arguments\": {\"a\": 1, \"b\": \"x\"}}}]"));
        List<ToolCall> sameAsString = ToolCall.parseList(Json.parse(
                "[{\"id\": \"1\", \"function\": {\"name\": \"f\", \"arguments\": \"{\\\"b\\\": \\\"x\\\", \\\"a\\\": 1}\"}}]"));
        List<ToolCall> wrongArgs = List.of(new ToolCall("f", Json.obj().put("a", 2)));
        assertThat(ToolCallMetrics.functionNameAndArgs(truth, sameAsString)).isEqualTo(1.0);
        assertThat(ToolCallMetrics.functionName(truth, wrongArgs)).isEqualTo(1.0);
        assertThat(ToolCallMetrics.functionNameAndArgs(truth, wrongArgs)).isZero();
        assertThat(ToolCallMetrics.functionName(truth, List.of())).isZero();
    }

    @Test
    void lossFallsAndIsDeterministic() {
        LossCurve c = new LossCurve(5, "cust-1", 0.7, 100);
        assertThat(c.trainLoss(99)).isLessThan(c.trainLoss(9));
        assertThat(c.valLoss(99)).isLessThan(c.valLoss(49));
        assertThat(new LossCurve(5, "cust-1", 0.7, 100).trainLoss(42)).isEqualTo(c.trainLoss(42));
    }

    @Test
    void oracleKeysIgnoreTheSystemPrompt() {
        ReferenceOracle o = new ReferenceOracle();
        ObjectNode rec = TestData.toolRecord(1, "plain");
        o.learn(rec);
        JsonNode withIcl = TestData.toolRecord(1, TestData.iclSystem(3)).path("request").path("messages");
        assertThat(o.referenceFor(withIcl)).isPresent();
        assertThat(o.learnFromFile(TestData.training(0, 5))).isEqualTo(5);
    }
}
