package dev.flywheel.emulator.sim;

import java.util.List;

/**
 * What a simulated model answered. {@code outcome} names the branch taken (exact, wrong_arguments, wrong_function,
 * text, paraphrase, generic) so tests and per-sample rows can explain a score.
 */
public record ChatAnswer(String content, List<ToolCall> toolCalls, String outcome, double skill) {
    public boolean hasToolCalls() {
        return toolCalls != null && !toolCalls.isEmpty();
    }
}
