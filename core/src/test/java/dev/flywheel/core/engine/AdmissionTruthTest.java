package dev.flywheel.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.SharedDeployment;
import dev.flywheel.core.job.JobStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link AdmissionTruth#read}: what Redis should hold is derived from the unfinished jobs only. A candidate that may
 * hold a deployment (deploying, running-evals, shutting-down) holds its GPUs (at least 1) unless its admission says
 * "released"; a queued one waits, ordered by job creation millis then candidate index; a shared deployment is held
 * once, with its GPUs, and lists every unfinished job using it; finished jobs count for nothing. Checked on examples
 * and on random sets of jobs against a model written from that description.
 */
class AdmissionTruthTest {

    private static final long CREATED_MILLIS = 1_796_119_200_123L;

    private final FakeJobStore store = new FakeJobStore();

    private static CandidateModel candidate(CandidateStatus status, int gpus, String admission) {
        return CandidateModel.newBuilder().setModelName("m").setStatus(status.wire()).setGpus(gpus).setAdmission(admission)
                .build();
    }

    private static Job.Builder job(String id, JobStatus status, long createdMillis) {
        return Job.newBuilder().setId(id).setStatus(status.wire()).setVersion(3)
                .setCreatedAt(Timestamps.fromMillis(createdMillis));
    }

    private static SharedDeployment shared(String name, int gpus) {
        return SharedDeployment.newBuilder().setName(name).setRole("judge").setModelName("judge-model").setGpus(gpus).build();
    }

    private AdmissionTruth read(List<String> activeSeen) {
        return AdmissionTruth.read(store, activeSeen::add).join();
    }

    @Test
    void candidatesThatMayHoldADeploymentHoldTheirGpusUnlessReleased() {
        store.put(job("a", JobStatus.RUNNING, CREATED_MILLIS)
                .addCandidates(candidate(CandidateStatus.DEPLOYING, 2, "admitted"))
                .addCandidates(candidate(CandidateStatus.RUNNING_EVALS, 0, "admitted"))
                .addCandidates(candidate(CandidateStatus.SHUTTING_DOWN, 4, "admitted"))
                .addCandidates(candidate(CandidateStatus.SHUTTING_DOWN, 2, "released"))
                .addCandidates(candidate(CandidateStatus.RUNNING_EVALS, 1, "released"))
                .addCandidates(candidate(CandidateStatus.PENDING, 1, ""))
                .addCandidates(candidate(CandidateStatus.COMPLETED, 1, "released"))
                .addCandidates(candidate(CandidateStatus.FAILED, 3, "admitted"))
                .addCandidates(candidate(CandidateStatus.CANCELLED, 1, ""))
                .build());

        AdmissionTruth truth = read(new ArrayList<>());

        assertThat(truth.admission().holdings()).containsExactlyInAnyOrder(
                new Admission.Holding("a/c0", 2),
                new Admission.Holding("a/c1", 1), // no gpus recorded: a deployment takes at least one
                new Admission.Holding("a/c2", 4));
        assertThat(truth.admission().waiting()).isEmpty();
        assertThat(truth.sharedUsers()).isEmpty();
    }

    @Test
    void queuedCandidatesWaitInJobCreationThenCandidateOrder() {
        // Created one millisecond apart; the sub-millisecond part of created_at does not count.
        Timestamp firstCreated = Timestamp.newBuilder().setSeconds(CREATED_MILLIS / 1000).setNanos(123_456_789).build();
        store.put(job("first", JobStatus.RUNNING, 0).setCreatedAt(firstCreated)
                .addCandidates(candidate(CandidateStatus.DEPLOYING, 1, "admitted"))
                .addCandidates(candidate(CandidateStatus.QUEUED, 2, "queued"))
                .addCandidates(candidate(CandidateStatus.QUEUED, 0, "queued"))
                .build());
        store.put(job("second", JobStatus.CANCELLING, CREATED_MILLIS + 1)
                .addCandidates(candidate(CandidateStatus.QUEUED, 3, "queued"))
                .build());
        long firstMillis = CREATED_MILLIS / 1000 * 1000 + 123;

        AdmissionTruth truth = read(new ArrayList<>());

        assertThat(truth.admission().waiting()).containsExactlyInAnyOrder(
                new Admission.Waiting("first/c1", 2, firstMillis + 0.002),
                new Admission.Waiting("first/c2", 1, firstMillis + 0.003),
                new Admission.Waiting("second/c0", 3, CREATED_MILLIS + 1 + 0.001));
        assertThat(truth.admission().waiting().stream().sorted(Comparator.comparingDouble(Admission.Waiting::order))
                .map(Admission.Waiting::holder)).containsExactly("first/c1", "first/c2", "second/c0");
        assertThat(truth.admission().holdings()).containsExactly(new Admission.Holding("first/c0", 1));
    }

