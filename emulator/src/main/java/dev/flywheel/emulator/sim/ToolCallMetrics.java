package dev.flywheel.emulator.sim;

import java.util.List;

/**
 * The Evaluator's {@code tool-calling} metric, per sample: {@code function_name_accuracy} is 1 when the predicted
 * calls name the same functions in the same order as the ground truth; {@code function_name_and_args_accuracy} is 1
 * when, in addition, every call's arguments are equal as JSON values.
 */
public final class ToolCallMetrics {
    private ToolCallMetrics() {}

    public static double functionName(List<ToolCall> truth, List<ToolCall> predicted) {
        if (truth.size() != predicted.size()) {
            return 0;
        }
        for (int i = 0; i < truth.size(); i++) {
            if (!truth.get(i).name().equals(predicted.get(i).name())) {
                return 0;
            }
        }
        return 1;
    }

    public static double functionNameAndArgs(List<ToolCall> truth, List<ToolCall> predicted) {
        if (truth.size() != predicted.size()) {
            return 0;
        }
        for (int i = 0; i < truth.size(); i++) {
            if (!truth.get(i).sameAs(predicted.get(i))) {
                return 0;
            }
        }
        return 1;
    }
}
