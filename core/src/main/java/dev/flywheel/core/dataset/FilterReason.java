package dev.flywheel.core.dataset;

/**
 * Why a format-valid record was dropped by the tool-calling quality filter (only applied when the workload
 * is {@link WorkloadType#TOOL_CALLING}). {@link #NONE} means the record passes.
 */
public enum FilterReason {
    NONE("none"),
    /** No choice carries a non-empty {@code tool_calls} list. */
    NO_TOOL_CALLS("no_tool_calls"),
    /** In the first choice with tool calls some call's {@code type} is not {@code "function"}. */
    TOOL_CALL_TYPE_NOT_FUNCTION("tool_call_type_not_function"),
    /** A response tool call has no {@code function} object, or null/missing {@code arguments}. */
    ARGUMENTS_MISSING("arguments_missing"),
    /** {@code parse_function_arguments} is on and a string {@code arguments} is not JSON. */
    ARGUMENTS_UNPARSEABLE("arguments_unparseable"),
    /**
     * {@code request.tools} is absent: the training line must carry it. (The reference raised KeyError while
     * formatting and silently dropped the record from training only.)
     */
    TOOLS_MISSING("tools_missing");

    private final String label;

    FilterReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
