package dev.flywheel.actors.engine;

import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.SharedDeployment;
import dev.flywheel.clients.nemo.CommonTypes.Page;
import dev.flywheel.clients.nemo.CustomizationTypes.CustomizationJob;
import dev.flywheel.clients.nemo.DeploymentTypes.ModelDeployment;
import dev.flywheel.clients.nemo.EvaluationTypes.EvaluationJob;
import dev.flywheel.clients.nemo.EvaluatorClient;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.clients.nemo.NemoEndpoints;
import dev.flywheel.clients.nemo.NemoNames;
import dev.flywheel.clients.nemo.NemoStatus.Phase;
import dev.flywheel.core.store.JobStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds live NeMo compute that no unfinished job owns and stops it (promise P6): the safety net for what a job's own
 * cleanup could not release — a node killed between creating a deployment and recording its end, a document
 * deleted by hand, a training left pending in NeMo after the engine gave up waiting for it.
 *
 * <p>Ownership comes from our names: every deployment, evaluation key ({@code custom_fields.flywheel_key}) and
 * customization job name is {@code fw-<jobtag>-…} ({@link NemoNames}), so the owning job is the one whose id has
 * that tag. A resource is an orphan when no unfinished job in MongoDB has its tag <em>and</em> it is older than the
 * grace period. Shared deployments ({@code fw-shared-…}) are owned by whichever unfinished jobs list them in
 * {@code shared_deployments}; they are orphans when none does. Orphan deployments are deleted; orphan evaluation and
 * customization jobs that still run are cancelled. Datasets, models and finished NeMo jobs are left alone: they
 * hold no GPUs, and removing them is DeleteJob's business ({@link JobCleanup}). Anything not named by us is never
 * touched.
 *
 * <p>Why the grace period and the order of reads: NeMo is listed first and MongoDB read after, so a resource seen
 * in NeMo was created after its job's document, and its job is seen either unfinished (kept) or finished. The grace
 * period covers clock skew between NeMo and us, a job document written a moment after a resource was listed, and
 * resources whose create time NeMo does not report (then the first time this reaper saw it counts). Deleting twice
 * is harmless (404), so several nodes may reap at once.
 *
 * <p>Assumption: a NeMo namespace is used by one Flywheel installation (one job database). Another installation's
 * jobs in the same namespace look ownerless here and their compute would be stopped after the grace period.
 */
public final class Reaper {

    private static final Logger log = LoggerFactory.getLogger(Reaper.class);
    private static final String PREFIX = "fw-";
    private static final String SHARED_PREFIX = "fw-shared-";
    private static final int PAGE_SIZE = 100;
    /** NeMo job lists are read newest first, at most this many pages each (older running jobs are rare). */
    private static final int MAX_PAGES = 10;
    /** How many of the newest jobs the default {@link Targets} look at, besides the unfinished ones. */
    private static final int RECENT_JOBS = 200;

    /**
     * How the engine runs its reaper.
     *
     * @param period  time between sweeps (the first one runs after one period)
     * @param grace   how old an unowned resource must be before it is reaped
     * @param targets the NeMo platforms to sweep; null: those the job store's jobs use ({@link Targets#fromJobs})
     */
    public record Settings(Duration period, Duration grace, Targets targets) {
        public Settings {
            Objects.requireNonNull(period, "period");
            Objects.requireNonNull(grace, "grace");
            if (period.isNegative() || period.isZero() || grace.isNegative()) {
                throw new IllegalArgumentException("reaper period must be positive and grace not negative");
            }
        }

        /** Every 2 minutes; orphans older than 15 minutes; the platforms the stored jobs use. */
        public static Settings defaults() {
            return new Settings(Duration.ofMinutes(2), Duration.ofMinutes(15), null);
        }
    }

    /** The NeMo platforms (endpoint set and namespace) to sweep. */
    @FunctionalInterface
    public interface Targets {
        CompletableFuture<Collection<NemoClients>> platforms();

