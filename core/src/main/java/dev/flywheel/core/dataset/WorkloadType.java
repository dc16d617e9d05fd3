package dev.flywheel.core.dataset;

/** The reference's workload classification; the string values are the reference's. */
public enum WorkloadType {
    GENERIC("generic"),
    TOOL_CALLING("tool_calling");

    private final String value;

    WorkloadType(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }
}
