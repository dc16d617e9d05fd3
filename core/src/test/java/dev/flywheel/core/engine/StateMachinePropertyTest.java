package dev.flywheel.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.CandidateSummary;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.NimConfig;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.core.job.JobStatus;
import dev.flywheel.core.job.Jobs;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The job and candidate lifecycles as state machines. For {@link JobStatus} and {@link CandidateStatus}: random walks
 * only ever take a transition from the documented table, never leave a terminal status and never revisit one;
 * every non-terminal status can reach a terminal one; a candidate that may hold a deployment only ends through
 * shutting-down. Then random runs of the engine's moves ({@link JobMoves}, through a {@link JobWriter} on an
 * in-memory store) mixed with the API's {@link Jobs#cancel}: every stored status change (job and candidate) is a
 * legal transition, illegal moves throw {@link IllegalStateException} and store nothing, a terminal job is never
 * left, and the end of a job has the right status and candidate counts.
 */
class StateMachinePropertyTest {

    private static final int WALKS = 5000;
    private static final int JOB_RUNS = 3000;
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    // ---- the documented transition tables (from the Javadoc of JobStatus and CandidateStatus)

    private static final Map<JobStatus, Set<JobStatus>> JOB_TABLE = Map.of(
            JobStatus.PENDING, EnumSet.of(JobStatus.RUNNING, JobStatus.CANCELLING, JobStatus.CANCELLED, JobStatus.FAILED),
            JobStatus.RUNNING, EnumSet.of(JobStatus.CANCELLING, JobStatus.COMPLETED, JobStatus.FAILED),
            JobStatus.CANCELLING, EnumSet.of(JobStatus.CANCELLED, JobStatus.FAILED),
            JobStatus.COMPLETED, EnumSet.noneOf(JobStatus.class),
            JobStatus.FAILED, EnumSet.noneOf(JobStatus.class),
            JobStatus.CANCELLED, EnumSet.noneOf(JobStatus.class));

    private static final Map<CandidateStatus, Set<CandidateStatus>> CANDIDATE_TABLE = Map.of(
            CandidateStatus.PENDING, EnumSet.of(CandidateStatus.QUEUED, CandidateStatus.FAILED, CandidateStatus.CANCELLED),
            CandidateStatus.QUEUED, EnumSet.of(CandidateStatus.DEPLOYING, CandidateStatus.FAILED, CandidateStatus.CANCELLED),
            CandidateStatus.DEPLOYING, EnumSet.of(CandidateStatus.RUNNING_EVALS, CandidateStatus.SHUTTING_DOWN),
            CandidateStatus.RUNNING_EVALS, EnumSet.of(CandidateStatus.SHUTTING_DOWN),
            CandidateStatus.SHUTTING_DOWN, EnumSet.of(CandidateStatus.COMPLETED, CandidateStatus.FAILED, CandidateStatus.CANCELLED),
            CandidateStatus.COMPLETED, EnumSet.noneOf(CandidateStatus.class),
            CandidateStatus.FAILED, EnumSet.noneOf(CandidateStatus.class),
            CandidateStatus.CANCELLED, EnumSet.noneOf(CandidateStatus.class));

    // ---- the enums alone

    @Test
    void jobStatusRandomWalksTakeOnlyLegalTransitionsAndNeverLeaveATerminalStatus() {
        PropertyRuns.repeat(WALKS, seed -> randomWalk(new SplittableRandom(seed), JobStatus.values(),
                JobStatus::canMoveTo, JobStatus::isTerminal, JOB_TABLE));
    }

    @Test
    void candidateStatusRandomWalksTakeOnlyLegalTransitionsAndNeverLeaveATerminalStatus() {
        PropertyRuns.repeat(WALKS, seed -> randomWalk(new SplittableRandom(seed), CandidateStatus.values(),
                CandidateStatus::canMoveTo, CandidateStatus::isTerminal, CANDIDATE_TABLE));
    }