        /** A fixed list. */
        static Targets of(Collection<NemoClients> clients) {
            List<NemoClients> copy = List.copyOf(clients);
            return () -> CompletableFuture.completedFuture(copy);
        }

        /**
         * The platforms of the unfinished jobs and of the newest stored jobs, plus every platform seen by an earlier
         * sweep of this reaper (so a platform stays swept after its last job's document is deleted, until restart).
         */
        static Targets fromJobs(JobStore store, EngineContext.Nemo nemo) {
            Map<NemoEndpoints, NemoClients> known = new ConcurrentHashMap<>();
            return () -> {
                List<Job> jobs = new ArrayList<>();
                return store.forEachActive(jobs::add)
                        .thenCompose(v -> store.list(new JobStore.Filter("", "", ""), RECENT_JOBS, ""))
                        .thenApply(page -> {
                            jobs.addAll(page.jobs());
                            for (Job job : jobs) {
                                if (!job.hasConfig() || job.getConfig().getNmpConfig().getNemoBaseUrl().isEmpty()) {
                                    continue;
                                }
                                try {
                                    NemoClients c = nemo.forConfig(job.getConfig());
                                    known.putIfAbsent(c.endpoints(), c);
                                } catch (RuntimeException e) {
                                    log.debug("reaper: no NeMo clients for job {}: {}", job.getId(), e.toString());
                                }
                            }
                            return List.copyOf(known.values());
                        });
            };
        }
    }

    /** What the unfinished jobs own: their tags and the shared deployments they list. */
    private record Owners(Set<String> jobTags, Set<String> sharedInUse) {}

    /** One live resource of ours seen in NeMo. */
    private record Candidate(String kind, String label, String name, String jobTag, boolean shared, Instant createdAt,
                             Supplier<CompletableFuture<?>> stop) {}

    private final JobStore store;
    private final Targets targets;
    private final Duration grace;
    private final Clock clock;
    private final AtomicLong reaped = new AtomicLong();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    /** When a resource without a create time was first seen; forgotten once it is no longer listed. */
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
    private volatile Cancellable schedule;

    public Reaper(JobStore store, Targets targets, Duration grace, Clock clock) {
        this.store = Objects.requireNonNull(store);
        this.targets = Objects.requireNonNull(targets);
        this.grace = Objects.requireNonNull(grace);
        this.clock = Objects.requireNonNull(clock);
    }

    /** Creates the engine's reaper and runs it every {@code settings.period()} on the actor system's scheduler. */
    public static Reaper start(ActorSystem<?> system, EngineContext context, Settings settings) {
        Targets targets = settings.targets() != null ? settings.targets() : Targets.fromJobs(context.store(), context.nemo());
        Reaper reaper = new Reaper(context.store(), targets, settings.grace(), context.clock());
        reaper.schedule = system.scheduler().scheduleWithFixedDelay(settings.period(), settings.period(),
                reaper::sweepQuietly, system.executionContext());
        return reaper;
    }

    /** Stops the periodic sweeps (a sweep in flight finishes). */
    public void stop() {
        Cancellable s = schedule;
        if (s != null) {
            s.cancel();
        }
    }

    /** How many resources this reaper has deleted or cancelled. */
    public long reaped() {
        return reaped.get();
    }

    private void sweepQuietly() {
        sweep().exceptionally(e -> {
            log.warn("reaper sweep failed: {}", NemoPoller.rootMessage(e));
            return 0;
        });
    }

