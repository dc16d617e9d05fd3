package dev.flywheel.core.dataset;

import dev.flywheel.api.v1.DataSplitConfig;

/**
 * The effective data split settings of a job. Unset fields take the shipped defaults (anchor Appendix A), except
 * {@code limit}: unset means "no limit" — what the reference documents for {@code limit: null} but crashed on
 * (anchor §11.2 #10).
 *
 * @param limit null for no limit
 */
public record SplitSettings(int evalSize, double valRatio, int minTotalRecords, Integer limit,
                            boolean parseFunctionArguments) {

    public static SplitSettings from(DataSplitConfig config) {
        return new SplitSettings(
                config.hasEvalSize() ? config.getEvalSize() : 100,
                config.hasValRatio() ? config.getValRatio() : 0.1,
                config.hasMinTotalRecords() ? config.getMinTotalRecords() : 50,
                config.hasLimit() ? Integer.valueOf(config.getLimit()) : null,
                !config.hasParseFunctionArguments() || config.getParseFunctionArguments());
    }
}
