package dev.flywheel.actors.engine;

import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.Customization;
import dev.flywheel.api.v1.Evaluation;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.NimConfig;
import dev.flywheel.clients.nemo.CustomizationTypes.CreateConfig;
import dev.flywheel.clients.nemo.CustomizationTypes.CustomizationStatus;
import dev.flywheel.clients.nemo.EvaluationScores;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.clients.nemo.NemoNames;
import dev.flywheel.clients.nemo.NemoStatus;
import dev.flywheel.clients.nemo.StepRequests;
import dev.flywheel.core.engine.AdmissionTruth;
import dev.flywheel.core.engine.CandidateStatus;
import dev.flywheel.core.engine.JobMoves;
import dev.flywheel.core.engine.JobWriter;
import dev.flywheel.core.engine.StepStatus;
import dev.flywheel.core.job.JobStatus;
import dev.flywheel.core.job.Jobs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Runs one candidate model of a job: wait for GPUs, deploy the NIM, then base eval ∥ ICL eval ∥ (customize →
 * customized eval), then delete the deployment and give the GPUs back. It owns no state of its own: every step
 * is decided from the candidate's record in the job snapshot, and every NeMo id or name is committed before the
 * call that creates it is made (names and idempotency keys are deterministic), so a restarted runner picks up
 * where the last one stopped and adopts what it had created (promises P2, P3). On cancel it stops its pollers,
 * cancels its NeMo jobs, deletes its deployment and ends cancelled (P5).
 */
public final class CandidateRunner extends AbstractBehavior<CandidateRunner.Command> {

    public sealed interface Command permits Cancel, Advance, OpDone, OpFailed, Polled {}

    /** The job is being cancelled: release everything and end. */
    public enum Cancel implements Command { INSTANCE }

    private enum Advance implements Command { INSTANCE }

    private record OpDone(String op) implements Command {}

    private record OpFailed(String op, Throwable error) implements Command {}

    private record Polled(NemoPoller.Event event) implements Command {}

    static final String BASE_EVAL = "base-eval";
    static final String ICL_EVAL = "icl-eval";
    static final String CUSTOMIZED_EVAL = "customized-eval";

