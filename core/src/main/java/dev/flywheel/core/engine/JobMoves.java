package dev.flywheel.core.engine;

import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.CandidateSummary;
import dev.flywheel.api.v1.Evaluation;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobError;
import dev.flywheel.api.v1.NimConfig;
import dev.flywheel.core.job.JobStatus;
import dev.flywheel.core.job.Jobs;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * The engine's changes to a job, as pure functions of the job (for {@link JobWriter}). Each checks the transition
 * it makes against {@link JobStatus} and {@link CandidateStatus}, so an illegal move fails loudly instead of being
 * stored, and returns the job unchanged when the move was already made (a resumed step repeats its checkpoint).
 */
public final class JobMoves {

    public static final String STAGE_INITIALIZE = "initialize";
    public static final String STAGE_DATASETS = "create_datasets";
    public static final String STAGE_JUDGE = "wait_for_llm_as_judge";
    public static final String STAGE_CANDIDATES = "candidates";
    public static final String STAGE_FINALIZE = "finalize";
    public static final String STAGE_CLEANUP = "cleanup";

    private JobMoves() {}

    /** pending → running, one pending candidate per configured NIM. */
    public static Job start(Job job, Instant now) {
        if (!JobStatus.of(job.getStatus()).equals(JobStatus.PENDING)) {
            return job;
        }
        Job.Builder next = job.toBuilder().setStatus(JobStatus.RUNNING.wire()).setStartedAt(Jobs.ts(now))
                .setStage(STAGE_INITIALIZE).clearCandidates()
                .addTimeline(Jobs.event(now, "started", "job started"));
        for (NimConfig nim : job.getConfig().getNimsList()) {
            next.addCandidates(CandidateModel.newBuilder().setModelName(nim.getModelName())
                    .setStatus(CandidateStatus.PENDING.wire()).setGpus(Math.max(1, nim.getGpus())));
        }
        return trim(next);
    }

    /** Enters {@code stage} (no-op if already there, or if the job is no longer running). */
    public static Job stage(Job job, String stage, Instant now) {
        if (stage.equals(job.getStage()) || !JobStatus.RUNNING.wire().equals(job.getStatus())) {
            return job;
        }
        return trim(job.toBuilder().setStage(stage).addTimeline(Jobs.event(now, "stage_started", stage)));
    }

    /** Changes candidate {@code index}; {@code edit} may not change its status (use {@link #moveCandidate}). */
    public static Job editCandidate(Job job, int index, UnaryOperator<CandidateModel.Builder> edit) {
        CandidateModel before = job.getCandidates(index);
        CandidateModel after = edit.apply(before.toBuilder()).build();
        if (after.equals(before)) {
            return job;
        }
        if (!after.getStatus().equals(before.getStatus())) {
            throw new IllegalStateException("editCandidate may not change the status");
        }
        return withQueuePosition(job.toBuilder().setCandidates(index, after).setProgress(progress(job, index, after))).build();
    }

    /** The job's place in the GPU queue: its first waiting candidate's (0 when none waits). */
    private static Job.Builder withQueuePosition(Job.Builder job) {
        int position = job.getCandidatesList().stream()
                .filter(c -> CandidateStatus.of(c.getStatus()) == CandidateStatus.QUEUED && c.getQueuePosition() > 0)
                .mapToInt(CandidateModel::getQueuePosition).min().orElse(0);
        return job.setQueuePosition(position);
    }

