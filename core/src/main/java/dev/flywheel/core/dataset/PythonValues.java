package dev.flywheel.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Python semantics the reference relies on implicitly: truthiness ({@code if msg.get("content")}) and
 * {@code str(value)} inside f-strings (the ICL example text).
 */
final class PythonValues {

    private PythonValues() {}

    /** Python truthiness of a JSON value; absent counts as {@code None}. */
    static boolean isTruthy(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return false;
        }
        if (node.isTextual()) {
            return !node.textValue().isEmpty();
        }
        if (node.isContainerNode()) {
            return !node.isEmpty();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            return node.doubleValue() != 0;
        }
        return true;
    }

    /**
     * {@code f"{value}"}: strings as they are, {@code None}, {@code True}/{@code False}, numbers as Python prints
     * them. Lists and dicts (multimodal content) are rendered as JSON rather than Python's repr — a documented
     * divergence that keeps the text parseable.
     */
    static String str(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "None";
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue() ? "True" : "False";
        }
        return PythonJson.dumps(node);
    }
}