    /** Tries tens of random targets from a random start; only accepted ones are taken. */
    private static <S extends Enum<S>> void randomWalk(SplittableRandom random, S[] values, BiPredicate<S, S> canMoveTo,
                                                       Predicate<S> terminal, Map<S, Set<S>> table) {
        S state = values[random.nextInt(values.length)];
        List<S> visited = new ArrayList<>(List.of(state));
        int steps = 10 + random.nextInt(50);
        for (int i = 0; i < steps; i++) {
            S target = values[random.nextInt(values.length)];
            boolean accepted = canMoveTo.test(state, target);
            if (terminal.test(state)) {
                assertThat(accepted).as("%s is terminal but may move to %s (walk %s)", state, target, visited).isFalse();
            }
            if (accepted) {
                assertThat(table.get(state)).as("accepted %s -> %s (walk %s)", state, target, visited).contains(target);
                assertThat(visited).as("%s re-entered (walk %s)", target, visited).doesNotContain(target);
                state = target;
                visited.add(state);
            } else {
                assertThat(table.get(state)).as("refused %s -> %s (walk %s)", state, target, visited).doesNotContain(target);
            }
        }
        assertThat(visited.size()).isLessThanOrEqualTo(values.length);
    }

    @Test
    void everyNonTerminalStatusCanReachATerminalOne() {
        for (JobStatus s : JobStatus.values()) {
            assertThat(reachesTerminal(s, JobStatus.values(), JobStatus::canMoveTo, JobStatus::isTerminal))
                    .as("job status %s", s).isTrue();
        }
        for (CandidateStatus s : CandidateStatus.values()) {
            assertThat(reachesTerminal(s, CandidateStatus.values(), CandidateStatus::canMoveTo, CandidateStatus::isTerminal))
                    .as("candidate status %s", s).isTrue();
        }
    }

    private static <S> boolean reachesTerminal(S start, S[] values, BiPredicate<S, S> canMoveTo, Predicate<S> terminal) {
        Deque<S> todo = new ArrayDeque<>(List.of(start));
        List<S> seen = new ArrayList<>(List.of(start));
        while (!todo.isEmpty()) {
            S s = todo.removeFirst();
            if (terminal.test(s)) {
                return true;
            }
            for (S next : values) {
                if (canMoveTo.test(s, next) && !seen.contains(next)) {
                    seen.add(next);
                    todo.add(next);
                }
            }
        }
        return false;
    }

    @Test
    void aCandidateThatMayHoldADeploymentOnlyEndsThroughShuttingDown() {
        for (CandidateStatus from : CandidateStatus.values()) {
            for (CandidateStatus to : CandidateStatus.values()) {
                if (!from.canMoveTo(to)) {
                    continue;
                }
                if (from.mayHoldDeployment()) {
                    assertThat(to.mayHoldDeployment() || from == CandidateStatus.SHUTTING_DOWN)
                            .as("%s -> %s drops a deployment without shutting it down", from, to).isTrue();
                } else if (to.mayHoldDeployment()) {
                    assertThat(to).as("%s -> %s: a deployment starts only by deploying", from, to)
                            .isEqualTo(CandidateStatus.DEPLOYING);
                }
            }
        }
    }