    /** Moves candidate {@code index} to {@code status}; no-op if it is there already. */
    public static Job moveCandidate(Job job, int index, CandidateStatus status, Instant now,
                                    UnaryOperator<CandidateModel.Builder> edit) {
        CandidateModel before = job.getCandidates(index);
        CandidateStatus from = CandidateStatus.of(before.getStatus());
        if (from == status) {
            return editCandidate(job, index, edit);
        }
        if (!from.canMoveTo(status)) {
            throw new IllegalStateException("candidate " + before.getModelName() + ": " + from.wire() + " -> "
                    + status.wire() + " is not allowed");
        }
        CandidateModel.Builder b = edit.apply(before.toBuilder()).setStatus(status.wire());
        if (status == CandidateStatus.DEPLOYING && !b.hasStartedAt()) {
            b.setStartedAt(Jobs.ts(now));
        }
        if (status.isTerminal()) {
            b.setFinishedAt(Jobs.ts(now)).setQueuePosition(0);
            if (b.hasStartedAt()) {
                b.setRuntimeSeconds(Duration.between(Instant.ofEpochSecond(b.getStartedAt().getSeconds(),
                        b.getStartedAt().getNanos()), now).toMillis() / 1000.0);
            }
        }
        CandidateModel after = b.build();
        Job.Builder next = job.toBuilder().setCandidates(index, after).setProgress(progress(job, index, after))
                .addTimeline(Jobs.event(now, "candidate_" + status.wire().replace('-', '_'),
                        before.getModelName() + (after.getError().isEmpty() || !status.isTerminal() ? "" : ": " + after.getError())));
        return trim(withQueuePosition(next));
    }

    /**
     * The end of a job whose candidates are all done: failed when every candidate failed (the reference said
     * completed), cancelled when a cancel was asked for, else completed — with the counts on the job either way.
     */
    public static Job finish(Job job, Instant now) {
        JobStatus status = JobStatus.of(job.getStatus());
        if (status.isTerminal()) {
            return job;
        }
        CandidateSummary.Builder summary = CandidateSummary.newBuilder();
        for (CandidateModel c : job.getCandidatesList()) {
            switch (CandidateStatus.of(c.getStatus())) {
                case COMPLETED -> summary.setCompleted(summary.getCompleted() + 1);
                case FAILED -> summary.setFailed(summary.getFailed() + 1);
                case CANCELLED -> summary.setCancelled(summary.getCancelled() + 1);
                default -> throw new IllegalStateException("candidate " + c.getModelName() + " is still " + c.getStatus());
            }
        }
        boolean cancelled = job.getCancelRequested() || status == JobStatus.CANCELLING;
        boolean allFailed = summary.getCompleted() == 0 && job.getCandidatesCount() > 0;
        checkMove(status, cancelled ? JobStatus.CANCELLED : allFailed ? JobStatus.FAILED : JobStatus.COMPLETED);
        Job.Builder next = job.toBuilder().setCandidateSummary(summary).setFinishedAt(Jobs.ts(now)).setQueuePosition(0);
        if (cancelled) {
            next.setStatus(JobStatus.CANCELLED.wire())
                    .setError(JobError.newBuilder().setCode("CANCELLED").setStage(job.getStage()).setMessage("Job cancelled by user"))
                    .addTimeline(Jobs.event(now, "cancelled", "resources released"));
        } else if (allFailed) {
            next.setStatus(JobStatus.FAILED.wire())
                    .setError(JobError.newBuilder().setCode("ALL_CANDIDATES_FAILED").setStage(STAGE_CANDIDATES)
                            .setMessage("every candidate failed: " + firstError(job)))
                    .addTimeline(Jobs.event(now, "failed", "every candidate failed"));
        } else {
            next.setStatus(JobStatus.COMPLETED.wire()).setProgress(100).setStage(STAGE_FINALIZE)
                    .addTimeline(Jobs.event(now, "completed", summary.getCompleted() + " of " + job.getCandidatesCount()
                            + " candidates completed" + (summary.getFailed() > 0 ? ", " + summary.getFailed() + " failed" : "")));
        }
        return trim(next);
    }

    /** A job-level failure (datasets, judge): the job ends failed once its candidates are released. */
    public static Job fail(Job job, String code, String stage, String message, Instant now) {
        if (job.hasError()) {
            return job;
        }
        return trim(job.toBuilder().setError(JobError.newBuilder().setCode(code).setStage(stage).setMessage(message))
                .addTimeline(Jobs.event(now, "error", stage + ": " + message)));
    }

