package dev.flywheel.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.http.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Same seed → same answers and scores; bigger models and in-context examples score higher. */
class SkillAndDeterminismTest {
    private static final String SMALL = "meta/llama-3.2-1b-instruct";
    private static final String LARGE = "meta/llama-3.3-70b-instruct";

    /** Runs the same workload on a fresh emulator and returns every score plus raw chat answers. */
    private static Map<String, Object> run(long seed) {
        Map<String, Object> out = new LinkedHashMap<>();
        try (TestNemo t = TestNemo.start(seed)) {
            t.namespace("sk");
            t.uploadDataset("sk", "tools", "eval_data.jsonl", TestData.toolEval(0, 60, "You are a helpful assistant."));
            t.uploadDataset("sk", "tools-icl", "eval_data.jsonl", TestData.toolEval(0, 60, TestData.iclSystem(5)));
            List<ObjectNode> text = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                text.add(TestData.textRecord(i));
            }
            t.uploadDataset("sk", "text", "eval_data.jsonl", TestData.jsonl(text));
            t.deploy("sk", SMALL);
            t.deploy("sk", LARGE); // also the judge
            for (String model : List.of(SMALL, LARGE)) {
                JsonNode tools = t.evaluate(TestNemo.toolEvalJob("sk", "tools", model, 60));
                out.put(model + " args", TestNemo.score(tools, "custom-tool-calling", "tool-calling-accuracy",
                        "function_name_and_args_accuracy"));
                out.put(model + " names", TestNemo.score(tools, "custom-tool-calling", "tool-calling-accuracy",
                        "function_name_accuracy"));
                out.put(model + " rating", TestNemo.score(tools, "custom-tool-calling", "correctness", "rating"));
                JsonNode judged = t.evaluate(TestNemo.judgeEvalJob("sk", "text", model, "(\\d+)"));
                out.put(model + " similarity", TestNemo.score(judged, "llm-as-judge", "llm-judge", "similarity"));
            }
            JsonNode icl = t.evaluate(TestNemo.toolEvalJob("sk", "tools-icl", SMALL, 60));
            out.put(SMALL + " icl args", TestNemo.score(icl, "custom-tool-calling", "tool-calling-accuracy",
                    "function_name_and_args_accuracy"));
            ObjectNode chat = Json.obj().put("model", SMALL);
            chat.set("messages", TestData.textRecord(3).path("request").path("messages"));
            out.put("chat", t.post(t.nim, "/v1/chat/completions", chat).json().at("/choices/0/message/content")
                    .asText());
        }
        return out;
    }

    @Test
    void sameSeedSameScoresAndSkillOrdering() {
        Map<String, Object> a = run(99);
        Map<String, Object> b = run(99);
        assertThat(b).isEqualTo(a);

        double small = (double) a.get(SMALL + " args");
        double large = (double) a.get(LARGE + " args");
        assertThat(large).isGreaterThan(small);
        assertThat((double) a.get(LARGE + " names")).isGreaterThan((double) a.get(SMALL + " names"));
        assertThat((double) a.get(LARGE + " rating")).isGreaterThan((double) a.get(SMALL + " rating"));
        assertThat((double) a.get(LARGE + " similarity")).isGreaterThan((double) a.get(SMALL + " similarity"));
        assertThat((double) a.get(LARGE + " similarity")).isBetween(1.0, 10.0);
        assertThat((double) a.get(SMALL + " icl args")).isGreaterThan(small);
        // accuracy is real: 1b is far from perfect, 70b far from useless
        assertThat(small).isBetween(0.1, 0.6);
        assertThat(large).isGreaterThan(0.6);
    }
}
