package dev.flywheel.clients.nemo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Inline Evaluator configs for the reference's evaluations (nemo-api.md §6.7, anchor §7.2), as plain maps ready for
 * {@link EvaluationTypes.CreateEvaluationJob}:
 * <ol>
 *   <li>{@link #llmJudgeSimilarity}: task {@code llm-as-judge}, metric {@code llm-judge}, score {@code similarity}
 *       (1–10);</li>
 *   <li>{@link #toolCalling}: task {@code custom-tool-calling}, metrics {@code tool-calling-accuracy}
 *       ({@code function_name_accuracy}, {@code function_name_and_args_accuracy}) and {@code correctness}
 *       ({@code rating}, 0/1);</li>
 *   <li>{@link #toolCallingJudgeOnly}: task {@code llm-as-judge}, metric {@code correctness}.</li>
 * </ol>
 * Differences from the reference, on purpose: the similarity parser accepts 10 (the reference's {@code (\d)} read a
 * "10" as 1, anchor §11.2 item 7); a remote judge key is a {@link Secret}, written only when the request body is
 * serialised and masked in {@code toString}.
 */
public final class EvaluationConfigs {

    public static final String TASK_JUDGE = "llm-as-judge";
    public static final String TASK_TOOL_CALLING = "custom-tool-calling";
    public static final String METRIC_JUDGE = "llm-judge";
    public static final String METRIC_TOOL_CALLING = "tool-calling-accuracy";
    public static final String METRIC_CORRECTNESS = "correctness";

    /** First integer 1–10 (10 before single digits, so "10" is not read as "1"). */
    public static final String SIMILARITY_PATTERN = "\\b(10|[1-9])\\b";
    public static final String RATING_PATTERN = "RATING:\\s*(\\d+)";

    static final String MESSAGES_TEMPLATE = "{{ item.request.messages | tojson }}";
    static final String TOOLS_TEMPLATE = "{{ item.request.tools | tojson }}";
    static final String GROUND_TRUTH_TOOL_CALLS = "{{ item.response.choices[0].message.tool_calls | tojson }}";

    static final String SIMILARITY_SYSTEM = "You are an expert evaluator. Compare a candidate answer with a reference "
            + "answer to the same conversation and rate how similar they are in meaning.";
    static final String SIMILARITY_USER = """
            Conversation:
            {{ item.request.messages | tojson }}

            Reference answer:
            {{ item.response.choices[0].message.content }}

            Candidate answer:
            {{ sample.output_text }}

            Rate the similarity from 1 to 10: 10 = same meaning and completeness, 7 = same meaning with minor \
            differences, 4 = partially similar, 1 = unrelated, wrong or empty. Answer with the integer only.""";
    static final String CORRECTNESS_SYSTEM = "You are an expert judge of function calls. Compare predicted tool calls "
            + "with the ground truth.";
    static final String CORRECTNESS_USER = """
            Ground truth tool calls:
            {{ item.response.choices[0].message.tool_calls | tojson }}

            Predicted tool calls:
            {{ sample.response.choices[0].message.tool_calls | tojson }}

            Rules: the function name must match exactly; every ground-truth argument must be present; short \
            identifier-like arguments (ids, codes, numbers, dates) must match exactly; natural-language arguments may \
            differ in wording but not in meaning.
            Reply with "RATING: 1" if the prediction is correct and "RATING: 0" otherwise, then one sentence of \
            explanation.""";

    private EvaluationConfigs() {
    }

    /** The judge model inside an {@code llm-judge} metric. */
    public sealed interface JudgeModel permits LocalJudge, RemoteJudge {
        Object wire();
    }

    /** A judge served by the NIM proxy, referenced by model id. */
    public record LocalJudge(String modelId) implements JudgeModel {
        public LocalJudge {
            Objects.requireNonNull(modelId, "modelId");
        }

        @Override
        public Object wire() {
            return modelId;
        }
    }

    /**
     * A remote OpenAI-compatible judge: {@code url} is the full chat-completions URL. The key, when present, goes
     * into the job spec (NeMo stores it and echoes {@code "******"}); it is never put into our own records.
     */
    public record RemoteJudge(String url, String modelId, Secret apiKey) implements JudgeModel {
        public RemoteJudge {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(modelId, "modelId");
        }

        @Override
        public Object wire() {
            Map<String, Object> endpoint = new LinkedHashMap<>();
            endpoint.put("url", url);
            endpoint.put("model_id", modelId);
            if (apiKey != null) {
                endpoint.put("api_key", apiKey);
            }
            return Map.of("api_endpoint", endpoint);
        }
    }

    /** {@code {"type": "model", "model": "<id>"}}. */
    public static Map<String, Object> modelTarget(String modelId) {
        return ordered("type", "model", "model", Objects.requireNonNull(modelId));
    }

    /**
     * Generic workloads: the candidate answers each logged conversation; the judge rates similarity to the logged
     * answer. {@code tools}/{@code toolChoice} are passed into the template only when the dataset rows carry tools.
     */
    public static Map<String, Object> llmJudgeSimilarity(String filesUrl, Integer limit, JudgeModel judge,
                                                         boolean includeTools) {
        Map<String, Object> template = ordered("messages", MESSAGES_TEMPLATE);
        if (includeTools) {
            template.put("tools", TOOLS_TEMPLATE);
        }
        Map<String, Object> metrics = ordered(METRIC_JUDGE, judgeMetric(judge, SIMILARITY_SYSTEM, SIMILARITY_USER,
                "similarity", SIMILARITY_PATTERN));
        return custom(TASK_JUDGE, task(filesUrl, limit, template, metrics));
    }

    /** Tool-calling workloads: exact-match accuracy plus an LLM-judged correctness rating. */
    public static Map<String, Object> toolCalling(String filesUrl, Integer limit, JudgeModel judge) {
        Map<String, Object> template = ordered("messages", MESSAGES_TEMPLATE, "tools", TOOLS_TEMPLATE,
                "tool_choice", "required");
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put(METRIC_TOOL_CALLING, ordered("type", "tool-calling",
                "params", ordered("tool_calls_ground_truth", GROUND_TRUTH_TOOL_CALLS)));
        metrics.put(METRIC_CORRECTNESS, judgeMetric(judge, CORRECTNESS_SYSTEM, CORRECTNESS_USER, "rating",
                RATING_PATTERN));
        return custom(TASK_TOOL_CALLING, task(filesUrl, limit, template, metrics));
    }

    /** Tool-calling, judge only. */
    public static Map<String, Object> toolCallingJudgeOnly(String filesUrl, Integer limit, JudgeModel judge) {
        Map<String, Object> template = ordered("messages", MESSAGES_TEMPLATE, "tools", TOOLS_TEMPLATE,
                "tool_choice", "required");
        Map<String, Object> metrics = ordered(METRIC_CORRECTNESS, judgeMetric(judge, CORRECTNESS_SYSTEM,
                CORRECTNESS_USER, "rating", RATING_PATTERN));
        return custom(TASK_JUDGE, task(filesUrl, limit, template, metrics));
    }

    private static Map<String, Object> custom(String taskName, Map<String, Object> task) {
        return ordered("type", "custom", "tasks", ordered(taskName, task));
    }

    private static Map<String, Object> task(String filesUrl, Integer limit, Map<String, Object> template,
                                            Map<String, Object> metrics) {
        Map<String, Object> dataset = ordered("files_url", Objects.requireNonNull(filesUrl, "filesUrl"));
        if (limit != null) {
            dataset.put("limit", limit);
        }
        return ordered("type", "chat-completion", "dataset", dataset, "params", ordered("template", template),
                "metrics", metrics);
    }

    private static Map<String, Object> judgeMetric(JudgeModel judge, String system, String user, String score,
                                                   String pattern) {
        Objects.requireNonNull(judge, "judge");
        return ordered("type", "llm-judge", "params", ordered(
                "model", judge.wire(),
                "template", ordered("messages", List.of(
                        ordered("role", "system", "content", system),
                        ordered("role", "user", "content", user))),
                "scores", ordered(score, ordered("type", "int",
                        "parser", ordered("type", "regex", "pattern", pattern)))));
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