    /**
     * One sweep: list our live resources on every platform, then read the unfinished jobs, then stop the orphans.
     * Completes with how many were reaped by this sweep (0 when another sweep is still running).
     */
    public CompletableFuture<Integer> sweep() {
        if (!sweeping.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(0);
        }
        CompletableFuture<Integer> done;
        try {
            done = targets.platforms()
                    .thenCompose(this::listAll)
                    .thenCompose(found -> owners().thenCompose(owners -> reap(found, owners)));
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        return done.whenComplete((n, e) -> sweeping.set(false));
    }

    // ---- listing

    private CompletableFuture<List<Candidate>> listAll(Collection<NemoClients> platforms) {
        // One sweep per (platform, namespace): several endpoint sets may differ only in their NIM or Data Store URL.
        Map<String, NemoClients> distinct = new LinkedHashMap<>();
        for (NemoClients c : platforms) {
            distinct.putIfAbsent(c.endpoints().nemoBaseUrl() + " " + c.namespace(), c);
        }
        List<CompletableFuture<List<Candidate>>> lists = new ArrayList<>();
        for (NemoClients c : distinct.values()) {
            lists.add(deployments(c));
            lists.add(evaluationJobs(c));
            lists.add(customizationJobs(c));
        }
        return CompletableFuture.allOf(lists.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<Candidate> all = new ArrayList<>();
            lists.forEach(l -> all.addAll(l.join()));
            Set<String> listed = new HashSet<>();
            all.forEach(c -> listed.add(c.label()));
            firstSeen.keySet().retainAll(listed);
            return all;
        });
    }

    private CompletableFuture<List<Candidate>> deployments(NemoClients c) {
        String ns = c.namespace();
        return quietly("deployments of " + ns, c.deployments().listDeployments().thenApply(list -> {
            List<Candidate> out = new ArrayList<>();
            for (ModelDeployment d : list) {
                if (!ns.equals(d.namespace()) || !d.name().startsWith(PREFIX)) {
                    continue;
                }
                boolean shared = d.name().startsWith(SHARED_PREFIX);
                Optional<String> tag = shared ? Optional.empty() : jobTag(d.name());
                if (!shared && tag.isEmpty()) {
                    continue;
                }
                String label = "deployment " + ns + "/" + d.name();
                out.add(new Candidate("deployment", label, d.name(), tag.orElse(null), shared, created(label, d.createdAt()),
                        () -> c.deployments().deleteDeployment(ns, d.name())));
            }
            return out;
        }));
    }

    private CompletableFuture<List<Candidate>> evaluationJobs(NemoClients c) {
        String ns = c.namespace();
        return quietly("evaluation jobs of " + ns, pages((page, size) -> c.evaluator().listJobs(ns, page, size))
                .thenApply(jobs -> {
                    List<Candidate> out = new ArrayList<>();
                    for (EvaluationJob j : jobs) {
                        Object key = j.customFields().get(EvaluatorClient.KEY_FIELD);
                        Optional<String> tag = key == null ? Optional.empty() : jobTag(key.toString());
                        if (tag.isEmpty() || j.phase().isTerminal() || j.phase() == Phase.CANCELLING) {
                            continue;
                        }
                        String label = "evaluation job " + j.id() + " (" + key + ")";
                        out.add(new Candidate("evaluation job", label, j.id(), tag.get(), false, created(label, j.createdAt()),
                                () -> c.evaluator().cancelJob(j.id())));
                    }
                    return out;
                }));
    }

    private CompletableFuture<List<Candidate>> customizationJobs(NemoClients c) {
        String ns = c.namespace();
        return quietly("customization jobs of " + ns, pages((page, size) -> c.customizer().listJobs(page, size))
                .thenApply(jobs -> {
                    List<Candidate> out = new ArrayList<>();
                    for (CustomizationJob j : jobs) {
                        Optional<String> tag = j.name() == null ? Optional.empty() : jobTag(j.name());
                        if (tag.isEmpty() || !ns.equals(namespaceOf(j)) || j.phase().isTerminal()
                                || j.phase() == Phase.CANCELLING) {
                            continue;
                        }
                        String label = "customization job " + j.id() + " (" + j.name() + ")";
                        out.add(new Candidate("customization job", label, j.id(), tag.get(), false, created(label, j.createdAt()),
                                () -> c.customizer().cancelJob(j.id())));
                    }
                    return out;
                }));
    }

    /** Reads a NeMo list page by page, newest first, up to {@link #MAX_PAGES}. */
    private static <T> CompletableFuture<List<T>> pages(BiFunction<Integer, Integer, CompletableFuture<Page<T>>> read) {
        List<T> all = new ArrayList<>();
        return page(read, 1, all).thenApply(v -> all);
    }

