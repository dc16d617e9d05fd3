package dev.flywheel.core.job;

import com.google.protobuf.util.Timestamps;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.error.FieldViolation;
import dev.flywheel.core.error.FlywheelException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a CreateJob request on its own (before any configuration is looked up) and reports every bad
 * field at once, so that a client fixes its request in one round trip.
 */
public final class CreateJobValidator {

    public static final int MAX_ID_LENGTH = 256;

    private CreateJobValidator() {}

    public static void check(CreateJobRequest request) {
        List<FieldViolation> violations = violations(request);
        if (!violations.isEmpty()) {
            throw FlywheelException.invalid(violations);
        }
    }

    public static List<FieldViolation> violations(CreateJobRequest request) {
        List<FieldViolation> out = new ArrayList<>();
        checkId("client_id", request.getClientId(), true, out);
        checkId("workload_id", request.getWorkloadId(), true, out);
        checkId("request_id", request.getRequestId(), false, out);
        if (!request.getJobType().isEmpty() && JobType.parse(request.getJobType()).isEmpty()) {
            out.add(new FieldViolation("job_type", "must be llm_job or embedding_job, got '" + printable(request.getJobType()) + "'"));
        }
        if (!request.getConfigName().isEmpty() && !ConfigRef.isWellFormed(request.getConfigName())) {
            out.add(new FieldViolation("config_name", "must be name or name@version"));
        }
        if (request.hasDataSplitConfig()) {
            out.addAll(JobConfigs.validateSplit(request.getDataSplitConfig(), "data_split_config."));
        }
        if (request.hasFrom() && !Timestamps.isValid(request.getFrom())) {
            out.add(new FieldViolation("from", "is not a valid timestamp"));
        }
        if (request.hasTo() && !Timestamps.isValid(request.getTo())) {
            out.add(new FieldViolation("to", "is not a valid timestamp"));
        }
        if (request.hasFrom() && request.hasTo() && Timestamps.compare(request.getFrom(), request.getTo()) >= 0) {
            out.add(new FieldViolation("to", "must be after from"));
        }
        return out;
    }

    /** Ids are matched verbatim against logged records, so they must be printable and bounded. */
    public static void checkId(String field, String value, boolean required, List<FieldViolation> out) {
        if (value.isEmpty()) {
            if (required) {
                out.add(new FieldViolation(field, "is required"));
            }
            return;
        }
        if (value.isBlank()) {
            out.add(new FieldViolation(field, "must not be blank"));
        } else if (value.length() > MAX_ID_LENGTH) {
            out.add(new FieldViolation(field, "must be at most " + MAX_ID_LENGTH + " characters, got " + value.length()));
        } else if (value.chars().anyMatch(Character::isISOControl)) {
            out.add(new FieldViolation(field, "must not contain control characters"));
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
