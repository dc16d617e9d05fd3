package dev.flywheel.core.dataset;

/**
 * Why a fetched record was rejected before any workload-specific rule ran. The first group mirrors the
 * reference's OpenAI-format check; the second covers odd input the reference would have crashed on or
 * silently mishandled. Each rejected record is counted under exactly one reason in the manifest.
 */
public enum InvalidReason {
    // Reference OpenAI-format rules (OpenAIFormatValidator.validate_chat_completion_format).
    MISSING_REQUEST("missing_request"),
    MISSING_RESPONSE("missing_response"),
    MESSAGES_NOT_A_LIST("messages_not_a_list"),
    MESSAGES_EMPTY("messages_empty"),
    CHOICES_NOT_A_LIST("choices_not_a_list"),
    CHOICES_EMPTY("choices_empty"),
    CHOICE_WITHOUT_MESSAGE("choice_without_message"),
    TOO_MANY_TOOL_PARAMETERS("too_many_tool_parameters"),
    // Robustness rules (the reference raised KeyError/TypeError later, or never saw such input).
    RECORD_TOO_LARGE("record_too_large"),
    NOT_UTF8("not_utf8"),
    MALFORMED_JSON("malformed_json"),
    NOT_AN_OBJECT("not_an_object"),
    MESSAGE_NOT_AN_OBJECT("message_not_an_object"),
    UNPROCESSABLE("unprocessable");

    private final String label;

    InvalidReason(String label) {
        this.label = label;
    }

    /** The snake_case name used in the manifest. */
    public String label() {
        return label;
    }
}
