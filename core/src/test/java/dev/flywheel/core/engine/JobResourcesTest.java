package dev.flywheel.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.SharedDeployment;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.core.job.JobStatus;
import org.junit.jupiter.api.Test;

/**
 * {@link JobResources#checkReleased}: a job whose candidates have all ended (or never deployed) and which lists no
 * shared deployment may be deleted; any candidate that may hold a deployment (deploying, running-evals,
 * shutting-down) or any listed shared deployment refuses the delete with FAILED_PRECONDITION naming it.
 */
class JobResourcesTest {

    private static CandidateModel candidate(String model, String status) {
        return CandidateModel.newBuilder().setModelName(model).setStatus(status).setDeploymentName("fw-abcd1234-nim-" + model + "-a1")
                .build();
    }

    private static Job.Builder finished() {
        return Job.newBuilder().setId("j1").setStatus(JobStatus.COMPLETED.wire());
    }

    @Test
    void aJobWhoseCandidatesEndedAndThatListsNoSharedDeploymentIsReleased() {
        Job job = finished().addCandidates(candidate("a", "completed")).addCandidates(candidate("b", "failed"))
                .addCandidates(candidate("c", "cancelled")).addCandidates(candidate("d", "pending"))
                .addCandidates(candidate("e", "queued")).addCandidates(candidate("f", "")).build();
        assertThat(JobResources.unreleased(job)).isEmpty();
        JobResources.checkReleased(job); // does not throw
        JobResources.checkReleased(finished().build());
    }

    @Test
    void everyStatusThatMayHoldADeploymentRefusesTheDelete() {
        for (CandidateStatus s : CandidateStatus.values()) {
            Job job = finished().addCandidates(candidate("a", "completed")).addCandidates(candidate("m", s.wire())).build();
            if (s.mayHoldDeployment()) {
                assertThatThrownBy(() -> JobResources.checkReleased(job))
                        .isInstanceOfSatisfying(FlywheelException.class,
                                e -> assertThat(e.kind()).isEqualTo(FlywheelException.Kind.FAILED_PRECONDITION))
                        .hasMessageContaining("candidate m is " + s.wire())
                        .hasMessageContaining("fw-abcd1234-nim-m-a1");
            } else {
                assertThat(JobResources.unreleased(job)).as(s.wire()).isEmpty();
            }
        }
    }

    @Test
    void aListedSharedDeploymentRefusesTheDelete() {
        Job job = finished().addCandidates(candidate("a", "completed"))
                .addSharedDeployments(SharedDeployment.newBuilder().setName("fw-shared-judge-llama").setRole("judge")).build();
        assertThatThrownBy(() -> JobResources.checkReleased(job))
                .isInstanceOfSatisfying(FlywheelException.class,
                        e -> assertThat(e.kind()).isEqualTo(FlywheelException.Kind.FAILED_PRECONDITION))
                .hasMessageContaining("fw-shared-judge-llama");
    }

    @Test
    void anUnknownCandidateStatusDoesNotBlockTheDelete() {
        Job job = finished().addCandidates(candidate("a", "some-future-status")).build();
        assertThat(JobResources.unreleased(job)).isEmpty();
    }
}
