package dev.flywheel.actors.engine;

import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.Customization;
import dev.flywheel.api.v1.Dataset;
import dev.flywheel.api.v1.Evaluation;
import dev.flywheel.api.v1.Job;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoType;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.core.engine.ResourceCleaner;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DeleteJob's NeMo half: removes what one finished job created, as recorded in its document (anchor §3.8, with the
 * reference's gaps closed). Per candidate: its evaluation jobs, its customized models (Entity Store), its
 * customization configs and its deployment if one is somehow still there (the candidate's shutdown normally deleted
 * it); per dataset: the Data Store repo and the Entity Store entry. Shared deployments ({@code fw-shared-*}) are
 * never touched: other jobs may be using them, and their reference count decides when they go.
 *
 * <p>Customization jobs are reported as not removed: the Customizer API we target (SDK 1.0) has no delete for
 * them; they are finished (a job is terminal only after its candidates cancelled or finished their training), so
 * they hold no GPUs, only a record in NeMo.
 *
 * <p>Every call is made at once and independently; a 404 ("already gone") counts as removed, any other failure is
 * reported with its reason and never fails the whole cleanup, so a second run finishes what a first one could not.
 */
public final class JobCleanup implements ResourceCleaner {

    private static final Logger log = LoggerFactory.getLogger(JobCleanup.class);
    private static final String HF_DATASETS = "hf://datasets/";

    private final EngineContext.Nemo nemo;

    public JobCleanup(EngineContext.Nemo nemo) {
        this.nemo = Objects.requireNonNull(nemo);
    }

    /** One delete to make: what it is (for the report) and the call (true: removed, false: it was not there). */
    private record Removal(String what, Supplier<CompletableFuture<Boolean>> call) {}

    private record Outcome(String line, boolean removed) {}

    @Override
    public CompletableFuture<CleanupReport> deleteJobResources(Job job) {
        NemoClients clients;
        try {
            clients = nemo.forConfig(job.getConfig());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new CleanupReport(List.of(),
                    List.of("NeMo resources of job " + job.getId() + ": no NeMo endpoints for its configuration: " + reason(e))));
        }
        List<Removal> removals = removals(job, clients);
        List<String> kept = new ArrayList<>();
        for (CandidateModel c : job.getCandidatesList()) {
            for (Customization cu : c.getCustomizationsList()) {
                if (!cu.getJobId().isEmpty()) {
                    kept.add("customization job " + cu.getJobId()
                            + ": not deleted (the NeMo Customizer API has no delete for jobs; it keeps the finished job's record)");
                }
            }
        }
        List<CompletableFuture<Outcome>> calls = removals.stream().map(JobCleanup::attempt).toList();
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<String> removed = new ArrayList<>();
            List<String> notRemoved = new ArrayList<>();
            for (CompletableFuture<Outcome> call : calls) { // in the order they were listed, not finished
                Outcome o = call.join();
                (o.removed() ? removed : notRemoved).add(o.line());
            }
            notRemoved.addAll(kept);
            log.info("job {}: NeMo cleanup removed {}, could not remove {}", job.getId(), removed.size(), notRemoved.size());
            notRemoved.forEach(line -> log.info("job {}: not removed: {}", job.getId(), line));
            return new CleanupReport(removed, notRemoved);
        });
    }

    /** Everything the document says the job created, each once. */
    private static List<Removal> removals(Job job, NemoClients clients) {
        String ns = clients.namespace();
        List<Removal> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (CandidateModel c : job.getCandidatesList()) {
            for (Evaluation e : c.getEvaluationsList()) {
                String id = e.getJobId();
                if (!id.isEmpty() && seen.add("eval:" + id)) {
                    out.add(new Removal("evaluation job " + id, () -> clients.evaluator().deleteJob(id)));
                }
            }
            for (Customization cu : c.getCustomizationsList()) {
                String model = cu.getCustomizedModel();
                if (!model.isEmpty() && seen.add("model:" + model)) {
                    out.add(new Removal("model " + model, () -> clients.entityStore().deleteModel(model)));
                }
                String config = cu.getConfigName();
                if (!config.isEmpty() && seen.add("config:" + config)) {
                    out.add(new Removal("customization config " + ns + "/" + config,
                            () -> clients.customizer().deleteConfig(ns, config)));
                }
            }
            String deployment = c.getDeploymentName();
            if (!deployment.isEmpty() && seen.add("deployment:" + deployment)) {
                out.add(new Removal("deployment " + ns + "/" + deployment,
                        () -> clients.deployments().deleteDeployment(ns, deployment)));
            }
        }
        for (Dataset d : job.getDatasetsList()) {
            String[] where = datasetLocation(d, ns);
            String ref = where[0] + "/" + where[1];
            if (seen.add("dataset:" + ref)) {
                out.add(new Removal("Data Store repo " + ref,
                        () -> clients.dataStore().deleteRepo(where[0], where[1], RepoType.DATASET)));
                out.add(new Removal("dataset " + ref, () -> clients.entityStore().deleteDataset(where[0], where[1])));
            }
        }
        return out;
    }

    /** {@code [namespace, name]} from the dataset's {@code hf://datasets/<ns>/<name>} uri, else the job's namespace. */
    static String[] datasetLocation(Dataset d, String defaultNamespace) {
        String uri = d.getUri();
        if (uri.startsWith(HF_DATASETS)) {
            String[] parts = uri.substring(HF_DATASETS.length()).split("/");
            if (parts.length >= 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
                return new String[] {parts[0], parts[1]};
            }
        }
        return new String[] {defaultNamespace, d.getName()};
    }

    private static CompletableFuture<Outcome> attempt(Removal r) {
        CompletableFuture<Boolean> call;
        try {
            call = r.call().get();
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle((deleted, error) -> {
            if (error != null) {
                return new Outcome(r.what() + ": " + reason(error), false);
            }
            return new Outcome(deleted ? r.what() : r.what() + ": already gone", true);
        });
    }

    private static String reason(Throwable t) {
        return NemoPoller.rootMessage(t);
    }
}
