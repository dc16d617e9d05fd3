package dev.flywheel.core.engine;

import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.SharedDeployment;
import dev.flywheel.core.store.JobStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What Redis should hold, derived from the unfinished jobs in MongoDB (Redis is only a cache of this): GPUs held
 * by candidates that may have a deployment and by shared deployments, candidates waiting in the order they
 * queued, and the users of each shared deployment.
 */
public record AdmissionTruth(Admission.Snapshot admission, Map<String, Set<String>> sharedUsers) {

    /** The admission holder of a job's candidate. */
    public static String candidateHolder(String jobId, int index) {
        return jobId + "/c" + index;
    }

    /** The admission holder of a shared deployment. */
    public static String sharedHolder(String deployment) {
        return "shared:" + deployment;
    }

    /** Place in line: job creation time (ms), then candidate order. */
    public static double order(Job job, int candidateIndex) {
        return job.getCreatedAt().getSeconds() * 1000.0 + job.getCreatedAt().getNanos() / 1_000_000
                + (candidateIndex + 1) / 1000.0;
    }

    /** Reads every unfinished job; {@code eachActiveJob} sees each one's id on the way. */
    public static CompletableFuture<AdmissionTruth> read(JobStore store, Consumer<String> eachActiveJob) {
        List<Admission.Holding> holdings = new ArrayList<>();
        List<Admission.Waiting> waiting = new ArrayList<>();
        Map<String, Set<String>> users = new HashMap<>();
        Map<String, Integer> sharedGpus = new HashMap<>();
        return store.forEachActive(job -> {
            eachActiveJob.accept(job.getId());
            for (int i = 0; i < job.getCandidatesCount(); i++) {
                CandidateModel c = job.getCandidates(i);
                CandidateStatus s = CandidateStatus.of(c.getStatus());
                String holder = candidateHolder(job.getId(), i);
                if (s.mayHoldDeployment() && !"released".equals(c.getAdmission())) {
                    holdings.add(new Admission.Holding(holder, Math.max(1, c.getGpus())));
                } else if (s == CandidateStatus.QUEUED) {
                    waiting.add(new Admission.Waiting(holder, Math.max(1, c.getGpus()), order(job, i)));
                }
            }
            for (SharedDeployment d : job.getSharedDeploymentsList()) {
                users.computeIfAbsent(d.getName(), k -> new HashSet<>()).add(job.getId());
                sharedGpus.put(d.getName(), Math.max(1, d.getGpus()));
            }
        }).thenApply(v -> {
            sharedGpus.forEach((name, gpus) -> holdings.add(new Admission.Holding(sharedHolder(name), gpus)));
            return new AdmissionTruth(new Admission.Snapshot(holdings, waiting), users);
        });
    }
}
