package dev.flywheel.core.job;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.JobError;
import dev.flywheel.api.v1.TimelineEvent;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.error.FlywheelException;
import java.time.Instant;

/**
 * Pure functions over the job resource: building a new job from a request and the lifecycle moves the API
 * makes (cancel, the delete precondition). Every move returns a new {@link Job} with {@code version + 1};
 * storing it is the caller's compare-and-set.
 */
public final class Jobs {

    /** The timeline is a short history for humans, not an audit log; it keeps the newest entries. */
    public static final int MAX_TIMELINE = 50;

    private Jobs() {}

    /** A new pending job. {@code config} is the validated effective configuration. */
    public static Job newJob(String id, CreateJobRequest request, JobConfig config, String configName,
                             long configVersion, String requestId, Instant now) {
        Timestamp at = ts(now);
        Job.Builder job = Job.newBuilder()
                .setId(id)
                .setClientId(request.getClientId())
                .setWorkloadId(request.getWorkloadId())
                .setJobType(request.getJobType().isEmpty() ? JobType.LLM_JOB.wire() : request.getJobType())
                .setRequestId(requestId)
                .setConfigName(configName)
                .setConfigVersion(configVersion)
                .setStatus(JobStatus.PENDING.wire())
                .setVersion(1)
                .setCreatedAt(at)
                .setUpdatedAt(at)
                .setConfig(config)
                .addTimeline(event(now, "created", "job accepted"));
        if (request.hasFrom()) {
            job.setFrom(request.getFrom());
        }
        if (request.hasTo()) {
            job.setTo(request.getTo());
        }
        return job.build();
    }

    /**
     * The job after a user's cancel. A job that has not started holds nothing outside our store, so it is
     * cancelled at once; a running one becomes cancelling and its engine releases what it holds.
     */
    public static Job cancel(Job job, Instant now) {
        JobStatus status = JobStatus.of(job.getStatus());
        if (status == JobStatus.CANCELLING) {
            return job; // already on its way; cancelling twice is not an error
        }
        if (status.isTerminal()) {
            throw FlywheelException.failedPrecondition("Cannot cancel a job that has already finished (status "
                    + status.wire() + ").");
        }
        Job.Builder next = advance(job, now).setCancelRequested(true)
                .addTimeline(event(now, "cancel_requested", "cancel requested by user"));
        if (status == JobStatus.PENDING) {
            next.setStatus(JobStatus.CANCELLED.wire())
                    .setFinishedAt(ts(now))
                    .setError(JobError.newBuilder().setCode("CANCELLED").setStage(job.getStage())
                            .setMessage("Job cancelled by user"))
                    .addTimeline(event(now, "cancelled", "nothing had started; cancelled at once"));
        } else {
            next.setStatus(JobStatus.CANCELLING.wire());
        }
        return trimTimeline(next).build();
    }

    /** Deleting is only for finished jobs, whose resources have been released. */
    public static void checkDeletable(Job job) {
        if (!JobStatus.of(job.getStatus()).isTerminal()) {
            throw FlywheelException.failedPrecondition("Cannot delete a running job. Please cancel the job first. (status "
                    + job.getStatus() + ")");
        }
    }

    /** A builder for the next version of the job: version + 1 and updated_at = now. */
    public static Job.Builder advance(Job job, Instant now) {
        return job.toBuilder().setVersion(job.getVersion() + 1).setUpdatedAt(ts(now));
    }

    public static boolean isTerminal(Job job) {
        return JobStatus.of(job.getStatus()).isTerminal();
    }

    public static TimelineEvent event(Instant at, String type, String message) {
        return TimelineEvent.newBuilder().setAt(ts(at)).setType(type).setMessage(message).build();
    }

    static Job.Builder trimTimeline(Job.Builder job) {
        int excess = job.getTimelineCount() - MAX_TIMELINE;
        if (excess > 0) {
            var kept = job.getTimelineList().subList(excess, job.getTimelineCount());
            var copy = java.util.List.copyOf(kept);
            job.clearTimeline().addAllTimeline(copy);
        }
        return job;
    }

    /**
     * A fingerprint of what a client asked for, to tell a retry (same payload) from a conflicting reuse of
     * the request_id. The request_id itself is left out.
     */
    public static String fingerprint(CreateJobRequest request) {
        CreateJobRequest normalized = request.toBuilder().clearRequestId()
                .setJobType(request.getJobType().isEmpty() ? JobType.LLM_JOB.wire() : request.getJobType())
                .build();
        return JobConfigs.sha256(java.util.Base64.getEncoder().encodeToString(normalized.toByteArray()));
    }

    public static Timestamp ts(Instant instant) {
        return Timestamps.fromMillis(instant.toEpochMilli());
    }
}
