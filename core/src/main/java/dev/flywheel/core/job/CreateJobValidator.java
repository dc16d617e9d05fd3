package dev.flywheel.core.job;

import com.google.protobuf.Timestamp;
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
        boolean fromOk = !request.hasFrom() || checkTime("from", request.getFrom(), out);
        boolean toOk = !request.hasTo() || checkTime("to", request.getTo(), out);
        // Timestamps.compare throws on an invalid timestamp, so only valid ones are compared.
        if (request.hasFrom() && request.hasTo() && fromOk && toOk
                && Timestamps.compare(request.getFrom(), request.getTo()) >= 0) {
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

    /**
     * An end of the log window: a valid timestamp, not before the Unix epoch. Logs are never older than that, and
     * the JSON printer of the HTTP API (Armeria's protobuf-jackson) checks timestamps by the Duration rules (seconds
     * and nanos of one sign), so a stored pre-1970 time with a fraction of a second would fail every read of the job.
     */
    private static boolean checkTime(String field, Timestamp time, List<FieldViolation> out) {
        if (!Timestamps.isValid(time)) {
            out.add(new FieldViolation(field, "is not a valid timestamp"));
            return false;
        }
        if (time.getSeconds() < 0) {
            out.add(new FieldViolation(field, "must not be before 1970-01-01T00:00:00Z"));
            return false;
        }
        return true;
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