    private static <T> CompletableFuture<Void> page(BiFunction<Integer, Integer, CompletableFuture<Page<T>>> read, int n,
                                                    List<T> into) {
        return read.apply(n, PAGE_SIZE).thenCompose(p -> {
            into.addAll(p.data());
            return p.hasMore() && n < MAX_PAGES ? page(read, n + 1, into) : CompletableFuture.completedFuture(null);
        });
    }

    /** A list that fails is skipped this sweep (logged), so one broken service does not stop the others. */
    private static CompletableFuture<List<Candidate>> quietly(String what, CompletableFuture<List<Candidate>> list) {
        return list.exceptionally(e -> {
            log.warn("reaper: could not list {}: {}", what, NemoPoller.rootMessage(e));
            return List.of();
        });
    }

    // ---- ownership

    private CompletableFuture<Owners> owners() {
        Set<String> tags = new HashSet<>();
        Set<String> shared = new HashSet<>();
        return store.forEachActive(job -> {
            tags.add(NemoNames.jobTag(job.getId()));
            for (SharedDeployment s : job.getSharedDeploymentsList()) {
                shared.add(s.getName());
            }
        }).thenApply(v -> new Owners(tags, shared));
    }

    private CompletableFuture<Integer> reap(List<Candidate> found, Owners owners) {
        Instant now = clock.instant();
        List<CompletableFuture<Boolean>> stops = new ArrayList<>();
        for (Candidate c : found) {
            boolean owned = c.shared()
                    ? owners.sharedInUse().contains(c.name())
                    : owners.jobTags().contains(c.jobTag());
            if (owned || Duration.between(c.createdAt(), now).compareTo(grace) < 0) {
                continue;
            }
            stops.add(stopQuietly(c).handle((ok, e) -> {
                if (e != null) {
                    log.warn("reaper: could not stop orphan {}: {}", c.label(), NemoPoller.rootMessage(e));
                    return false;
                }
                reaped.incrementAndGet();
                log.info("reaper: {} orphan {} (job tag {}, created {})",
                        c.kind().equals("deployment") ? "deleted" : "cancelled", c.label(),
                        c.shared() ? "none: shared, no unfinished job uses it" : c.jobTag(), c.createdAt());
                return true;
            }));
        }
        return CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new))
                .thenApply(v -> (int) stops.stream().filter(CompletableFuture::join).count());
    }

    private static CompletableFuture<?> stopQuietly(Candidate c) {
        try {
            return c.stop().get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---- names and times

    /** The job tag in {@code fw-<jobtag>-…}, or empty when the name is not one of ours. */
    static Optional<String> jobTag(String name) {
        if (!name.startsWith(PREFIX) || name.startsWith(SHARED_PREFIX)) {
            return Optional.empty();
        }
        int end = name.indexOf('-', PREFIX.length());
        if (end < 0) {
            return Optional.empty();
        }
        String tag = name.substring(PREFIX.length(), end);
        return tag.matches("[a-z0-9]{1,8}") ? Optional.of(tag) : Optional.empty();
    }

    private static String namespaceOf(CustomizationJob j) {
        if (j.namespace() != null && !j.namespace().isEmpty()) {
            return j.namespace();
        }
        String out = j.outputModel();
        return out == null || out.indexOf('/') < 0 ? "" : out.substring(0, out.indexOf('/'));
    }

    /** NeMo's create time (zoned, or naive UTC as the Entity Store writes it), else when this reaper first saw it. */
    private Instant created(String label, String createdAt) {
        Optional<Instant> parsed = parseTime(createdAt);
        return parsed.orElseGet(() -> firstSeen.computeIfAbsent(label, k -> clock.instant()));
    }

    static Optional<Instant> parseTime(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException zoned) {
            try {
                return Optional.of(LocalDateTime.parse(text).toInstant(ZoneOffset.UTC));
            } catch (DateTimeParseException naive) {
                return Optional.empty();
            }
        }
    }
}