    /**
     * Ends a job that failed before or while its candidates ran: every candidate that never deployed ends with
     * it. Candidates that may hold a deployment must be shut down first (the engine does that). Like
     * {@link #finish}, it records the candidates' counts on the job.
     */
    public static Job failNow(Job job, Instant now) {
        JobStatus status = JobStatus.of(job.getStatus());
        if (status.isTerminal()) {
            return job;
        }
        Job.Builder next = job.toBuilder();
        boolean cancelled = job.getCancelRequested() || status == JobStatus.CANCELLING;
        checkMove(status, cancelled ? JobStatus.CANCELLED : JobStatus.FAILED);
        CandidateSummary.Builder summary = CandidateSummary.newBuilder();
        for (int i = 0; i < job.getCandidatesCount(); i++) {
            CandidateModel c = job.getCandidates(i);
            CandidateStatus cs = CandidateStatus.of(c.getStatus());
            if (cs.mayHoldDeployment()) {
                throw new IllegalStateException("candidate " + c.getModelName() + " may still hold a deployment");
            }
            if (!cs.isTerminal()) {
                next.setCandidates(i, c.toBuilder().setStatus(cancelled ? CandidateStatus.CANCELLED.wire() : CandidateStatus.FAILED.wire())
                        .setFinishedAt(Jobs.ts(now)).setQueuePosition(0)
                        .setError(cancelled ? "cancelled" : "not run: " + job.getError().getMessage()));
            }
            switch (CandidateStatus.of(next.getCandidates(i).getStatus())) {
                case COMPLETED -> summary.setCompleted(summary.getCompleted() + 1);
                case FAILED -> summary.setFailed(summary.getFailed() + 1);
                default -> summary.setCancelled(summary.getCancelled() + 1);
            }
        }
        next.setFinishedAt(Jobs.ts(now)).setQueuePosition(0).setCandidateSummary(summary);
        if (cancelled) {
            next.setStatus(JobStatus.CANCELLED.wire());
            if (!job.hasError()) {
                next.setError(JobError.newBuilder().setCode("CANCELLED").setStage(job.getStage()).setMessage("Job cancelled by user"));
            }
            next.addTimeline(Jobs.event(now, "cancelled", "resources released"));
        } else {
            next.setStatus(JobStatus.FAILED.wire()).addTimeline(Jobs.event(now, "failed", job.getError().getMessage()));
        }
        return trim(next);
    }

    /** A job status change is checked like a candidate's: an illegal one fails loudly instead of being stored. */
    private static void checkMove(JobStatus from, JobStatus to) {
        if (!from.canMoveTo(to)) {
            throw new IllegalStateException("job: " + from.wire() + " -> " + to.wire() + " is not allowed");
        }
    }

    /** Overall progress: datasets and judge count for 10 %, the candidates' mean for the rest. */
    static double progress(Job job, int changedIndex, CandidateModel changed) {
        int n = job.getCandidatesCount();
        if (n == 0) {
            return job.getProgress();
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += candidateProgress(i == changedIndex ? changed : job.getCandidates(i));
        }
        // Never backwards: a step that appears later (the customized eval) must not make the job look less done.
        return Math.max(job.getProgress(), Math.round((10 + 90 * sum / n) * 10) / 10.0);
    }

    /** 0..1: deployed counts a fifth, the evaluations and training the rest. */
    static double candidateProgress(CandidateModel c) {
        CandidateStatus s = CandidateStatus.of(c.getStatus());
        if (s.isTerminal() || s == CandidateStatus.SHUTTING_DOWN) {
            return 1;
        }
        if (s != CandidateStatus.RUNNING_EVALS) {
            return 0;
        }
        double steps = 0;
        double done = 0;
        for (Evaluation e : c.getEvaluationsList()) {
            steps++;
            done += StepStatus.isTerminal(e.getStatus()) ? 1 : e.getProgress() / 100;
        }
        for (var cu : c.getCustomizationsList()) {
            steps++;
            done += StepStatus.isTerminal(cu.getStatus()) ? 1 : cu.getProgress() / 100;
        }
        return 0.2 + (steps == 0 ? 0 : 0.8 * done / steps);
    }

    private static String firstError(Job job) {
        return job.getCandidatesList().stream().map(CandidateModel::getError).filter(e -> !e.isEmpty()).findFirst()
                .orElse("no details");
    }

    private static Job trim(Job.Builder job) {
        int excess = job.getTimelineCount() - Jobs.MAX_TIMELINE;
        if (excess > 0) {
            var kept = java.util.List.copyOf(job.getTimelineList().subList(excess, job.getTimelineCount()));
            job.clearTimeline().addAllTimeline(kept);
        }
        return job.build();
    }
}
