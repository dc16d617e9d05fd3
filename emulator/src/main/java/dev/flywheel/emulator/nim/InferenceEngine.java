package dev.flywheel.emulator.nim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.emulator.EmulatorContext;
import dev.flywheel.emulator.http.ApiException;
import dev.flywheel.emulator.http.Json;
import dev.flywheel.emulator.sim.AnswerGenerator;
import dev.flywheel.emulator.sim.ChatAnswer;
import dev.flywheel.emulator.sim.IclDetector;
import dev.flywheel.emulator.sim.SkillModel;

/**
 * Answers chat requests for served models. Shared by the NIM proxy's HTTP API and the emulated Evaluator so a model
 * gives the same answer to the same item either way.
 */
public final class InferenceEngine {
    private final EmulatorContext ctx;
    private final ModelCatalog catalog;
    private final AnswerGenerator generator;

    public InferenceEngine(EmulatorContext ctx, ModelCatalog catalog) {
        this.ctx = ctx;
        this.catalog = catalog;
        this.generator = new AnswerGenerator(ctx.seed());
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    /**
     * @param requireServed false for external endpoints (e.g. an eval target given as {@code api_endpoint}), which the
     *                      emulator simulates without a deployment
     */
    public ChatAnswer chat(String model, JsonNode messages, JsonNode tools, JsonNode toolChoice, boolean requireServed) {
        if (requireServed && !catalog.isServed(model)) {
            throw ApiException.notFound("Model " + model + " not found");
        }
        double skill = SkillModel.withIcl(catalog.skill(model), IclDetector.countExamples(systemText(messages)));
        JsonNode reference = ctx.oracle().referenceFor(messages).orElse(null);
        return generator.answer(model, skill, messages, tools, toolChoice, reference);
    }

    private static String systemText(JsonNode messages) {
        StringBuilder sb = new StringBuilder();
        if (messages != null) {
            for (JsonNode m : messages) {
                if ("system".equals(Json.text(m, "role")) && m.get("content") != null) {
                    sb.append(m.get("content").isTextual() ? m.get("content").asText() : Json.write(m.get("content")));
                    sb.append('\n');
                }
            }
        }
        return sb.toString();
    }
}
