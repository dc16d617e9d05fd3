package dev.flywheel.core.job;

import java.util.Arrays;
import java.util.Optional;

/** What a job builds and evaluates: chat/tool-calling LLM candidates, or embedding models. */
public enum JobType {
    LLM_JOB("llm_job"),
    EMBEDDING_JOB("embedding_job");

    private final String wire;

    JobType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<JobType> parse(String wire) {
        return Arrays.stream(values()).filter(t -> t.wire.equals(wire)).findFirst();
    }
}
