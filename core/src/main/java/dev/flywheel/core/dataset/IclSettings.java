package dev.flywheel.core.dataset;

import dev.flywheel.api.v1.IclConfig;

/**
 * The effective ICL settings of a job, with the reference's class defaults for anything unset (anchor §4.6).
 * {@code min_examples} is carried but, as in the reference, unused.
 */
public record IclSettings(int maxContextLength, int reservedTokens, int maxExamples, int minExamples,
                          String exampleSelection) {

    public static final String UNIFORM = "uniform_distribution";
    public static final String SEMANTIC = "semantic_similarity";

    public static IclSettings from(IclConfig config) {
        return new IclSettings(
                config.hasMaxContextLength() ? config.getMaxContextLength() : 8192,
                config.hasReservedTokens() ? config.getReservedTokens() : 2048,
                config.hasMaxExamples() ? config.getMaxExamples() : 3,
                config.hasMinExamples() ? config.getMinExamples() : 1,
                config.hasExampleSelection() ? config.getExampleSelection() : UNIFORM);
    }
}
