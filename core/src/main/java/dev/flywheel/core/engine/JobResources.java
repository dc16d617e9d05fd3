package dev.flywheel.core.engine;

import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.SharedDeployment;
import dev.flywheel.core.error.FlywheelException;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a job has given back the compute it took in NeMo. A terminal status alone does not prove it: a job can
 * be marked finished by hand or by an older version while a candidate still says {@code shutting-down}, or while
 * it still lists a shared deployment it counts as a user of. Deleting such a document would lose the only record
 * of those deployments (and of the GPUs Redis admission thinks are taken), so DeleteJob refuses it.
 */
public final class JobResources {

    private JobResources() {}

    /** What the job may still hold, one line each; empty when everything is released. */
    public static List<String> unreleased(Job job) {
        List<String> held = new ArrayList<>();
        for (CandidateModel c : job.getCandidatesList()) {
            // An unknown status is not evidence of a deployment; only the statuses that may hold one count.
            boolean mayHold = CandidateStatus.parse(c.getStatus().isEmpty() ? CandidateStatus.PENDING.wire() : c.getStatus())
                    .map(CandidateStatus::mayHoldDeployment).orElse(false);
            if (mayHold) {
                held.add("candidate " + c.getModelName() + " is " + c.getStatus()
                        + (c.getDeploymentName().isEmpty() ? "" : " (deployment " + c.getDeploymentName() + ")"));
            }
        }
        for (SharedDeployment s : job.getSharedDeploymentsList()) {
            held.add("shared deployment " + s.getName() + " (" + s.getRole() + ") is still in use by this job");
        }
        return held;
    }

    /** Fails with FAILED_PRECONDITION when {@link #unreleased} is not empty. */
    public static void checkReleased(Job job) {
        List<String> held = unreleased(job);
        if (!held.isEmpty()) {
            throw FlywheelException.failedPrecondition("Cannot delete job " + job.getId()
                    + ": it has not released its NeMo resources yet (" + String.join("; ", held)
                    + "). The job engine releases them; retry later.");
        }
    }
}