    @Test
    void wireNamesRoundTrip() {
        for (JobStatus s : JobStatus.values()) {
            assertThat(JobStatus.of(s.wire())).isEqualTo(s);
        }
        for (CandidateStatus s : CandidateStatus.values()) {
            assertThat(CandidateStatus.of(s.wire())).isEqualTo(s);
        }
        assertThat(CandidateStatus.of("")).isEqualTo(CandidateStatus.PENDING);
        assertThatThrownBy(() -> JobStatus.of("running-evals")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CandidateStatus.of("running")).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- the engine's moves on a stored job

    @Test
    void engineMovesAndCancelsNeverStoreAnIllegalTransition() {
        Map<String, Integer> seen = new TreeMap<>();
        PropertyRuns.repeat(JOB_RUNS, seed -> new JobRun(new SplittableRandom(seed), seen).run());
        // The runs must actually get to the interesting places, or the property above proves little.
        assertThat(seen).as("outcomes seen over %d runs", JOB_RUNS).containsKeys("finish -> completed",
                "finish -> failed", "finish -> cancelled", "failNow -> failed", "failNow -> cancelled",
                "refused: illegal candidate move", "refused: status edit", "refused: failNow while holding",
                "refused: finish with unfinished candidates", "refused: finish of a pending job", "cancel running",
                "cancel pending", "cancel of a finished job", "reloaded after a conflict");
        assertThat(seen.values()).allMatch(n -> n >= 10);
    }

    @Test
    void finishOnAJobThatNeverStartedIsRefused() {
        Job pending = Jobs.newJob("j", CreateJobRequest.getDefaultInstance(), JobConfig.getDefaultInstance(), "", 0, "r", T0);
        assertThatThrownBy(() -> JobMoves.finish(pending, T0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void failNowOfACancelledJobEndsItsWaitingCandidatesAndCountsThem() {
        Job cancelling = Job.newBuilder().setId("j").setStatus(JobStatus.CANCELLING.wire()).setCancelRequested(true)
                .addCandidates(CandidateModel.newBuilder().setModelName("a").setStatus(CandidateStatus.PENDING.wire()))
                .addCandidates(CandidateModel.newBuilder().setModelName("b").setStatus(CandidateStatus.QUEUED.wire()))
                .addCandidates(CandidateModel.newBuilder().setModelName("c").setStatus(CandidateStatus.FAILED.wire()))
                .build();
        Job ended = JobMoves.failNow(cancelling, T0);
        assertThat(ended.getStatus()).isEqualTo("cancelled");
        assertThat(ended.getError().getCode()).isEqualTo("CANCELLED");
        assertThat(ended.getCandidatesList()).extracting(CandidateModel::getStatus)
                .containsExactly("cancelled", "cancelled", "failed");
        assertThat(ended.getCandidateSummary())
                .isEqualTo(CandidateSummary.newBuilder().setCancelled(2).setFailed(1).build());
    }

    @Test
    void failNowRefusesWhileACandidateMayHoldADeployment() {
        for (CandidateStatus s : CandidateStatus.values()) {
            Job job = Job.newBuilder().setId("j").setStatus(JobStatus.RUNNING.wire())
                    .addCandidates(CandidateModel.newBuilder().setModelName("ok").setStatus(CandidateStatus.COMPLETED.wire()))
                    .addCandidates(CandidateModel.newBuilder().setModelName("m").setStatus(s.wire())).build();
            if (s.mayHoldDeployment()) {
                assertThatThrownBy(() -> JobMoves.failNow(job, T0)).as(s.wire()).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("may still hold a deployment");
            } else {
                Job failed = JobMoves.failNow(job, T0);
                assertThat(failed.getStatus()).isEqualTo("failed");
                assertThat(failed.getCandidates(0).getStatus()).isEqualTo("completed");
                assertThat(CandidateStatus.of(failed.getCandidates(1).getStatus()).isTerminal()).isTrue();
            }
        }
    }

    /** One random run: a new job, then tens of random engine moves and API cancels, checked after each. */
    private static final class JobRun {
        private static final Map<CandidateStatus, CandidateStatus> HAPPY_NEXT = Map.of(
                CandidateStatus.PENDING, CandidateStatus.QUEUED,
                CandidateStatus.QUEUED, CandidateStatus.DEPLOYING,
                CandidateStatus.DEPLOYING, CandidateStatus.RUNNING_EVALS,
                CandidateStatus.RUNNING_EVALS, CandidateStatus.SHUTTING_DOWN,
                CandidateStatus.SHUTTING_DOWN, CandidateStatus.COMPLETED);
        private static final String[] STAGES = {JobMoves.STAGE_INITIALIZE, JobMoves.STAGE_DATASETS, JobMoves.STAGE_JUDGE,
                JobMoves.STAGE_CANDIDATES, JobMoves.STAGE_FINALIZE};

        private final SplittableRandom random;
        private final Map<String, Integer> seen;
        private final FakeJobStore store = new FakeJobStore();
        private final List<Job> reloads = new ArrayList<>();
        private final List<String> log = new ArrayList<>();
        private final int nims;
        private final JobWriter writer;
        private final String id;
        private Instant now = T0;

        JobRun(SplittableRandom random, Map<String, Integer> seen) {
            this.random = random;
            this.seen = seen;
            nims = random.nextInt(5);
            JobConfig.Builder config = JobConfig.newBuilder();
            for (int i = 0; i < nims; i++) {
                config.addNims(NimConfig.newBuilder().setModelName("model-" + i).setGpus(random.nextInt(4)));
            }
            id = store.newId();
            Job job = Jobs.newJob(id, CreateJobRequest.newBuilder().setClientId("c").setWorkloadId("w").build(),
                    config.build(), "", 0, "r", T0);
            store.put(job);
            writer = new JobWriter(store, job, Clock.fixed(T0, ZoneOffset.UTC), reloads::add);
        }

        void run() {
            int steps = 30 + random.nextInt(50);
            for (int step = 0; step < steps; step++) {
                now = now.plusSeconds(1 + random.nextInt(60));
                Job before = store.stored(id);
                int op = random.nextInt(100);
                if (op < 10) {
                    start(before);
                } else if (op < 15) {
                    stage(before);
                } else if (op < 65) {
                    moveCandidate(before);
                } else if (op < 74) {
                    editCandidate(before);
                } else if (op < 78) {
                    fail(before);
                } else if (op < 82) {
                    failNow(before);
                } else if (op < 95) {
                    finish(before);
                } else {
                    cancel(before);
                }
                checkStep(before, store.stored(id));
            }
            if (!reloads.isEmpty()) {
                seen("reloaded after a conflict");
            }
        }

        private void seen(String what) {
            seen.merge(what, 1, Integer::sum);
        }

        // -- the moves

        private void start(Job before) {
            log.add("start");
            Outcome o = commit(j -> JobMoves.start(j, now));
            o.assertSucceeded();
            Job after = store.stored(id);
            if (status(before) == JobStatus.PENDING) {
                assertThat(status(after)).as(this::trail).isEqualTo(JobStatus.RUNNING);
                assertThat(after.getCandidatesCount()).as(this::trail).isEqualTo(nims);
                for (int i = 0; i < nims; i++) {
                    CandidateModel c = after.getCandidates(i);
                    assertThat(c.getStatus()).isEqualTo(CandidateStatus.PENDING.wire());
                    assertThat(c.getGpus()).isEqualTo(Math.max(1, after.getConfig().getNims(i).getGpus()));
                }
            } else {
                assertThat(after).as(this::trail).isEqualTo(before);
            }
        }

        private void stage(Job before) {
            String stage = STAGES[random.nextInt(STAGES.length)];
            log.add("stage " + stage);
            commit(j -> JobMoves.stage(j, stage, now)).assertSucceeded();
            Job after = store.stored(id);
            if (status(before) == JobStatus.RUNNING) {
                assertThat(after.getStage()).as(this::trail).isEqualTo(stage);
            } else {
                assertThat(after).as(this::trail).isEqualTo(before);
            }
        }

        private void moveCandidate(Job before) {
            if (before.getCandidatesCount() == 0) {
                return;
            }
            int index = random.nextInt(before.getCandidatesCount());
            CandidateStatus from = CandidateStatus.of(before.getCandidates(index).getStatus());
            CandidateStatus to = pickTarget(from);
            String deployment = "dep-" + random.nextInt(3);
            log.add("move c" + index + " " + from.wire() + " -> " + to.wire());
            Outcome o = commit(j -> JobMoves.moveCandidate(j, index, to, now, c -> c.setDeploymentName(deployment)));
            Job after = store.stored(id);
            if (from != to && !from.canMoveTo(to)) {
                o.assertIllegal();
                seen("refused: illegal candidate move");
                return;
            }
            o.assertSucceeded();
            CandidateModel moved = after.getCandidates(index);
            assertThat(moved.getStatus()).as(this::trail).isEqualTo(to.wire());
            assertThat(moved.getDeploymentName()).as(this::trail).isEqualTo(deployment);
            if (to.isTerminal() && from != to) {
                assertThat(moved.hasFinishedAt()).as(this::trail).isTrue();
                assertThat(moved.getQueuePosition()).isZero();
            }
        }

        /**
         * Mostly a legal next status, often the next one on the way to completed (so runs get somewhere), else
         * any status at all.
         */
        private CandidateStatus pickTarget(CandidateStatus from) {
            List<CandidateStatus> legal = Arrays.stream(CandidateStatus.values()).filter(from::canMoveTo).toList();
            int dice = random.nextInt(100);
            if (!legal.isEmpty() && dice < 45) {
                return legal.contains(HAPPY_NEXT.get(from)) ? HAPPY_NEXT.get(from) : legal.get(0);
            }
            if (!legal.isEmpty() && dice < 70) {
                return legal.get(random.nextInt(legal.size()));
            }
            return CandidateStatus.values()[random.nextInt(CandidateStatus.values().length)];
        }

        private void editCandidate(Job before) {
            if (before.getCandidatesCount() == 0) {
                return;
            }
            int index = random.nextInt(before.getCandidatesCount());
            CandidateStatus from = CandidateStatus.of(before.getCandidates(index).getStatus());
            boolean changesStatus = random.nextInt(5) == 0;
            CandidateStatus other = CandidateStatus.values()[(from.ordinal() + 1 + random.nextInt(7)) % 8];
            String deploymentStatus = random.nextBoolean() ? "ready" : "running";
            log.add("edit c" + index + (changesStatus ? " status -> " + other.wire() : " deployment_status " + deploymentStatus));
            Outcome o = commit(j -> JobMoves.editCandidate(j, index, c -> changesStatus ? c.setStatus(other.wire())
                    : c.setDeploymentStatus(deploymentStatus)));
            if (changesStatus) {
                o.assertIllegal();
                seen("refused: status edit");
                return;
            }
            o.assertSucceeded();
            CandidateModel edited = store.stored(id).getCandidates(index);
            assertThat(edited.getDeploymentStatus()).as(this::trail).isEqualTo(deploymentStatus);
            assertThat(edited.getStatus()).as(this::trail).isEqualTo(from.wire());
        }

        private void fail(Job before) {
            log.add("fail");
            commit(j -> JobMoves.fail(j, "DATASETS", JobMoves.STAGE_DATASETS, "no records", now)).assertSucceeded();
            Job after = store.stored(id);
            assertThat(after.hasError()).as(this::trail).isTrue();
            assertThat(after.getStatus()).as(this::trail).isEqualTo(before.getStatus());
            if (before.hasError()) {
                assertThat(after.getError()).as(this::trail).isEqualTo(before.getError());
            }
        }

        private void failNow(Job before) {
            log.add("failNow");
            Outcome o = commit(j -> JobMoves.failNow(j, now));
            Job after = store.stored(id);
            JobStatus status = status(before);
            if (status.isTerminal()) {
                o.assertSucceeded();
                assertThat(after).as(this::trail).isEqualTo(before);
                return;
            }
            boolean holding = before.getCandidatesList().stream()
                    .anyMatch(c -> CandidateStatus.of(c.getStatus()).mayHoldDeployment());
            boolean cancelled = before.getCancelRequested() || status == JobStatus.CANCELLING;
            JobStatus target = cancelled ? JobStatus.CANCELLED : JobStatus.FAILED;
            if (holding || !status.canMoveTo(target)) {
                o.assertIllegal();
                seen("refused: failNow while holding");
                return;
            }
            o.assertSucceeded();
            assertThat(status(after)).as(this::trail).isEqualTo(target);
            seen("failNow -> " + target.wire());
            for (int i = 0; i < before.getCandidatesCount(); i++) {
                CandidateStatus was = CandidateStatus.of(before.getCandidates(i).getStatus());
                CandidateStatus is = CandidateStatus.of(after.getCandidates(i).getStatus());
                assertThat(is).as(this::trail).isEqualTo(was.isTerminal() ? was
                        : cancelled ? CandidateStatus.CANCELLED : CandidateStatus.FAILED);
            }
        }

        private void finish(Job before) {
            log.add("finish");
            Outcome o = commit(j -> JobMoves.finish(j, now));
            Job after = store.stored(id);
            JobStatus status = status(before);
            if (status.isTerminal()) {
                assertThat(after).as(this::trail).isEqualTo(before);
                return;
            }
            if (!before.getCandidatesList().stream().allMatch(c -> CandidateStatus.of(c.getStatus()).isTerminal())) {
                o.assertIllegal();
                seen("refused: finish with unfinished candidates");
                return;
            }
            long completed = count(before, CandidateStatus.COMPLETED);
            long failed = count(before, CandidateStatus.FAILED);
            JobStatus target;
            if (before.getCancelRequested() || status == JobStatus.CANCELLING) {
                target = JobStatus.CANCELLED;
            } else if (failed == before.getCandidatesCount() && failed > 0) {
                target = JobStatus.FAILED; // every candidate failed
            } else if (completed == 0 && before.getCandidatesCount() > 0) {
                target = JobStatus.FAILED; // none completed (some failed, some cancelled)
            } else {
                target = JobStatus.COMPLETED;
            }
            if (!status.canMoveTo(target)) {
                o.assertIllegal();
                seen("refused: finish of a " + status.wire() + " job");
                return;
            }
            o.assertSucceeded();
            assertThat(status(after)).as(this::trail).isEqualTo(target);
            seen("finish -> " + target.wire());
            assertThat(after.hasFinishedAt()).as(this::trail).isTrue();
            assertThat(after.getCandidateSummary()).as(this::trail).isEqualTo(CandidateSummary.newBuilder()
                    .setCompleted((int) completed).setFailed((int) failed)
                    .setCancelled((int) count(before, CandidateStatus.CANCELLED)).build());
        }

        /** The API's cancel: a compare-and-set of its own, behind the writer's back half the time. */
        private void cancel(Job before) {
            log.add("cancel");
            JobStatus status = status(before);
            if (status.isTerminal()) {
                assertThatThrownBy(() -> Jobs.cancel(before, now)).as(this::trail).isInstanceOf(FlywheelException.class);
                seen("cancel of a finished job");
                return;
            }
            Job cancelled = Jobs.cancel(before, now);
            if (cancelled != before) {
                assertThat(store.compareAndSet(cancelled).join()).isTrue();
            }
            assertThat(status(cancelled)).as(this::trail).isEqualTo(status == JobStatus.PENDING ? JobStatus.CANCELLED
                    : JobStatus.CANCELLING);
            assertThat(cancelled.getCancelRequested()).isTrue();
            seen("cancel " + status.wire());
            if (random.nextBoolean()) {
                writer.refresh(cancelled); // the engine saw it; otherwise its next write conflicts and reloads
            }
        }

        // -- the checks after every step

        private void checkStep(Job before, Job after) {
            JobStatus was = status(before);
            JobStatus is = status(after);
            assertThat(is == was || was.canMoveTo(is))
                    .as(() -> String.format("job %s -> %s is illegal; %s", was, is, trail())).isTrue();
            assertThat(after.getVersion()).as(this::trail).isGreaterThanOrEqualTo(before.getVersion());
            if (was.isTerminal()) {
                assertThat(is).as(() -> "terminal job left; " + trail()).isEqualTo(was);
                assertThat(after.getFinishedAt()).isEqualTo(before.getFinishedAt());
                assertThat(after.getCandidateSummary()).isEqualTo(before.getCandidateSummary());
            }
            if (before.getCandidatesCount() > 0) {
                assertThat(after.getCandidatesCount()).as(this::trail).isEqualTo(before.getCandidatesCount());
                for (int i = 0; i < before.getCandidatesCount(); i++) {
                    int index = i;
                    CandidateStatus cWas = CandidateStatus.of(before.getCandidates(i).getStatus());
                    CandidateStatus cIs = CandidateStatus.of(after.getCandidates(i).getStatus());
                    assertThat(cIs == cWas || cWas.canMoveTo(cIs)).as(() -> String.format(
                            "candidate %d %s -> %s is illegal; %s", index, cWas, cIs, trail())).isTrue();
                }
            }
            for (CandidateModel c : after.getCandidatesList()) {
                CandidateStatus s = CandidateStatus.of(c.getStatus());
                if (s.mayHoldDeployment()) {
                    assertThat(c.hasStartedAt()).as(() -> String.format("%s without started_at; %s", s, trail())).isTrue();
                }
                if (s.isTerminal()) {
                    assertThat(c.hasFinishedAt()).as(() -> String.format("%s without finished_at; %s", s, trail())).isTrue();
                }
            }
            assertThat(after.getProgress()).as(this::trail).isBetween(0.0, 100.0);
            if (is.isTerminal()) {
                assertThat(after.hasFinishedAt()).as(this::trail).isTrue();
                assertThat(after.getCandidatesList()).as(() -> "a finished job has only finished candidates; " + trail())
                        .allMatch(c -> CandidateStatus.of(c.getStatus()).isTerminal());
                assertThat(after.getCandidateSummary()).as(() -> "candidate_summary of a finished job; " + trail())
                        .isEqualTo(CandidateSummary.newBuilder()
                                .setCompleted((int) count(after, CandidateStatus.COMPLETED))
                                .setFailed((int) count(after, CandidateStatus.FAILED))
                                .setCancelled((int) count(after, CandidateStatus.CANCELLED)).build());
                if (is == JobStatus.CANCELLED) {
                    assertThat(after.hasError()).as(this::trail).isTrue();
                }
            }
        }

        // -- plumbing

        private record Outcome(Job before, Job after, Throwable error, Supplier<String> trail) {
            void assertSucceeded() {
                assertThat(error).as(() -> "unexpected failure; " + trail.get()).isNull();
            }

            /** Refused loudly, and nothing stored. */
            void assertIllegal() {
                assertThat(error).as(() -> String.format("accepted an illegal move (stored %s -> %s); %s", before.getStatus(),
                        after.getStatus(), trail.get())).isInstanceOf(IllegalStateException.class);
                assertThat(after).as(() -> "stored after an illegal move; " + trail.get()).isEqualTo(before);
            }
        }

        private Outcome commit(UnaryOperator<Job> change) {
            Job before = store.stored(id);
            CompletableFuture<Job> done = writer.commit(change);
            assertThat(done).as("the in-memory store answers at once").isDone();
            Throwable error = null;
            try {
                done.join();
            } catch (CompletionException e) {
                error = e.getCause();
            }
            return new Outcome(before, store.stored(id), error, this::trail);
        }

        private String trail() {
            return "moves " + log + " on a job with " + nims + " NIMs";
        }

        private static JobStatus status(Job job) {
            return JobStatus.of(job.getStatus());
        }

        private static long count(Job job, CandidateStatus status) {
            return job.getCandidatesList().stream().filter(c -> CandidateStatus.of(c.getStatus()) == status).count();
        }
    }
}
