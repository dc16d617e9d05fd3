package dev.flywheel.server.job;

import com.google.protobuf.util.Timestamps;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.DeleteJobResponse;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.ListJobsRequest;
import dev.flywheel.api.v1.ListJobsResponse;
import dev.flywheel.api.v1.NamedConfig;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.engine.EngineNotifier;
import dev.flywheel.core.engine.JobResources;
import dev.flywheel.core.engine.ResourceCleaner;
import dev.flywheel.core.error.FieldViolation;
import dev.flywheel.core.auth.Principal;
import dev.flywheel.core.auth.RateLimiter;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.server.auth.Callers;
import dev.flywheel.core.job.ConfigRef;
import dev.flywheel.core.job.CreateJobValidator;
import dev.flywheel.core.job.JobStatus;
import dev.flywheel.core.job.JobType;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.core.store.ConfigStore;
import dev.flywheel.core.store.JobStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The job use cases behind every API surface (gRPC, HTTP/JSON, the reference's /api): create with
 * configuration resolution and idempotency, read, list, cancel and delete. Transport-free; each method
 * completes its future with the result or a {@link FlywheelException}.
 */
public final class JobService {

    private static final Logger log = LoggerFactory.getLogger(JobService.class);
    private static final int DEFAULT_PAGE_SIZE = 50;
    private static final int MAX_PAGE_SIZE = 1000;
    private static final int MAX_CAS_ATTEMPTS = 20;

    private final JobStore jobs;
    private final ConfigStore configs;
    private final JobConfig defaults;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final SecureRandom seeds = new SecureRandom();
    private final EngineNotifier engine;
    private final Backpressure backpressure;
    private volatile ResourceCleaner cleaner;

    /** Whether the service is too full to take another job right now (P7). */
    @FunctionalInterface
    public interface Backpressure {
        /** Completes with an exception to refuse, or normally to accept. */
        CompletableFuture<Void> check();

        Backpressure NONE = () -> CompletableFuture.completedFuture(null);
    }

    /** API only: jobs are stored but no engine is told. */
    private volatile RateLimiter createLimiter = RateLimiter.UNLIMITED;
    private volatile int maxWatchesPerKey;
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger> watches =
            new java.util.concurrent.ConcurrentHashMap<>();

    public JobService(JobStore jobs, ConfigStore configs, JobConfig defaults, Clock clock, MeterRegistry metrics) {
        this(jobs, configs, defaults, clock, metrics, EngineNotifier.NONE, Backpressure.NONE);
    }

    /** {@code defaults} is the server's default job configuration (already validated at start). */
    public JobService(JobStore jobs, ConfigStore configs, JobConfig defaults, Clock clock, MeterRegistry metrics,
                      EngineNotifier engine, Backpressure backpressure) {
        this.jobs = jobs;
        this.configs = configs;
        this.defaults = defaults;
        this.clock = clock;
        this.metrics = metrics;
        this.engine = engine;
        this.backpressure = backpressure;
    }

    public JobStore store() {
        return jobs;
    }

    /** Creates the job, or returns the one created earlier with the same request_id and payload. */
    public CompletableFuture<Job> create(CreateJobRequest request) {
        CreateJobValidator.check(request);
        Principal caller = Callers.current();
        if (!caller.mayAccess(request.getClientId())) {
            // The caller names the client itself, so saying no reveals nothing.
            throw new FlywheelException(FlywheelException.Kind.PERMISSION_DENIED, "this API key may not create jobs for this client_id",
                    List.of(new dev.flywheel.core.error.FieldViolation("client_id", "not one of this API key's client_ids")), null);
        }
        if (engine != EngineNotifier.NONE && JobType.EMBEDDING_JOB.wire().equals(request.getJobType())) {
            // Stored but never run would be worse than a clear no (its engine arrives with its own issue).
            throw FlywheelException.failedPrecondition("job_type embedding_job is not supported yet; use llm_job");
        }
        return createAllowed(caller).thenCompose(ok -> backpressure.check()).thenCompose(room -> resolveConfig(request)).thenCompose(resolved -> {
            String requestId = request.getRequestId().isEmpty() ? UUID.randomUUID().toString() : request.getRequestId();
            Job job = Jobs.newJob(jobs.newId(), request, resolved.config(), resolved.name(), resolved.version(),
                    requestId, clock.instant());
            if (!job.hasTo()) {
                // Fix the end of the log window now, so a resumed or re-run job reads the same records.
                job = job.toBuilder().setTo(job.getCreatedAt()).build();
                if (job.hasFrom() && Timestamps.compare(job.getFrom(), job.getTo()) >= 0) {
                    throw FlywheelException.invalid("from", "must be in the past when no 'to' is given");
                }
            }
            return jobs.create(job, Jobs.fingerprint(request));
        }).thenApply(created -> {
            Job job = created.job();
            if (created.isNew()) {
                metrics.counter("flywheel.jobs.submitted", "job_type", job.getJobType()).increment();
                withJobId(job.getId(), () -> log.info("job created client_id={} workload_id={} config={}",
                        job.getClientId(), job.getWorkloadId(), configLabel(job)));
                engine.wake(job.getId());
            } else {
                withJobId(job.getId(), () -> log.info("job create repeated with request_id={}", job.getRequestId()));
            }
            return job;
        });
    }

    private record Resolved(JobConfig config, String name, long version) {}

    /** Defaults, then the named configuration, then the request's split overrides; validated as a whole. */
    private CompletableFuture<Resolved> resolveConfig(CreateJobRequest request) {
        CompletableFuture<Optional<NamedConfig>> named = request.getConfigName().isEmpty()
                ? CompletableFuture.completedFuture(Optional.empty())
                : configs.get(ConfigRef.parse("config_name", request.getConfigName()));
        return named.thenCompose(found -> {
            if (!request.getConfigName().isEmpty() && found.isEmpty()) {
                throw FlywheelException.invalid("config_name", "unknown configuration '" + request.getConfigName() + "'");
            }
            JobConfig config = found.map(n -> JobConfigs.merge(defaults, n.getConfig())).orElse(defaults);
            if (config.hasJobType() && !request.getJobType().isEmpty() && !config.getJobType().equals(request.getJobType())) {
                throw FlywheelException.invalid("job_type", "configuration " + found.get().getRef() + " is for "
                        + config.getJobType() + " jobs, not " + request.getJobType());
            }
            if (request.hasDataSplitConfig()) {
                config = JobConfigs.withSplitOverrides(config, request.getDataSplitConfig());
            }
            if (!config.getDataSplitConfig().hasRandomSeed()) {
                // Record the seed, so the job's sampling and splits can be reproduced.
                config = JobConfigs.withSplitOverrides(config, config.getDataSplitConfig().toBuilder()
                        .setRandomSeed(seeds.nextInt(Integer.MAX_VALUE)).build());
            }
            List<FieldViolation> violations = JobConfigs.validate(config, "");
            if (!violations.isEmpty()) {
                throw FlywheelException.invalid(found.isPresent()
                        ? violations.stream().map(v -> new FieldViolation(v.field(),
                                v.description() + " (effective configuration from " + found.get().getRef() + ")")).toList()
                        : violations);
            }
            Resolved resolved = new Resolved(config, found.map(NamedConfig::getName).orElse(""),
                    found.map(NamedConfig::getVersion).orElse(0L));
            if (found.isEmpty()) {
                return CompletableFuture.completedFuture(resolved);
            }
            // Pin the version before the job exists, so it cannot be deleted under the job.
            return configs.markInUse(resolved.name(), resolved.version()).thenApply(marked -> {
                if (!marked) {
                    throw FlywheelException.invalid("config_name", "configuration " + found.get().getRef() + " was just deleted");
                }
                return resolved;
            });
        });
    }

    /**
     * One job, if the caller may see it. Another tenant's job is NOT_FOUND, exactly like a missing one, so ids
     * cannot be probed; the same check guards watch, cancel and delete, which all start here.
     */
    public CompletableFuture<Job> get(String id) {
        checkId(id);
        Principal caller = Callers.current();
        return jobs.get(id).thenApply(found -> found.filter(job -> caller.mayAccess(job.getClientId()))
                .orElseThrow(() -> notFound(id)));
    }

    public CompletableFuture<ListJobsResponse> list(ListJobsRequest request) {
        if (!request.getStatus().isEmpty() && JobStatus.parse(request.getStatus()).isEmpty()) {
            throw FlywheelException.invalid("status", "must be one of pending, running, cancelling, completed, failed, cancelled");
        }
        if (request.getPageSize() < 0 || request.getPageSize() > MAX_PAGE_SIZE) {
            throw FlywheelException.invalid("page_size", "must be between 0 and " + MAX_PAGE_SIZE);
        }
        int pageSize = request.getPageSize() == 0 ? DEFAULT_PAGE_SIZE : request.getPageSize();
        Principal caller = Callers.current();
        // A client key lists only its own clients' jobs; asking for another client's gives an empty page.
        JobStore.Filter filter = new JobStore.Filter(request.getClientId(), request.getWorkloadId(), request.getStatus(),
                caller.isAdmin() ? null : caller.clientIds());
        return jobs.list(filter, pageSize, request.getPageToken()).thenApply(page -> ListJobsResponse.newBuilder()
                .addAllJobs(page.jobs()).setNextPageToken(page.nextPageToken()).build());
    }

    /**
     * Limits job creation per API key (a token bucket shared by every node). In-process callers and a server
     * without authentication are not limited: there is no key to count against.
     */
    public void setCreateLimiter(RateLimiter limiter) {
        this.createLimiter = limiter;
    }

    /** How many WatchJob streams (gRPC and SSE) one key may hold open on this node; 0 = no limit. */
    public void setMaxWatchesPerKey(int max) {
        this.maxWatchesPerKey = max;
    }

    private CompletableFuture<Void> createAllowed(Principal caller) {
        if (caller == Principal.SYSTEM) {
            return CompletableFuture.completedFuture(null);
        }
        return createLimiter.tryAcquire("create:" + caller.keyId()).thenAccept(decision -> {
            if (!decision.allowed()) {
                java.time.Duration wait = decision.retryAfter().compareTo(java.time.Duration.ofSeconds(1)) < 0
                        ? java.time.Duration.ofSeconds(1) : decision.retryAfter();
                throw FlywheelException.resourceExhausted("this API key creates jobs too fast; retry in " + wait.toSeconds() + " s", wait);
            }
        });
    }

    /**
     * Opens a watch for the current caller: RESOURCE_EXHAUSTED when its key already holds the most streams
     * allowed. The answer releases the slot; calling it more than once is harmless.
     */
    public Runnable openWatch() {
        Principal caller = Callers.current();
        if (maxWatchesPerKey <= 0 || caller == Principal.SYSTEM) {
            return () -> { };
        }
        java.util.concurrent.atomic.AtomicInteger open = watches.computeIfAbsent(caller.keyId(), k -> new java.util.concurrent.atomic.AtomicInteger());
        if (open.incrementAndGet() > maxWatchesPerKey) {
            open.decrementAndGet();
            throw FlywheelException.resourceExhausted("this API key already watches " + maxWatchesPerKey
                    + " jobs on this server; close one first", java.time.Duration.ofSeconds(5));
        }
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                open.decrementAndGet();
            }
        };
    }

    /** Cancels a job; retried on a concurrent change, so a cancel is never lost to a race. */
    public CompletableFuture<Job> cancel(String id) {
        checkId(id);
        return get(id).thenCompose(visible -> cancelAttempt(id, 1));
    }

    private CompletableFuture<Job> cancelAttempt(String id, int attempt) {
        return jobs.get(id).thenApply(found -> found.orElseThrow(() -> notFound(id))).thenCompose(job -> {
            Job next = Jobs.cancel(job, clock.instant());
            if (next == job) {
                return CompletableFuture.completedFuture(job);
            }
            return jobs.compareAndSet(next).thenCompose(committed -> {
                if (committed) {
                    withJobId(id, () -> log.info("job cancel requested: {} -> {}", job.getStatus(), next.getStatus()));
                    engine.cancel(id);
                    return CompletableFuture.completedFuture(next);
                }
                if (attempt >= MAX_CAS_ATTEMPTS) {
                    throw new FlywheelException(FlywheelException.Kind.ABORTED, "job " + id + " kept changing; retry the cancel");
                }
                return cancelAttempt(id, attempt + 1);
            });
        });
    }

    /**
     * Removes the NeMo resources the job recorded when a cleaner is set; null (the default, an API-only server):
     * only the document is deleted.
     */
    public void setResourceCleaner(ResourceCleaner cleaner) {
        this.cleaner = cleaner;
    }

    /**
     * Deletes a finished job that has released its compute: first what it created in NeMo (best effort, when a
     * {@link ResourceCleaner} is set), then its document — the document goes last because it is the only record of
     * those resources.
     */
    public CompletableFuture<DeleteJobResponse> delete(String id) {
        return get(id).thenCompose(job -> {
            Jobs.checkDeletable(job);
            JobResources.checkReleased(job);
            ResourceCleaner nemo = cleaner;
            CompletableFuture<ResourceCleaner.CleanupReport> cleaned = nemo == null
                    ? CompletableFuture.completedFuture(ResourceCleaner.CleanupReport.empty())
                    // The cleaner never fails by contract; should it, the document still goes and the reason is shown.
                    : nemo.deleteJobResources(job).exceptionally(e -> new ResourceCleaner.CleanupReport(List.of(),
                            List.of("NeMo resources of job " + id + ": " + (e.getCause() != null ? e.getCause() : e))));
            return cleaned.thenCompose(report -> jobs.delete(id).thenApply(deleted -> {
                DeleteJobResponse.Builder response = DeleteJobResponse.newBuilder().setId(id)
                        .addAllRemoved(report.removed()).addAllNotRemoved(report.notRemoved());
                if (deleted) {
                    response.addRemoved("job document " + id);
                    withJobId(id, () -> log.info("job deleted"));
                } else {
                    response.addNotRemoved("job document " + id + ": already gone");
                }
                return response.build();
            }));
        });
    }

    /** Fails with INVALID_ARGUMENT unless {@code id} could be a job id. */
    public void checkId(String id) {
        if (id.isEmpty()) {
            throw FlywheelException.invalid("id", "is required");
        }
        if (!jobs.isValidId(id)) {
            throw FlywheelException.invalid("id", "is not a job id (24 hexadecimal characters)");
        }
    }

    private static FlywheelException notFound(String id) {
        return FlywheelException.notFound("Job " + id + " not found");
    }

    private static String configLabel(Job job) {
        return job.getConfigName().isEmpty() ? "default" : job.getConfigName() + "@" + job.getConfigVersion();
    }

    static void withJobId(String jobId, Runnable action) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("job_id", jobId)) {
            action.run();
        }
    }
}
