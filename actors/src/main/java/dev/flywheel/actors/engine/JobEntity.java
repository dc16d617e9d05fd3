package dev.flywheel.actors.engine;

import dev.flywheel.actors.CborSerializable;
import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.Dataset;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.LlmJudge;
import dev.flywheel.api.v1.SharedDeployment;
import dev.flywheel.clients.datasets.DatasetJob;
import dev.flywheel.clients.datasets.DatasetOutcome;
import dev.flywheel.clients.nemo.DeploymentTypes.CreateDeployment;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.clients.nemo.NemoNames;
import dev.flywheel.clients.nemo.NemoStatus;
import dev.flywheel.clients.nemo.StepRequests;
import dev.flywheel.core.engine.AdmissionTruth;
import dev.flywheel.core.engine.CandidateStatus;
import dev.flywheel.core.engine.JobMoves;
import dev.flywheel.core.engine.JobWriter;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.core.job.JobStatus;
import dev.flywheel.core.job.JobType;
import dev.flywheel.core.job.Jobs;
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
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.slf4j.MDC;

/**
 * One job, as a sharded entity: initialize, build the datasets, get the judge ready, run every candidate in its
 * own {@link CandidateRunner} (in parallel, as far as GPU admission allows), then finish. The job document in
 * MongoDB is its only state: the entity loads it when woken, decides its next step from it, and commits a
 * checkpoint through one {@link JobWriter} before and after every NeMo side effect. So a crash loses nothing but
 * the calls in flight, which the next incarnation repeats under the same names and keys (promises P2, P3).
 * <p>Cancel ({@code cancelling} in the document) stops the candidates, which release what they hold; shared
 * deployments are released by reference count; then the job ends {@code cancelled} (P5).
 */
