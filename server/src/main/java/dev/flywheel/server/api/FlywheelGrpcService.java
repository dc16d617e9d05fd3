package dev.flywheel.server.api;

import com.linecorp.armeria.common.util.TimeoutMode;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.flywheel.api.v1.CancelJobRequest;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.DeleteJobRequest;
import dev.flywheel.api.v1.DeleteJobResponse;
import dev.flywheel.api.v1.FlywheelServiceGrpc;
import dev.flywheel.api.v1.GetJobRequest;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobEvent;
import dev.flywheel.api.v1.ListJobsRequest;
import dev.flywheel.api.v1.ListJobsResponse;
import dev.flywheel.api.v1.WatchJobRequest;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.server.job.JobService;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * FlywheelService over gRPC, gRPC-Web and HTTP/JSON. Service code runs on Armeria's event loop, so nothing
 * here blocks: every call hands a future from {@link JobService} back to the observer.
 */
public final class FlywheelGrpcService extends FlywheelServiceGrpc.FlywheelServiceImplBase {

    private final JobService jobs;

    public FlywheelGrpcService(JobService jobs) {
        this.jobs = jobs;
    }

    @Override
    public void createJob(CreateJobRequest request, StreamObserver<Job> response) {
        replyWrite(() -> jobs.create(request), response);
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<Job> response) {
        reply(() -> jobs.get(request.getId()), response);
    }

    @Override
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> response) {
        reply(() -> jobs.list(request), response);
    }

    @Override
    public void cancelJob(CancelJobRequest request, StreamObserver<Job> response) {
        replyWrite(() -> jobs.cancel(request.getId()), response);
    }

    @Override
    public void deleteJob(DeleteJobRequest request, StreamObserver<DeleteJobResponse> response) {
        replyWrite(() -> jobs.delete(request.getId()), response);
    }

    /** Streams until the job is terminal or the client goes away; long streams are exempt from the request timeout. */
    @Override
    public void watchJob(WatchJobRequest request, StreamObserver<JobEvent> response) {
        ServiceRequestContext.current().clearRequestTimeout();
        ServerCallStreamObserver<JobEvent> call = (ServerCallStreamObserver<JobEvent>) response;
        try {
            jobs.checkId(request.getId());
        } catch (FlywheelException e) {
            response.onError(e);
            return;
        }
        if (request.getSinceVersion() < 0) {
            response.onError(FlywheelException.invalid("since_version", "must not be negative"));
            return;
        }
        Runnable release;
        try {
            release = jobs.openWatch();
        } catch (FlywheelException e) {
            response.onError(e);
            return;
        }
        JobWatcher.Sink sink = new JobWatcher.Sink() {
            @Override
            public void onEvent(JobEvent event) {
                if (!call.isCancelled()) {
                    call.onNext(event);
                }
            }

            @Override
            public void onEnd() {
                release.run();
                if (!call.isCancelled()) {
                    call.onCompleted();
                }
            }

            @Override
            public boolean ready() {
                return call.isReady();
            }
        };
        // gRPC takes the cancel and ready handlers only before this method returns, so they are set now and
        // reach the watcher once it exists (set later in the handlers' thread-safe reference).
        java.util.concurrent.atomic.AtomicReference<JobWatcher> started = new java.util.concurrent.atomic.AtomicReference<>();
        call.setOnCancelHandler(() -> {
            release.run();
            JobWatcher watcher = started.get();
            if (watcher != null) {
                watcher.close();
            }
        });
        call.setOnReadyHandler(() -> {
            JobWatcher watcher = started.get();
            if (watcher != null) {
                watcher.onReady();
            }
        });
        // get() first: only a job the caller may see can be watched (another tenant's is NOT_FOUND).
        jobs.get(request.getId()).thenCompose(visible -> JobWatcher.start(jobs.store(), request.getId(), request.getSinceVersion(), sink))
                .whenComplete((watcher, error) -> {
                    if (error != null) {
                        release.run();
                        call.onError(GrpcErrors.unwrap(error));
                        return;
                    }
                    started.set(watcher);
                    watcher.onReady(); // in case the call became ready before the watcher existed
                    if (call.isCancelled()) { // cancelled before the watcher existed: the handler found none
                        release.run();
                        watcher.close();
                    }
                });
    }

    /** Runs the call and completes the observer; synchronous validation errors become statuses too. */
    private static <T> void reply(Supplier<CompletableFuture<T>> call, StreamObserver<T> response) {
        CompletableFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            response.onError(e);
            return;
        }
        future.whenComplete((value, error) -> {
            if (error != null) {
                response.onError(GrpcErrors.unwrap(error));
            } else {
                response.onNext(value);
                response.onCompleted();
            }
        });
    }

    static <T> void replyTo(Supplier<CompletableFuture<T>> call, StreamObserver<T> response) {
        reply(call, response);
    }

    /** {@link #reply} for a call that writes: see {@link #startWrite()}. */
    static <T> void replyWrite(Supplier<CompletableFuture<T>> call, StreamObserver<T> response) {
        if (startWrite()) {
            reply(call, response);
        }
    }

    /** Above the store's own limits (server selection and write concern wait at most 10 s each). */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Once a write may have been sent, the answer must say what became of it: a deadline answered in the middle
     * (DEADLINE_EXCEEDED while the insert goes on and succeeds) would tell the client that a job it now has does
     * not exist. So the request deadline (the caller's grpc-timeout or the server's default) is checked here, at
     * the start, and then replaced by a bound above the store's own timeouts. A client that stops waiting earlier
     * retries safely with its request_id. False: the deadline has passed, the call is answered, nothing is written.
     */
    static boolean startWrite() {
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        if (ctx == null) {
            return true;
        }
        if (ctx.isTimedOut()) {
            return false;
        }
        ctx.setRequestTimeout(TimeoutMode.SET_FROM_NOW, WRITE_TIMEOUT);
        return true;
    }
}