    @Test
    void aSharedDeploymentIsHeldOnceAndListsEveryUnfinishedUser() {
        store.put(job("a", JobStatus.RUNNING, CREATED_MILLIS)
                .addSharedDeployments(shared("judge-x", 2)).addSharedDeployments(shared("emb-y", 0)).build());
        store.put(job("b", JobStatus.PENDING, CREATED_MILLIS + 5).addSharedDeployments(shared("judge-x", 2)).build());
        store.put(job("c", JobStatus.CANCELLING, CREATED_MILLIS + 9).addSharedDeployments(shared("judge-x", 2)).build());
        store.put(job("done", JobStatus.COMPLETED, CREATED_MILLIS + 10)
                .addSharedDeployments(shared("judge-x", 2)).addSharedDeployments(shared("old-z", 4)).build());

        AdmissionTruth truth = read(new ArrayList<>());

        assertThat(truth.admission().holdings()).containsExactlyInAnyOrder(
                new Admission.Holding("shared:judge-x", 2),
                new Admission.Holding("shared:emb-y", 1));
        assertThat(truth.sharedUsers()).isEqualTo(Map.of("judge-x", Set.of("a", "b", "c"), "emb-y", Set.of("a")));
    }

    @Test
    void finishedJobsCountForNothing() {
        for (JobStatus finished : List.of(JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED)) {
            // Inconsistent on purpose (a finished job never holds anything): only the status may exclude it.
            store.put(job(finished.wire(), finished, CREATED_MILLIS)
                    .addCandidates(candidate(CandidateStatus.DEPLOYING, 2, "admitted"))
                    .addCandidates(candidate(CandidateStatus.QUEUED, 2, "queued"))
                    .addSharedDeployments(shared("judge-" + finished.wire(), 1)).build());
        }
        store.put(job("live", JobStatus.RUNNING, CREATED_MILLIS + 1)
                .addCandidates(candidate(CandidateStatus.QUEUED, 1, "queued")).build());
        List<String> seen = new ArrayList<>();

        AdmissionTruth truth = read(seen);

        assertThat(seen).containsExactly("live");
        assertThat(truth.admission().holdings()).isEmpty();
        assertThat(truth.admission().waiting()).extracting(Admission.Waiting::holder).containsExactly("live/c0");
        assertThat(truth.sharedUsers()).isEmpty();
    }

    @Test
    void everyActiveJobIsSeenOldestFirst() {
        store.put(job("j1", JobStatus.PENDING, CREATED_MILLIS).build());
        store.put(job("j2", JobStatus.FAILED, CREATED_MILLIS + 1).build());
        store.put(job("j3", JobStatus.RUNNING, CREATED_MILLIS + 2).build());
        store.put(job("j4", JobStatus.CANCELLING, CREATED_MILLIS + 3).build());
        List<String> seen = new ArrayList<>();

        AdmissionTruth truth = read(seen);

        assertThat(seen).containsExactly("j1", "j3", "j4");
        assertThat(truth.admission().holdings()).isEmpty();
        assertThat(truth.admission().waiting()).isEmpty();
    }

    private static int index(Admission.Waiting w) {
        return Integer.parseInt(w.holder().substring(w.holder().indexOf("/c") + 2));
    }

