package dev.flywheel.clients.nemo;

import dev.flywheel.clients.nemo.EvaluationTypes.EvaluationResult;
import dev.flywheel.clients.nemo.EvaluationTypes.MetricResult;
import dev.flywheel.clients.nemo.EvaluationTypes.Score;
import dev.flywheel.clients.nemo.EvaluationTypes.TaskResult;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static dev.flywheel.clients.nemo.EvaluationConfigs.METRIC_CORRECTNESS;
import static dev.flywheel.clients.nemo.EvaluationConfigs.METRIC_JUDGE;
import static dev.flywheel.clients.nemo.EvaluationConfigs.METRIC_TOOL_CALLING;
import static dev.flywheel.clients.nemo.EvaluationConfigs.TASK_JUDGE;
import static dev.flywheel.clients.nemo.EvaluationConfigs.TASK_TOOL_CALLING;

/**
 * Turns an Evaluator result into the scores a job stores (anchor §7.3). Pure.
 *
 * <p>Keys, as the reference stores them: {@code similarity} (1–10, judge mean), {@code function_name_accuracy} and
 * {@code function_name_and_args_accuracy} (0–1), {@code tool_calling_correctness} (0–1, judge mean). The reference
 * stored {@code function_name_accuracy} under {@code function_name}; we keep NeMo's name. A score that is absent is
 * left out (never 0), so "not measured" and "measured 0" stay distinct.
 */
public final class EvaluationScores {

    public static final String SIMILARITY = "similarity";
    public static final String FUNCTION_NAME_ACCURACY = "function_name_accuracy";
    public static final String FUNCTION_NAME_AND_ARGS_ACCURACY = "function_name_and_args_accuracy";
    public static final String TOOL_CALLING_CORRECTNESS = "tool_calling_correctness";

    private EvaluationScores() {
    }

    /** The reference's scores found in {@code result}; empty when none of the known paths is present. */
    public static Map<String, Double> scores(EvaluationResult result) {
        Map<String, Double> out = new LinkedHashMap<>();
        value(result, TASK_JUDGE, METRIC_JUDGE, "similarity").ifPresent(v -> out.put(SIMILARITY, v));
        value(result, TASK_TOOL_CALLING, METRIC_TOOL_CALLING, "function_name_accuracy")
                .ifPresent(v -> out.put(FUNCTION_NAME_ACCURACY, v));
        value(result, TASK_TOOL_CALLING, METRIC_TOOL_CALLING, "function_name_and_args_accuracy")
                .ifPresent(v -> out.put(FUNCTION_NAME_AND_ARGS_ACCURACY, v));
        value(result, TASK_TOOL_CALLING, METRIC_CORRECTNESS, "rating")
                .or(() -> value(result, TASK_JUDGE, METRIC_CORRECTNESS, "rating"))
                .ifPresent(v -> out.put(TOOL_CALLING_CORRECTNESS, v));
        return out;
    }

    /** {@code tasks.<task>.metrics.<metric>.scores.<score>.value}, if present. */
    public static Optional<Double> value(EvaluationResult result, String task, String metric, String score) {
        TaskResult t = result.tasks().get(task);
        if (t == null) {
            return Optional.empty();
        }
        MetricResult m = t.metrics().get(metric);
        if (m == null) {
            return Optional.empty();
        }
        Score s = m.scores().get(score);
        return s == null ? Optional.empty() : Optional.ofNullable(s.value());
    }

    /** Every score as {@code "<task>/<metric>/<score>" → value}, for reports and unknown evaluation types. */
    public static Map<String, Double> flatten(EvaluationResult result) {
        Map<String, Double> out = new LinkedHashMap<>();
        result.tasks().forEach((task, t) -> t.metrics().forEach((metric, m) -> m.scores().forEach((score, s) ->
                out.put(task + "/" + metric + "/" + score, s.value()))));
        return out;
    }
}