public final class JobEntity extends AbstractBehavior<JobEntity.Command> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Job");

    public interface Command {}

    /** Wake up and carry on from the stored snapshot (sent by the API on create and by the reconciler). */
    public enum Wake implements Command, CborSerializable { INSTANCE }

    /** The API committed a cancel; stop and release. */
    public enum CancelRequested implements Command, CborSerializable { INSTANCE }

    /**
     * Stop now: the shard is handing off (node leaving) or the node shuts down. Nothing is lost: the next
     * incarnation reloads the snapshot and repeats the calls that were in flight.
     */
    public enum Stop implements Command, CborSerializable { INSTANCE }

    /** A candidate runner ended (its candidate is terminal in the snapshot). Local only. */
    public record CandidateFinished(int index) implements Command {}

    private record Loaded(Optional<Job> job) implements Command {}

    private record LoadFailed(Throwable error) implements Command {}

    private record Reloaded(Job job) implements Command {}

    private record OpDone(String op) implements Command {}

    private record OpFailed(String op, Throwable error) implements Command {}

    private record Polled(NemoPoller.Event event) implements Command {}

    public static Behavior<Command> create(String jobId, EngineContext engine) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new JobEntity(ctx, timers, jobId, engine)));
    }

    private final TimerScheduler<Command> timers;
    private final String jobId;
    private final EngineContext engine;
    private final ActorRef<NemoPoller.Event> pollEvents;
    private final Set<String> busy = new HashSet<>();
    private final Map<Integer, ActorRef<CandidateRunner.Command>> runners = new HashMap<>();
    private final Map<String, ActorRef<NemoPoller.Command>> pollers = new HashMap<>();
    /** Shared deployments this incarnation has asked DMS for, and those seen ready. */
    private final Set<String> sharedRequested = new HashSet<>();
    private final Set<String> sharedReady = new HashSet<>();
    private JobWriter writer;
    /** Failed tries of the dataset step in this incarnation (the step is idempotent, so it may be repeated). */
    private int datasetFailures;
    static final int DATASET_TRIES = 3;

    private JobEntity(ActorContext<Command> ctx, TimerScheduler<Command> timers, String jobId, EngineContext engine) {
        super(ctx);
        this.timers = timers;
        this.jobId = jobId;
        this.engine = engine;
        this.pollEvents = ctx.messageAdapter(NemoPoller.Event.class, Polled::new);
        ctx.pipeToSelf(engine.store().get(jobId), (job, err) -> err == null ? new Loaded(job) : new LoadFailed(err));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Loaded.class, this::onLoaded)
                .onMessage(LoadFailed.class, this::onLoadFailed)
                .onMessageEquals(Wake.INSTANCE, this::advance)
                .onMessageEquals(Stop.INSTANCE, () -> Behaviors.stopped())
                .onMessageEquals(CancelRequested.INSTANCE, this::onCancelRequested)
                .onMessage(Reloaded.class, this::onReloaded)
                .onMessage(CandidateFinished.class, this::onCandidateFinished)
                .onMessage(OpDone.class, this::onOpDone)
                .onMessage(OpFailed.class, this::onOpFailed)
                .onMessage(Polled.class, this::onPolled)
                .build();
    }

    private Behavior<Command> onLoaded(Loaded loaded) {
        if (loaded.job().isEmpty() || Jobs.isTerminal(loaded.job().get())) {
            return Behaviors.stopped(); // deleted or finished: nothing to do
        }
        ActorRef<Command> self = getContext().getSelf();
        writer = new JobWriter(engine.store(), loaded.job().get(), engine.clock(), stored -> self.tell(new Reloaded(stored)));
        log("job engine picked up the job (status {}, stage {})", loaded.job().get().getStatus(), loaded.job().get().getStage());
        return advance();
    }

    private Behavior<Command> onLoadFailed(LoadFailed failed) {
        // MongoDB unreachable: stop; the reconciler wakes the job again.
        getContext().getLog().warn("job {}: could not load: {}", jobId, NemoPoller.rootMessage(failed.error()));
        return Behaviors.stopped();
    }

    private Behavior<Command> onCancelRequested() {
        if (writer == null) {
            return this; // still loading; the load reads the cancel
        }
        // The cancel is in MongoDB; read it so the snapshot we extend carries it.
        getContext().pipeToSelf(engine.store().get(jobId), (job, err) -> job != null && job.isPresent()
                ? new Reloaded(job.get()) : new OpDone("reload"));
        return this;
    }

    private Behavior<Command> onReloaded(Reloaded reloaded) {
        writer.refresh(reloaded.job());
        for (var runner : runners.values()) {
            if (reloaded.job().getCancelRequested()) {
                runner.tell(CandidateRunner.Cancel.INSTANCE);
            }
        }
        return advance();
    }

    // ---- the step decision

    private Behavior<Command> advance() {
        if (writer == null) {
            return this;
        }
        Job job = writer.latest();
        if (Jobs.isTerminal(job)) {
            log("job engine done: {}", job.getStatus());
            return Behaviors.stopped();
        }
        boolean cancelling = job.getCancelRequested() || JobStatus.CANCELLING.wire().equals(job.getStatus());
        if (cancelling || job.hasError()) {
            windDown(job, cancelling);
            return this;
        }
        if (!busy.isEmpty()) {
            return this; // one job-level step at a time
        }
        if (JobStatus.PENDING.wire().equals(job.getStatus())) {
            start(job);
        } else if (job.getDatasetsCount() == 0) {
            datasets(job);
        } else if (!judgeReady(job)) {
            judge(job);
        } else {
            candidates(job);
        }
        return this;
    }

    private void start(Job job) {
        if (JobType.EMBEDDING_JOB.wire().equals(job.getJobType())) {
            commitStep("start", j -> JobMoves.fail(j, "NOT_SUPPORTED", JobMoves.STAGE_INITIALIZE,
                    "embedding_job is not supported yet", now()));
            return;
        }
        int capacity = engine.admission().capacity();
        for (var nim : job.getConfig().getNimsList()) {
            if (Math.max(1, nim.getGpus()) > capacity) {
                commitStep("start", j -> JobMoves.fail(JobMoves.start(j, now()), "NOT_ENOUGH_GPUS", JobMoves.STAGE_INITIALIZE,
                        nim.getModelName() + " needs " + nim.getGpus() + " GPUs; this service has " + capacity, now()));
                return;
            }
        }
        commitStep("start", j -> JobMoves.start(j, now()));
    }

    // ---- datasets

    private void datasets(Job job) {
        if (StepRequests.localEmbedding(job.getConfig())) {
            var emb = job.getConfig().getIclConfig().getSimilarityConfig().getEmbeddingNimConfig();
            String name = sharedName("emb", emb.getModelName());
            SharedDeployment shared = SharedDeployment.newBuilder().setName(name).setModelName(emb.getModelName())
                    .setRole("embedding").setGpus(Math.max(1, emb.getGpus())).build();
            if (!ensureShared(job, shared, () -> StepRequests.embeddingDeployment(namespace(job), name, emb))) {
                return;
            }
        }
        enterStage(job, JobMoves.STAGE_DATASETS);
        NemoClients nemo = nemo(job);
        DatasetJob request = new DatasetJob(jobId, 1, job.getClientId(), job.getWorkloadId(), job.getConfig(),
                job.getConfig().getDataSplitConfig().getRandomSeed(), instant(job.hasFrom() ? job.getFrom() : null),
                instant(job.hasTo() ? job.getTo() : null), null);
        run("datasets", () -> engine.datasets().run(nemo, request).thenCompose(outcome -> writer.commit(j -> withDatasets(j, outcome))));
    }

    private Job withDatasets(Job job, DatasetOutcome outcome) {
        if (job.getDatasetsCount() > 0) {
            return job;
        }
        Job.Builder next = job.toBuilder().setNumRecords(outcome.manifest().counts().sampled())
                .setWorkloadType(outcome.manifest().workload().type());
        for (var d : outcome.datasets()) {
            String kind = switch (d.kind()) {
                case "eval" -> "base-dataset";
                case "icl" -> "icl-dataset";
                default -> "train-dataset";
            };
            // One hash per dataset over all its files (the train dataset has two), so re-runs compare whole datasets.
            String hash = d.files().size() == 1 ? d.files().get(0).sha256() : dev.flywheel.core.config.JobConfigs.sha256(
                    d.files().stream().map(f -> f.path() + ":" + f.sha256()).sorted().collect(java.util.stream.Collectors.joining("\n")));
            next.addDatasets(Dataset.newBuilder().setName(d.name()).setKind(kind).setNumRecords(d.records())
                    .setUri(d.filesUrl()).setContentHash(hash));
        }
        next.addTimeline(Jobs.event(now(), "datasets_created", outcome.manifest().counts().sampled() + " records, workload "
                + outcome.manifest().workload().type()));
        return next.build();
    }

    // ---- judge

    private boolean judgeReady(Job job) {
        return !StepRequests.localJudge(job.getConfig()) || "ready".equals(job.getLlmJudge().getDeploymentStatus());
    }

    private void judge(Job job) {
        // First give back the embedding NIM the dataset stage used.
        for (SharedDeployment s : job.getSharedDeploymentsList()) {
            if (s.getRole().equals("embedding")) {
                releaseShared(s);
                return;
            }
        }
        enterStage(job, JobMoves.STAGE_JUDGE);
        var judge = job.getConfig().getLlmJudgeConfig();
        String name = sharedName("judge", judge.getModelName());
        SharedDeployment shared = SharedDeployment.newBuilder().setName(name).setModelName(judge.getModelName())
                .setRole("judge").setGpus(Math.max(1, judge.getGpus())).build();
        if (ensureShared(job, shared, () -> StepRequests.judgeDeployment(namespace(job), name, judge))) {
            commitStep("judge-ready", j -> j.toBuilder().setLlmJudge(LlmJudge.newBuilder().setModelName(judge.getModelName())
                    .setType("local").setDeploymentStatus("ready")).build());
        }
    }

    /**
     * Makes sure a shared deployment is recorded on the job, counted, admitted, created and ready. Returns true
     * when it is ready; otherwise starts the next step of that and returns false.
     */
    private boolean ensureShared(Job job, SharedDeployment shared, Supplier<CreateDeployment> request) {
        String name = shared.getName();
        if (job.getSharedDeploymentsList().stream().noneMatch(s -> s.getName().equals(name))) {
            commitStep("shared-record:" + name, j -> j.getSharedDeploymentsList().stream().anyMatch(s -> s.getName().equals(name))
                    ? j : j.toBuilder().addSharedDeployments(shared)
                            .setLlmJudge(shared.getRole().equals("judge") ? LlmJudge.newBuilder().setModelName(shared.getModelName())
                                    .setType("local").setDeploymentStatus("pending").build() : j.getLlmJudge()).build());
            return false;
        }
        if (sharedReady.contains(name)) {
            return true;
        }
        if (!sharedRequested.contains(name)) {
            double order = job.getCreatedAt().getSeconds() * 1000.0 + job.getCreatedAt().getNanos() / 1_000_000;
            NemoClients nemo = nemo(job);
            run("shared-acquire:" + name, () -> engine.shared().acquire(name, jobId)
                    .thenCompose(n -> engine.admission().request(AdmissionTruth.sharedHolder(name), shared.getGpus(), order))
                    .thenCompose(ticket -> {
                        if (!ticket.admitted()) {
                            throw new NotYet("waiting for " + shared.getGpus() + " GPUs for " + name + " (position "
                                    + ticket.position() + ")");
                        }
                        return nemo.deployments().createDeployment(request.get());
                    }));
            return false;
        }
        poll("shared:" + name, () -> sharedReadyProbe(nemo(job), namespace(job), name, shared.getModelName()));
        return false;
    }

    private CompletionStage<NemoPoller.Observation> sharedReadyProbe(NemoClients nemo, String ns, String name, String model) {
        return nemo.deployments().getDeployment(ns, name).thenCompose(d -> {
            NemoStatus.Phase phase = d.phase();
            if (phase == NemoStatus.Phase.SUCCEEDED) {
                return nemo.nimProxy().hasModel(model).thenApply(served -> served
                        ? new NemoPoller.Finished(name) : new NemoPoller.Working(0, "ready", null));
            }
            if (phase == NemoStatus.Phase.FAILED || phase == NemoStatus.Phase.CANCELLED) {
                return CompletableFuture.completedFuture(new NemoPoller.Failed("deployment of " + model + " " + d.status().wire()));
            }
            return CompletableFuture.completedFuture(new NemoPoller.Working(0, d.status().wire(), null));
        });
    }

    /** Drops this job's reference; the last user deletes the deployment and frees its GPUs. */
    private void releaseShared(SharedDeployment shared) {
        String name = shared.getName();
        Job job = writer.latest();
        NemoClients nemo = nemo(job);
        String ns = namespace(job);
        run("shared-release:" + name, () -> engine.shared().release(name, jobId).thenCompose(last -> !last
                ? CompletableFuture.completedFuture(null)
                : nemo.deployments().deleteDeployment(ns, name).thenCompose(d -> engine.admission().release(AdmissionTruth.sharedHolder(name))))
                .thenCompose(v -> writer.commit(j -> {
                    List<SharedDeployment> kept = new ArrayList<>(j.getSharedDeploymentsList());
                    if (!kept.removeIf(s -> s.getName().equals(name))) {
                        return j;
                    }
                    Job.Builder b = j.toBuilder().clearSharedDeployments().addAllSharedDeployments(kept);
                    return b.build();
                })));
        sharedReady.remove(name);
        sharedRequested.remove(name);
    }

    // ---- candidates

    private void candidates(Job job) {
        enterStage(job, JobMoves.STAGE_CANDIDATES);
        boolean allDone = true;
        for (int i = 0; i < job.getCandidatesCount(); i++) {
            if (!CandidateStatus.of(job.getCandidates(i).getStatus()).isTerminal()) {
                allDone = false;
                spawnRunner(i);
            }
        }
        if (allDone) {
            if (!job.getSharedDeploymentsList().isEmpty()) {
                releaseShared(job.getSharedDeployments(0));
                return;
            }
            commitStep("finish", j -> JobMoves.finish(j, now()));
        }
    }

    private void spawnRunner(int index) {
        if (!runners.containsKey(index)) {
            runners.put(index, getContext().spawn(CandidateRunner.create(jobId, index, engine, writer, getContext().getSelf()),
                    "candidate-" + index));
        }
    }

    private Behavior<Command> onCandidateFinished(CandidateFinished finished) {
        runners.remove(finished.index());
        return advance();
    }

    /**
     * Cancel or a job-level failure: stop the waits, let every candidate that may hold a deployment release it,
     * give back the shared deployments, then end the job.
     */
    private void windDown(Job job, boolean cancelling) {
        pollers.values().forEach(getContext()::stop);
        pollers.clear();
        busy.removeIf(op -> op.startsWith("poll:"));
        if (busy.stream().anyMatch(op -> !op.startsWith("stage"))) {
            return; // a call in flight records what it created first
        }
        boolean holding = false;
        for (int i = 0; i < job.getCandidatesCount(); i++) {
            CandidateModel c = job.getCandidates(i);
            CandidateStatus s = CandidateStatus.of(c.getStatus());
            if (s.isTerminal()) {
                continue;
            }
            if (s.mayHoldDeployment() || runners.containsKey(i) || cancelling) {
                holding = true;
                spawnRunner(i);
                if (cancelling) {
                    runners.get(i).tell(CandidateRunner.Cancel.INSTANCE);
                }
            }
        }
        if (holding) {
            return; // each runner reports when it is done
        }
        if (!job.getSharedDeploymentsList().isEmpty()) {
            releaseShared(job.getSharedDeployments(0));
            return;
        }
        commitStep("end", j -> {
            if (j.getCandidatesList().stream().allMatch(c -> CandidateStatus.of(c.getStatus()).isTerminal()) && !j.hasError()) {
                return JobMoves.finish(j, now());
            }
            return JobMoves.failNow(j, now());
        });
    }

    // ---- plumbing

    /** Thrown inside a step to say "not yet, ask again shortly" without counting as a failure. */
    private static final class NotYet extends RuntimeException {
        NotYet(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Records the stage once. (Committing an unchanged stage would complete at once and wake {@link #advance}
     * again: a busy loop.)
     */
    private void enterStage(Job job, String stage) {
        if (!stage.equals(job.getStage())) {
            commitStep("stage", j -> JobMoves.stage(j, stage, now()));
        }
    }

    private void commitStep(String op, UnaryOperator<Job> change) {
        run(op, () -> writer.commit(change));
    }

    private void run(String op, Supplier<CompletionStage<?>> action) {
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

    private void poll(String tag, Supplier<CompletionStage<NemoPoller.Observation>> probe) {
        if (pollers.containsKey(tag) || !busy.add("poll:" + tag)) {
            return;
        }
        var s = engine.settings();
        pollers.put(tag, getContext().spawnAnonymous(NemoPoller.create(
                new NemoPoller.Spec(tag, probe, s.deploymentPoll(), s.stallTimeout(), s.deadline(), s.maxPollErrors()), pollEvents)));
    }

    private Behavior<Command> onOpDone(OpDone done) {
        String op = done.op();
        if (op.startsWith("shared-acquire:")) {
            sharedRequested.add(op.substring("shared-acquire:".length()));
        }
        busy.remove(op);
        return advance();
    }

    private Behavior<Command> onOpFailed(OpFailed failed) {
        String op = failed.op();
        Throwable cause = unwrap(failed.error());
        if (cause instanceof NotYet) {
            timers.startSingleTimer("retry:" + op, new OpDone(op), engine.settings().admissionPoll());
            return this;
        }
        String reason = NemoPoller.rootMessage(cause);
        getContext().getLog().warn("job {}: {} failed: {}", jobId, op, reason);
        if (op.equals("datasets") && !(cause instanceof FlywheelException) && ++datasetFailures < DATASET_TRIES) {
            getContext().getLog().info("job {}: repeating the dataset step ({} of {})", jobId, datasetFailures + 1, DATASET_TRIES);
            timers.startSingleTimer("retry:" + op, new OpDone(op), engine.settings().admissionPoll().multipliedBy(datasetFailures));
        } else if (op.equals("datasets")) {
            String code = cause instanceof FlywheelException ? "DATASETS_REJECTED" : "DATASETS_FAILED";
            busy.remove(op);
            commitStep("datasets-failed", j -> JobMoves.fail(j, code, JobMoves.STAGE_DATASETS, "Error creating datasets: " + reason, now()));
        } else if (cause instanceof IllegalArgumentException && op.startsWith("shared-acquire:")) {
            busy.remove(op);
            commitStep("shared-failed", j -> JobMoves.fail(j, "NOT_ENOUGH_GPUS", j.getStage(), reason, now()));
        } else {
            // Store or NeMo trouble: repeat the step from the snapshot after a pause.
            timers.startSingleTimer("retry:" + op, new OpDone(op), engine.settings().admissionPoll());
        }
        return this;
    }

    private Behavior<Command> onPolled(Polled polled) {
        NemoPoller.Event event = polled.event();
        if (event instanceof NemoPoller.Progress) {
            return this;
        }
        String tag = event.tag();
        pollers.remove(tag);
        busy.remove("poll:" + tag);
        String name = tag.substring("shared:".length());
        if (event instanceof NemoPoller.Done) {
            sharedReady.add(name);
        } else if (event instanceof NemoPoller.GaveUp gaveUp) {
            Job job = writer.latest();
            String stage = job.getStage();
            commitStep("shared-failed", j -> {
                Job failed = JobMoves.fail(j, "SHARED_DEPLOYMENT_FAILED", stage, name + ": " + gaveUp.reason(), now());
                return failed.toBuilder().setLlmJudge(failed.getLlmJudge().toBuilder().setError(gaveUp.reason())
                        .setDeploymentStatus("failed")).build();
            });
        }
        return advance();
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    private NemoClients nemo(Job job) {
        return engine.nemo().forConfig(job.getConfig());
    }

    private String namespace(Job job) {
        return nemo(job).namespace();
    }

    /** One deployment per model for all jobs: {@code fw-shared-<role>-<slug>}. */
    static String sharedName(String role, String model) {
        String name = "fw-shared-" + role + "-" + NemoNames.slug(model);
        return name.length() <= NemoNames.MAX_DEPLOYMENT_NAME_LENGTH ? name : name.substring(0, NemoNames.MAX_DEPLOYMENT_NAME_LENGTH);
    }

    private Instant now() {
        return engine.clock().instant();
    }

    private static Instant instant(com.google.protobuf.Timestamp ts) {
        return ts == null ? null : Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    }

    private void log(String message, Object... args) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("job_id", jobId)) {
            getContext().getLog().info(message, args);
        }
    }
}