    /**
     * Random sets of jobs against the model: same holdings, waiting entries and shared users; no holder is both
     * holding and waiting, and none appears twice.
     */
    @Test
    void randomJobsGiveTheTruthTheModelDescribes() {
        PropertyRuns.repeat(2000, seed -> {
            SplittableRandom random = new SplittableRandom(seed);
            FakeJobStore jobs = new FakeJobStore();
            Map<String, Integer> sharedPool = Map.of("judge-a", 2, "judge-b", 1, "emb-c", 3);
            List<String> sharedNames = List.copyOf(new TreeSet<>(sharedPool.keySet()));
            String[] admissions = {"", "queued", "admitted", "released"};

            List<Admission.Holding> holdings = new ArrayList<>();
            List<Admission.Waiting> waiting = new ArrayList<>();
            Map<String, Set<String>> users = new HashMap<>();
            List<String> active = new ArrayList<>();
            int count = random.nextInt(8);
            long created = CREATED_MILLIS;
            for (int j = 0; j < count; j++) {
                created += random.nextInt(3); // jobs may share a creation millisecond
                String id = "job" + j;
                JobStatus status = JobStatus.values()[random.nextInt(JobStatus.values().length)];
                Job.Builder job = job(id, status, created);
                job.setCreatedAt(job.getCreatedAt().toBuilder().setNanos(job.getCreatedAt().getNanos() + random.nextInt(999_999)));
                boolean isActive = !status.isTerminal();
                if (isActive) {
                    active.add(id);
                }
                int candidates = random.nextInt(5);
                for (int i = 0; i < candidates; i++) {
                    CandidateStatus cs = CandidateStatus.values()[random.nextInt(CandidateStatus.values().length)];
                    int gpus = random.nextInt(4);
                    String admission = admissions[random.nextInt(admissions.length)];
                    job.addCandidates(candidate(cs, gpus, admission));
                    if (!isActive) {
                        continue;
                    }
                    boolean deploymentMayExist = cs == CandidateStatus.DEPLOYING || cs == CandidateStatus.RUNNING_EVALS
                            || cs == CandidateStatus.SHUTTING_DOWN;
                    if (deploymentMayExist && !admission.equals("released")) {
                        holdings.add(new Admission.Holding(id + "/c" + i, gpus == 0 ? 1 : gpus));
                    } else if (cs == CandidateStatus.QUEUED) {
                        waiting.add(new Admission.Waiting(id + "/c" + i, gpus == 0 ? 1 : gpus,
                                Timestamps.toMillis(job.getCreatedAt()) + (i + 1) / 1000.0));
                    }
                }
                for (String name : sharedNames) {
                    if (random.nextInt(3) == 0) {
                        job.addSharedDeployments(shared(name, sharedPool.get(name)));
                        if (isActive) {
                            users.computeIfAbsent(name, k -> new HashSet<>()).add(id);
                        }
                    }
                }
                jobs.put(job.build());
            }
            users.keySet().forEach(name -> holdings.add(new Admission.Holding("shared:" + name, sharedPool.get(name))));

            List<String> seen = new ArrayList<>();
            AdmissionTruth truth = AdmissionTruth.read(jobs, seen::add).join();

            assertThat(seen).isEqualTo(active);
            assertThat(truth.admission().holdings()).containsExactlyInAnyOrderElementsOf(holdings);
            assertThat(truth.admission().waiting()).containsExactlyInAnyOrderElementsOf(waiting);
            assertThat(truth.sharedUsers()).isEqualTo(users);
            List<String> holders = new ArrayList<>();
            truth.admission().holdings().forEach(h -> holders.add(h.holder()));
            truth.admission().waiting().forEach(w -> holders.add(w.holder()));
            assertThat(holders).as("a holder holds or waits, once").doesNotHaveDuplicates();
            // Earlier-created jobs' candidates go first; within a job, candidates go in index order.
            Map<String, Long> createdMillis = new HashMap<>();
            jobs.forEachActive(j -> createdMillis.put(j.getId(), Timestamps.toMillis(j.getCreatedAt()))).join();
            for (Admission.Waiting a : truth.admission().waiting()) {
                for (Admission.Waiting b : truth.admission().waiting()) {
                    String jobA = a.holder().substring(0, a.holder().indexOf('/'));
                    String jobB = b.holder().substring(0, b.holder().indexOf('/'));
                    boolean aFirst = jobA.equals(jobB) ? index(a) < index(b) : createdMillis.get(jobA) < createdMillis.get(jobB);
                    if (aFirst) {
                        assertThat(a.order()).as("%s before %s", a, b).isLessThan(b.order());
                    }
                }
            }
        });
    }
}