    public static Behavior<Command> create(String jobId, int index, EngineContext engine, JobWriter writer,
                                           ActorRef<JobEntity.Command> parent) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new CandidateRunner(ctx, timers, jobId, index, engine, writer, parent)));
    }

    private final TimerScheduler<Command> timers;
    private final String jobId;
    private final int index;
    private final EngineContext engine;
    private final JobWriter writer;
    private final ActorRef<JobEntity.Command> parent;
    private final ActorRef<NemoPoller.Event> pollEvents;
    /** Operations and pollers in flight, by name; a step is never started twice. */
    private final Set<String> busy = new HashSet<>();
    private final Map<String, ActorRef<NemoPoller.Command>> pollers = new HashMap<>();
    private boolean cancelled;
    /** This runner has asked DMS for the deployment (a restarted runner asks again: the name makes it adopt). */
    private boolean deploymentRequested;

    private CandidateRunner(ActorContext<Command> ctx, TimerScheduler<Command> timers, String jobId, int index,
                            EngineContext engine, JobWriter writer, ActorRef<JobEntity.Command> parent) {
        super(ctx);
        this.timers = timers;
        this.jobId = jobId;
        this.index = index;
        this.engine = engine;
        this.writer = writer;
        this.parent = parent;
        this.pollEvents = ctx.messageAdapter(NemoPoller.Event.class, Polled::new);
        ctx.getSelf().tell(Advance.INSTANCE);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessageEquals(Advance.INSTANCE, this::advance)
                .onMessageEquals(Cancel.INSTANCE, this::onCancel)
                .onMessage(OpDone.class, this::onOpDone)
                .onMessage(OpFailed.class, this::onOpFailed)
                .onMessage(Polled.class, this::onPolled)
                .build();
    }

    // ---- reading the snapshot

    private Job job() {
        return writer.latest();
    }

    private CandidateModel candidate() {
        return job().getCandidates(index);
    }

    private NimConfig nim() {
        Job job = job();
        String model = candidate().getModelName();
        return job.getConfig().getNimsList().stream().filter(n -> n.getModelName().equals(model)).findFirst()
                .orElse(job.getConfig().getNims(Math.min(index, job.getConfig().getNimsCount() - 1)));
    }

    private NemoClients nemo() {
        return engine.nemo().forConfig(job().getConfig());
    }

    private String namespace() {
        return nemo().namespace();
    }

    private String holder() {
        return AdmissionTruth.candidateHolder(jobId, index);
    }

    private boolean cancelling() {
        Job job = job();
        return cancelled || job.getCancelRequested() || JobStatus.CANCELLING.wire().equals(job.getStatus());
    }

    // ---- the step decision

    private Behavior<Command> advance() {
        CandidateStatus status = CandidateStatus.of(candidate().getStatus());
        if (status.isTerminal()) {
            parent.tell(new JobEntity.CandidateFinished(index));
            return Behaviors.stopped();
        }
        if (cancelling() && status != CandidateStatus.SHUTTING_DOWN) {
            windDown(status);
            return this;
        }
        switch (status) {
            case PENDING -> run("queue", () -> commit(j -> JobMoves.moveCandidate(j, index, CandidateStatus.QUEUED, now(),
                    c -> c.setAdmission("queued"))));
            case QUEUED -> requestGpus();
            case DEPLOYING -> deploy();
            case RUNNING_EVALS -> runBranches();
            case SHUTTING_DOWN -> shutDown();
            default -> { }
        }
        return this;
    }

    private Behavior<Command> onCancel() {
        cancelled = true;
        return advance();
    }

    /** Cancel: stop watching, cancel what runs in NeMo, then shut the deployment down. */
    private void windDown(CandidateStatus status) {
        if (busy.stream().anyMatch(op -> !op.startsWith("poll:") && !op.equals("admit"))) {
            return; // let calls in flight record what they created first; each one ends with an advance
        }
        if (status == CandidateStatus.PENDING || status == CandidateStatus.QUEUED) {
            run("end-unstarted", () -> engine.admission().release(holder()).thenCompose(v ->
                    commit(j -> JobMoves.moveCandidate(j, index, CandidateStatus.CANCELLED, now(),
                            c -> c.setAdmission("released").setError("cancelled before deployment")))));
            return;
        }
        pollers.values().forEach(getContext()::stop);
        pollers.clear();
        busy.removeIf(op -> op.startsWith("poll:"));
        run("cancel-nemo-jobs", () -> cancelNemoJobs().thenCompose(completed -> commit(j -> JobMoves.moveCandidate(
                JobMoves.editCandidate(j, index, c -> markOpenStepsCancelled(c, completed)), index,
                CandidateStatus.SHUTTING_DOWN, now(), c -> c))));
    }

    /** Cancels the candidate's running NeMo jobs; completes with the jobs that had already completed in NeMo. */
    private CompletableFuture<Set<String>> cancelNemoJobs() {
        CandidateModel c = candidate();
        NemoClients nemo = nemo();
        Set<String> completed = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (Evaluation e : c.getEvaluationsList()) {
            if (!e.getJobId().isEmpty() && !StepStatus.isTerminal(e.getStatus())) {
                calls.add(nemo.evaluator().cancelJob(e.getJobId()).handle((ok, err) -> null));
            }
        }
        for (Customization cu : c.getCustomizationsList()) {
            if (!cu.getJobId().isEmpty() && !StepStatus.isTerminal(cu.getStatus())) {
                calls.add(nemo.customizer().cancelJob(cu.getJobId()).handle((job, err) -> {
                    if (job != null && job.phase() == NemoStatus.Phase.SUCCEEDED) {
                        completed.add(cu.getJobId()); // it finished before the cancel arrived
                    }
                    return null;
                }));
            }
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(v -> completed);
    }

    /** Open steps end cancelled, except NeMo jobs that had completed before the cancel reached them. */
    private CandidateModel.Builder markOpenStepsCancelled(CandidateModel.Builder c, Set<String> completedInNemo) {
        Instant now = now();
        for (int i = 0; i < c.getEvaluationsCount(); i++) {
            if (!StepStatus.isTerminal(c.getEvaluations(i).getStatus())) {
                c.setEvaluations(i, c.getEvaluations(i).toBuilder().setStatus(StepStatus.CANCELLED).setFinishedAt(Jobs.ts(now)));
            }
        }
        for (int i = 0; i < c.getCustomizationsCount(); i++) {
            Customization cu = c.getCustomizations(i);
            if (!StepStatus.isTerminal(cu.getStatus())) {
                String end = completedInNemo.contains(cu.getJobId()) ? StepStatus.COMPLETED : StepStatus.CANCELLED;
                c.setCustomizations(i, cu.toBuilder().setStatus(end).setFinishedAt(Jobs.ts(now)));
            }
        }
        return c;
    }

    // ---- admission

    private void requestGpus() {
        double order = AdmissionTruth.order(job(), index);
        int gpus = Math.max(1, candidate().getGpus());
        run("admit", () -> engine.admission().request(holder(), gpus, order).thenCompose(ticket -> {
            if (ticket.admitted()) {
                String deployment = NemoNames.deployment(jobId, "nim", candidate().getModelName(), 1);
                return commit(j -> JobMoves.moveCandidate(j, index, CandidateStatus.DEPLOYING, now(),
                        c -> c.setAdmission("admitted").setQueuePosition(0).setDeploymentName(deployment)
                                .setDeploymentStatus("created")));
            }
            return commit(j -> JobMoves.editCandidate(j, index, c -> c.setQueuePosition(ticket.position())));
        }));
    }

    // ---- deployment

    private void deploy() {
        CandidateModel c = candidate();
        if (!deploymentRequested) {
            run("deploy", () -> nemo().deployments()
                    .createDeployment(StepRequests.candidateDeployment(namespace(), c.getDeploymentName(), nim())));
            return;
        }
        poll("deploy", engine.settings().deploymentPoll(), () -> deploymentReady(c.getDeploymentName(), c.getModelName()));
    }

    private CompletionStage<NemoPoller.Observation> deploymentReady(String name, String model) {
        NemoClients nemo = nemo();
        return nemo.deployments().getDeployment(namespace(), name).thenCompose(d -> {
            NemoStatus.Phase phase = d.phase();
            String status = d.status().wire();
            if (phase == NemoStatus.Phase.SUCCEEDED) {
                return nemo.nimProxy().hasModel(model).thenApply(served -> served
                        ? new NemoPoller.Finished(status)
                        : new NemoPoller.Working(0, status, null));
            }
            if (phase == NemoStatus.Phase.FAILED || phase == NemoStatus.Phase.CANCELLED) {
                String why = d.statusDetails().description();
                return CompletableFuture.completedFuture(new NemoPoller.Failed("deployment " + status
                        + (why == null || why.isBlank() ? "" : ": " + why)));
            }
            // WAITING, and UNKNOWN/unrecognized values: keep waiting, bounded by the stall timeout and deadline.
            return CompletableFuture.completedFuture(new NemoPoller.Working(0, status, null));
        });
    }

    // ---- evaluations and customization

    private void runBranches() {
        CandidateModel c = candidate();
        Job job = job();
        ensureEvaluation(c, BASE_EVAL, dataset(job, "base-dataset"), c.getModelName());
        ensureEvaluation(c, ICL_EVAL, dataset(job, "icl-dataset"), c.getModelName());
        if (nim().getCustomizationEnabled()) {
            Optional<Customization> cust = c.getCustomizationsList().stream().findFirst();
            ensureCustomization(c, cust);
            if (cust.isPresent() && StepStatus.COMPLETED.equals(cust.get().getStatus())) {
                ensureEvaluation(c, CUSTOMIZED_EVAL, dataset(job, "base-dataset"), cust.get().getCustomizedModel());
            } else if (cust.isPresent() && StepStatus.isTerminal(cust.get().getStatus()) && evaluation(c, CUSTOMIZED_EVAL).isEmpty()) {
                run("skip:" + CUSTOMIZED_EVAL, () -> commit(j -> JobMoves.editCandidate(j, index, b -> b.addEvaluations(
                        Evaluation.newBuilder().setEvalType(CUSTOMIZED_EVAL).setStatus(StepStatus.SKIPPED)
                                .setError("no customized model: the customization " + cust.get().getStatus())))));
            }
        }
        if (allBranchesDone(candidate())) {
            run("branches-done", () -> commit(j -> {
                CandidateModel now = j.getCandidates(index);
                boolean anyScore = now.getEvaluationsList().stream().anyMatch(e -> StepStatus.COMPLETED.equals(e.getStatus()));
                return JobMoves.moveCandidate(j, index, CandidateStatus.SHUTTING_DOWN, now(),
                        b -> anyScore ? b : b.setError(now.getError().isEmpty() ? "every evaluation failed: " + firstStepError(now) : now.getError()));
            }));
        }
    }

    private boolean allBranchesDone(CandidateModel c) {
        int expected = nim().getCustomizationEnabled() ? 3 : 2;
        long evals = c.getEvaluationsList().stream().filter(e -> StepStatus.isTerminal(e.getStatus())).count();
        boolean custDone = !nim().getCustomizationEnabled()
                || c.getCustomizationsList().stream().anyMatch(cu -> StepStatus.isTerminal(cu.getStatus()));
        return evals >= expected && custDone;
    }

    private void ensureEvaluation(CandidateModel c, String type, Optional<dev.flywheel.api.v1.Dataset> dataset, String target) {
        Optional<Evaluation> found = evaluation(c, type);
        String op = "eval:" + type;
        if (found.isEmpty()) {
            if (dataset.isEmpty()) {
                return;
            }
            String key = NemoNames.resource(jobId, type.replace("-eval", ""), c.getModelName(), 1);
            run(op + ":record", () -> commit(j -> JobMoves.editCandidate(j, index, b -> evaluation(b.build(), type).isPresent() ? b
                    : b.addEvaluations(Evaluation.newBuilder().setEvalType(type).setKey(key).setStatus(StepStatus.PENDING)
                            .setStartedAt(Jobs.ts(now()))))));
            return;
        }
        Evaluation e = found.get();
        if (StepStatus.isTerminal(e.getStatus())) {
            return;
        }
        if (e.getJobId().isEmpty()) {
            NemoClients nemo = nemo();
            boolean toolCalling = "tool_calling".equals(job().getWorkloadType());
            var request = StepRequests.evaluation(namespace(), dataset.orElseThrow().getUri() + "/eval_data.jsonl", target,
                    toolCalling, job().getConfig(), StepRequests.judge(job().getConfig(), engine.judgeKey()));
            run(op + ":create", () -> nemo.evaluator().createOrAdoptJob(e.getKey(), request).thenCompose(created ->
                    commit(j -> editEvaluation(j, type, b -> b.setJobId(created.value().id()).setStatus(StepStatus.RUNNING)
                            .setNmpUri(nemo.endpoints().nemoBaseUrl() + "/v1/evaluation/jobs/" + created.value().id())))));
            return;
        }
        String jobIdOfEval = e.getJobId();
        poll(op, engine.settings().evaluationPoll(), () -> nemo().evaluator().getJob(jobIdOfEval).thenApply(ej -> {
            NemoStatus.Phase phase = ej.phase();
            double progress = ej.statusDetails() != null && ej.statusDetails().progress() != null ? ej.statusDetails().progress() : 0;
            return switch (phase) {
                case SUCCEEDED -> new NemoPoller.Finished(jobIdOfEval);
                case FAILED, CANCELLED -> new NemoPoller.Failed("evaluation " + ej.status()
                        + (ej.statusDetails() != null && ej.statusDetails().message() != null ? ": " + ej.statusDetails().message() : ""));
                default -> new NemoPoller.Working(progress, ej.status(), null);
            };
        }));
    }

    private void ensureCustomization(CandidateModel c, Optional<Customization> found) {
        if (found.isEmpty()) {
            String name = NemoNames.resource(jobId, "cust", c.getModelName(), 1);
            String config = NemoNames.customizationConfig(jobId, c.getModelName(), 1);
            run("cust:record", () -> commit(j -> JobMoves.editCandidate(j, index, b -> b.getCustomizationsCount() > 0 ? b
                    : b.addCustomizations(Customization.newBuilder().setJobName(name).setConfigName(config)
                            .setStatus(StepStatus.PENDING).setStartedAt(Jobs.ts(now()))))));
            return;
        }
        Customization cu = found.get();
        if (StepStatus.isTerminal(cu.getStatus())) {
            return;
        }
        if (cu.getJobId().isEmpty()) {
            Optional<dev.flywheel.api.v1.Dataset> train = dataset(job(), "train-dataset");
            if (train.isEmpty()) {
                return;
            }
            NemoClients nemo = nemo();
            String ns = namespace();
            CreateConfig config = StepRequests.customizationConfig(ns, cu.getConfigName(), nim());
            var request = StepRequests.customizationJob(cu.getJobName(), NemoNames.outputModel(ns, jobId, c.getModelName(), 1),
                    config, ns, train.get().getName(), job().getConfig());
            run("cust:create", () -> nemo.customizer().createConfig(config)
                    .thenCompose(cfg -> nemo.customizer().createOrAdoptJob(request))
                    .thenCompose(created -> commit(j -> editCustomization(j, b -> b.setJobId(created.value().id())
                            .setStatus(StepStatus.RUNNING).setCustomizedModel(created.value().outputModel())
                            .setNmpUri(nemo.endpoints().nemoBaseUrl() + "/v1/customization/jobs/" + created.value().id())))));
            return;
        }
        String custJob = cu.getJobId();
        String model = cu.getCustomizedModel();
        poll("cust", engine.settings().customizationPoll(), () -> {
            NemoClients nemo = nemo();
            return nemo.customizer().getJobStatus(custJob).thenCompose(s -> {
                NemoStatus.Phase phase = s.statusValue().forJob();
                double progress = s.percentageDone() == null ? 0 : s.percentageDone();
                if (phase == NemoStatus.Phase.SUCCEEDED) {
                    // Trained; usable once the NIM proxy serves the adapter.
                    return nemo.nimProxy().hasModel(model).thenApply(served -> served
                            ? new NemoPoller.Finished(s)
                            : new NemoPoller.Working(100, "syncing", s));
                }
                if (phase == NemoStatus.Phase.FAILED || phase == NemoStatus.Phase.CANCELLED) {
                    String why = s.failureMessage();
                    return CompletableFuture.completedFuture(new NemoPoller.Failed("customization " + s.status()
                            + (why == null ? "" : ": " + why)));
                }
                return CompletableFuture.completedFuture(new NemoPoller.Working(progress, s.status(), s));
            });
        });
    }

    private Behavior<Command> onPolled(Polled polled) {
        NemoPoller.Event event = polled.event();
        String tag = event.tag();
        if (event instanceof NemoPoller.Progress p) {
            onProgress(tag, p);
            return this;
        }
        pollers.remove(tag);
        busy.remove("poll:" + tag);
        if (cancelling()) {
            return advance();
        }
        if (event instanceof NemoPoller.Done done) {
            onWaitDone(tag, done.result());
        } else if (event instanceof NemoPoller.GaveUp gaveUp) {
            onWaitFailed(tag, gaveUp.reason());
        }
        return this;
    }

    private void onProgress(String tag, NemoPoller.Progress p) {
        if (tag.equals("deploy")) {
            if (!p.status().equals(candidate().getDeploymentStatus())) {
                commitQuietly(j -> JobMoves.editCandidate(j, index, b -> b.setDeploymentStatus(p.status())));
            }
        } else if (tag.startsWith("eval:")) {
            String type = tag.substring("eval:".length());
            double progress = Math.floor(p.progress());
            evaluation(candidate(), type).filter(e -> e.getProgress() != progress).ifPresent(e ->
                    commitQuietly(j -> editEvaluation(j, type, b -> b.setProgress(progress))));
        } else if (tag.equals("cust") && p.detail() instanceof CustomizationStatus s) {
            double progress = Math.floor(p.progress());
            int epochs = s.epochsCompleted() == null ? 0 : s.epochsCompleted();
            int steps = s.stepsCompleted() == null ? 0 : s.stepsCompleted();
            Customization cu = candidate().getCustomizations(0);
            if (cu.getProgress() != progress || cu.getEpochsCompleted() != epochs || cu.getStepsCompleted() != steps) {
                commitQuietly(j -> editCustomization(j, b -> b.setProgress(progress).setEpochsCompleted(epochs).setStepsCompleted(steps)));
            }
        }
    }

    private void onWaitDone(String tag, Object result) {
        if (tag.equals("deploy")) {
            run("deployed", () -> commit(j -> JobMoves.moveCandidate(j, index, CandidateStatus.RUNNING_EVALS, now(),
                    b -> b.setDeploymentStatus("ready"))));
        } else if (tag.startsWith("eval:")) {
            String type = tag.substring("eval:".length());
            String evalJob = (String) result;
            run(tag + ":results", () -> nemo().evaluator().getResults(evalJob).thenCompose(r -> {
                Map<String, Double> scores = EvaluationScores.scores(r);
                return commit(j -> editEvaluation(j, type, b -> finishStep(b.putAllScores(scores).setProgress(100)
                        .setStatus(StepStatus.COMPLETED))));
            }));
        } else if (tag.equals("cust")) {
            CustomizationStatus s = (CustomizationStatus) result;
            run("cust:done", () -> commit(j -> editCustomization(j, b -> finishCust(b.setStatus(StepStatus.COMPLETED)
                    .setProgress(100).setEpochsCompleted(orZero(s.epochsCompleted())).setStepsCompleted(orZero(s.stepsCompleted()))))));
        }
    }

    private void onWaitFailed(String tag, String reason) {
        getContext().getLog().info("job {} candidate {}: {} failed: {}", jobId, candidate().getModelName(), tag, reason);
        if (tag.equals("deploy")) {
            run("deploy-failed", () -> commit(j -> JobMoves.moveCandidate(j, index, CandidateStatus.SHUTTING_DOWN, now(),
                    b -> b.setError("deployment failed: " + reason))));
        } else if (tag.startsWith("eval:")) {
            // A job we gave up on must not keep running in NeMo: cancel it (best effort), then record the failure.
            String type = tag.substring("eval:".length());
            String evalJob = evaluation(candidate(), type).map(Evaluation::getJobId).orElse("");
            NemoClients nemo = nemo();
            run(tag + ":failed", () -> (evalJob.isEmpty() ? CompletableFuture.completedFuture(null)
                    : nemo.evaluator().cancelJob(evalJob).handle((ok, err) -> null))
                    .thenCompose(v -> commit(j -> editEvaluation(j, type, b -> finishStep(b.setStatus(StepStatus.FAILED).setError(reason))))));
        } else if (tag.equals("cust")) {
            String custJob = candidate().getCustomizationsCount() == 0 ? "" : candidate().getCustomizations(0).getJobId();
            NemoClients nemo = nemo();
            run("cust:failed", () -> (custJob.isEmpty() ? CompletableFuture.completedFuture(null)
                    : nemo.customizer().cancelJob(custJob).handle((ok, err) -> null))
                    .thenCompose(v -> commit(j -> editCustomization(j, b -> finishCust(b.setStatus(StepStatus.FAILED).setError(reason))))));
        }
    }

    // ---- shutdown

    private void shutDown() {
        CandidateModel c = candidate();
        NemoClients nemo = nemo();
        String ns = namespace();
        run("shutdown", () -> {
            CompletableFuture<Boolean> deleted = c.getDeploymentName().isEmpty()
                    ? CompletableFuture.completedFuture(false)
                    : nemo.deployments().deleteDeployment(ns, c.getDeploymentName());
            return deleted
                    .thenCompose(d -> c.getCustomizationsList().isEmpty() || c.getCustomizations(0).getConfigName().isEmpty()
                            ? CompletableFuture.completedFuture(false)
                            : nemo.customizer().deleteConfig(ns, c.getCustomizations(0).getConfigName()).exceptionally(e -> false))
                    .thenCompose(d -> engine.admission().release(holder()))
                    .thenCompose(v -> commit(j -> {
                        CandidateModel now = j.getCandidates(index);
                        boolean cancel = cancelling();
                        boolean anyScore = now.getEvaluationsList().stream().anyMatch(e -> StepStatus.COMPLETED.equals(e.getStatus()));
                        CandidateStatus end = cancel ? CandidateStatus.CANCELLED
                                : anyScore ? CandidateStatus.COMPLETED : CandidateStatus.FAILED;
                        return JobMoves.moveCandidate(j, index, end, now(), b -> b.setAdmission("released")
                                .setDeploymentStatus(b.getDeploymentName().isEmpty() ? b.getDeploymentStatus() : "deleted")
                                .setError(cancel && b.getError().isEmpty() ? "cancelled" : b.getError()));
                    }));
        });
    }

    // ---- plumbing

    /** Starts {@code op} unless it is already running; its end (or failure) comes back as a message. */
    private void run(String op, java.util.function.Supplier<CompletionStage<?>> action) {
        if (!busy.add(op)) {
            return;
        }
        CompletionStage<?> future;
        try {
            future = action.get();
        } catch (RuntimeException e) {
            getContext().getSelf().tell(new OpFailed(op, e));
            return;
        }
        getContext().pipeToSelf(future, (ok, err) -> err == null ? new OpDone(op) : new OpFailed(op, err));
    }

    private void poll(String tag, Duration interval, java.util.function.Supplier<CompletionStage<NemoPoller.Observation>> probe) {
        if (pollers.containsKey(tag) || !busy.add("poll:" + tag)) {
            return;
        }
        var settings = engine.settings();
        var spec = new NemoPoller.Spec(tag, probe, interval, settings.stallTimeout(), settings.deadline(), settings.maxPollErrors());
        pollers.put(tag, getContext().spawnAnonymous(NemoPoller.create(spec, pollEvents)));
    }

    private Behavior<Command> onOpDone(OpDone done) {
        String op = done.op();
        if (op.equals("admit") && CandidateStatus.of(candidate().getStatus()) == CandidateStatus.QUEUED && !cancelling()) {
            // Not our turn yet: ask again after a pause ("admit" stays busy until then).
            timers.startSingleTimer("admission", new OpDone("admit-again"), engine.settings().admissionPoll());
            return this;
        }
        if (op.equals("admit-again")) {
            busy.remove("admit");
        }
        if (op.equals("deploy")) {
            deploymentRequested = true;
        }
        busy.remove(op);
        return advance();
    }

    /**
     * A step's call failed after the HTTP client's retries. Creating steps fail their branch (the reason is
     * recorded); anything else is retried from the snapshot after a pause.
     */
    private Behavior<Command> onOpFailed(OpFailed failed) {
        String op = failed.op();
        String reason = NemoPoller.rootMessage(failed.error());
        getContext().getLog().warn("job {} candidate {}: {} failed: {}", jobId, index, op, reason);
        if (op.startsWith("eval:") && op.endsWith(":create")) {
            String type = op.substring("eval:".length(), op.length() - ":create".length());
            commitThen(op, j -> editEvaluation(j, type, b -> finishStep(b.setStatus(StepStatus.FAILED).setError(reason))));
        } else if (op.startsWith("eval:") && op.endsWith(":results")) {
            String type = op.substring("eval:".length(), op.length() - ":results".length());
            commitThen(op, j -> editEvaluation(j, type, b -> finishStep(b.setStatus(StepStatus.FAILED).setError("results: " + reason))));
        } else if (op.equals("cust:create")) {
            commitThen(op, j -> editCustomization(j, b -> finishCust(b.setStatus(StepStatus.FAILED).setError(reason))));
        } else if (op.equals("deploy")) {
            commitThen(op, j -> JobMoves.moveCandidate(j, index, CandidateStatus.SHUTTING_DOWN, now(),
                    b -> b.setError("deployment failed: " + reason)));
        } else {
            // Checkpoint writes, admission, shutdown: nothing to give up on; try again shortly.
            timers.startSingleTimer("retry:" + op, new OpDone(op), engine.settings().admissionPoll());
        }
        return this;
    }

    private void commitThen(String op, UnaryOperator<Job> change) {
        getContext().pipeToSelf(writer.commit(change), (ok, err) -> err == null ? new OpDone(op) : new OpFailed(op + ":commit", err));
    }

    private CompletableFuture<Job> commit(UnaryOperator<Job> change) {
        return writer.commit(change);
    }

    /** Progress that need not be waited for; a lost one is rewritten by the next poll. */
    private void commitQuietly(UnaryOperator<Job> change) {
        writer.commit(change);
    }

    private Job editEvaluation(Job job, String type, UnaryOperator<Evaluation.Builder> edit) {
        return JobMoves.editCandidate(job, index, c -> {
            for (int i = 0; i < c.getEvaluationsCount(); i++) {
                if (c.getEvaluations(i).getEvalType().equals(type) && !StepStatus.isTerminal(c.getEvaluations(i).getStatus())) {
                    c.setEvaluations(i, edit.apply(c.getEvaluations(i).toBuilder()));
                }
            }
            return c;
        });
    }

    private Job editCustomization(Job job, UnaryOperator<Customization.Builder> edit) {
        return JobMoves.editCandidate(job, index, c -> {
            if (c.getCustomizationsCount() > 0 && !StepStatus.isTerminal(c.getCustomizations(0).getStatus())) {
                c.setCustomizations(0, edit.apply(c.getCustomizations(0).toBuilder()));
            }
            return c;
        });
    }

    private Evaluation.Builder finishStep(Evaluation.Builder b) {
        Instant now = now();
        b.setFinishedAt(Jobs.ts(now));
        if (b.hasStartedAt()) {
            b.setRuntimeSeconds((Jobs.ts(now).getSeconds() - b.getStartedAt().getSeconds()) * 1.0);
        }
        return b;
    }

    private Customization.Builder finishCust(Customization.Builder b) {
        Instant now = now();
        b.setFinishedAt(Jobs.ts(now));
        if (b.hasStartedAt()) {
            b.setRuntimeSeconds((Jobs.ts(now).getSeconds() - b.getStartedAt().getSeconds()) * 1.0);
        }
        return b;
    }

    private static Optional<Evaluation> evaluation(CandidateModel c, String type) {
        return c.getEvaluationsList().stream().filter(e -> e.getEvalType().equals(type)).findFirst();
    }

    private static Optional<dev.flywheel.api.v1.Dataset> dataset(Job job, String kind) {
        return job.getDatasetsList().stream().filter(d -> d.getKind().equals(kind)).findFirst();
    }

    private static String firstStepError(CandidateModel c) {
        return c.getEvaluationsList().stream().map(Evaluation::getError).filter(e -> !e.isEmpty()).findFirst().orElse("no details");
    }

    private static int orZero(Integer i) {
        return i == null ? 0 : i;
    }

    private Instant now() {
        return engine.clock().instant();
    }
}
