package dev.flywheel.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.DataSplitConfig;
import dev.flywheel.api.v1.Job;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.error.FieldViolation;
import dev.flywheel.core.error.FlywheelException;
import java.time.Instant;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class JobsTest {

    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
    private final CreateJobRequest request = CreateJobRequest.newBuilder().setClientId("c").setWorkloadId("w").build();

    private Job pending() {
        return Jobs.newJob("id1", request, JobConfigs.builtInDefaults(), "", 0, "r1", T0);
    }

    @Test
    void newJobIsPendingWithVersionOneAndDefaults() {
        Job job = pending();
        assertThat(job.getStatus()).isEqualTo("pending");
        assertThat(job.getVersion()).isEqualTo(1);
        assertThat(job.getJobType()).isEqualTo("llm_job");
        assertThat(job.getTimelineList()).extracting(e -> e.getType()).containsExactly("created");
    }

    @Test
    void cancellingAPendingJobEndsItAtOnce() {
        Job cancelled = Jobs.cancel(pending(), T0.plusSeconds(1));
        assertThat(cancelled.getStatus()).isEqualTo("cancelled");
        assertThat(cancelled.getVersion()).isEqualTo(2);
        assertThat(cancelled.hasFinishedAt()).isTrue();
        assertThat(cancelled.getError().getCode()).isEqualTo("CANCELLED");
    }

    @Test
    void cancellingARunningJobMakesItCancelling() {
        Job running = pending().toBuilder().setStatus("running").build();
        Job cancelling = Jobs.cancel(running, T0);
        assertThat(cancelling.getStatus()).isEqualTo("cancelling");
        assertThat(cancelling.getCancelRequested()).isTrue();
        assertThat(Jobs.cancel(cancelling, T0)).isSameAs(cancelling);
    }

    @Test
    void finishedJobsCannotBeCancelledAndRunningJobsCannotBeDeleted() {
        Job done = pending().toBuilder().setStatus("completed").build();
        assertThatThrownBy(() -> Jobs.cancel(done, T0)).isInstanceOf(FlywheelException.class)
                .extracting(e -> ((FlywheelException) e).kind()).isEqualTo(FlywheelException.Kind.FAILED_PRECONDITION);
        assertThatThrownBy(() -> Jobs.checkDeletable(pending())).isInstanceOf(FlywheelException.class)
                .hasMessageContaining("Cannot delete a running job");
        Jobs.checkDeletable(done);
    }

    @Test
    void terminalStatusesAreNeverLeft() {
        for (JobStatus from : JobStatus.values()) {
            for (JobStatus to : JobStatus.values()) {
                if (from.isTerminal()) {
                    assertThat(from.canMoveTo(to)).as(from + " -> " + to).isFalse();
                }
            }
        }
        assertThat(EnumSet.allOf(JobStatus.class)).filteredOn(s -> !s.isTerminal())
                .allSatisfy(s -> assertThat(s.canMoveTo(JobStatus.FAILED)).isTrue());
    }

    @Test
    void timelineIsBounded() {
        Job job = pending();
        Job.Builder b = job.toBuilder();
        for (int i = 0; i < 80; i++) {
            b.addTimeline(Jobs.event(T0, "e" + i, ""));
        }
        assertThat(Jobs.trimTimeline(b).getTimelineCount()).isEqualTo(Jobs.MAX_TIMELINE);
        assertThat(b.getTimeline(Jobs.MAX_TIMELINE - 1).getType()).isEqualTo("e79");
    }

    @Test
    void fingerprintIgnoresRequestIdAndDefaultJobType() {
        CreateJobRequest a = request.toBuilder().setRequestId("x").build();
        CreateJobRequest b = request.toBuilder().setRequestId("y").setJobType("llm_job").build();
        assertThat(Jobs.fingerprint(a)).isEqualTo(Jobs.fingerprint(b));
        CreateJobRequest c = request.toBuilder().setDataSplitConfig(DataSplitConfig.newBuilder().setLimit(5)).build();
        assertThat(Jobs.fingerprint(c)).isNotEqualTo(Jobs.fingerprint(a));
    }

    @Test
    void validatorReportsEveryBadField() {
        CreateJobRequest bad = CreateJobRequest.newBuilder()
                .setClientId(" ")
                .setWorkloadId("w\u0007")
                .setRequestId("r".repeat(257))
                .setJobType("gpu_job")
                .setConfigName("bad name")
                .setDataSplitConfig(DataSplitConfig.newBuilder().setValRatio(-0.1))
                .build();
        assertThat(CreateJobValidator.violations(bad)).extracting(FieldViolation::field)
                .containsExactly("client_id", "workload_id", "request_id", "job_type", "config_name",
                        "data_split_config.val_ratio");
        assertThat(CreateJobValidator.violations(request)).isEmpty();
    }

    @Test
    void configRefs() {
        assertThat(ConfigRef.parse("f", "prod")).isEqualTo(new ConfigRef("prod", ConfigRef.LATEST));
        assertThat(ConfigRef.parse("f", "prod@3")).isEqualTo(new ConfigRef("prod", 3));
        assertThatThrownBy(() -> ConfigRef.parse("f", "prod@0")).isInstanceOf(FlywheelException.class);
        assertThatThrownBy(() -> ConfigRef.parse("f", "../etc")).isInstanceOf(FlywheelException.class);
    }
}
