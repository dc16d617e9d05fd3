package dev.flywheel.core.error;

/** One bad input field: its path (e.g. {@code data_split_config.val_ratio}) and what is wrong with it. */
public record FieldViolation(String field, String description) {
    @Override
    public String toString() {
        return field + ": " + description;
    }
}
