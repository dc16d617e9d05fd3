package dev.flywheel.cli.watch;

import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobEvent;
import dev.flywheel.api.v1.WatchJobRequest;
import dev.flywheel.cli.Connection;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Set;

/**
 * Follows one job over {@code WatchJob} until it ends. A stream that drops (server restart, network, proxy
 * timeout, its own deadline) is opened again with {@code since_version} = the last version seen, so nothing is
 * shown twice and nothing is missed; after {@code giveUpAfter} of failing to reconnect, the last error is thrown.
 */
public final class JobFollower {

    /** What the follower reports. */
    public interface Listener {
        void onJob(Job job);

        void onReconnect(String reason, Duration wait);
    }

    /** Errors a retry cannot fix. */
    private static final Set<Status.Code> FINAL = EnumSet.of(Status.Code.NOT_FOUND, Status.Code.INVALID_ARGUMENT,
            Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED, Status.Code.FAILED_PRECONDITION,
            Status.Code.UNIMPLEMENTED, Status.Code.OUT_OF_RANGE);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final Connection connection;
    private final Duration streamDeadline;
    private final Duration giveUpAfter;

    /**
     * @param streamDeadline every stream has a deadline like any call; when it passes, the follower simply
     *                       opens the next one
     * @param giveUpAfter    how long to keep trying while the server cannot be reached
     */
    public JobFollower(Connection connection, Duration streamDeadline, Duration giveUpAfter) {
        this.connection = connection;
        this.streamDeadline = streamDeadline;
        this.giveUpAfter = giveUpAfter;
    }

    /** Blocks until the job is terminal and returns it. */
    public Job follow(String id, Listener listener) throws InterruptedException {
        long since = 0;
        Job last = null;
        long failingSince = 0;
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            String reason;
            try {
                Iterator<JobEvent> events = connection.watch(streamDeadline)
                        .watchJob(WatchJobRequest.newBuilder().setId(id).setSinceVersion(since).build());
                while (events.hasNext()) {
                    Job job = events.next().getJob();
                    failingSince = 0;
                    backoff = FIRST_BACKOFF;
                    if (last == null || job.getVersion() > last.getVersion()) {
                        last = job;
                        since = job.getVersion();
                        listener.onJob(job);
                    }
                    if (ProgressView.isTerminal(job.getStatus())) {
                        return job;
                    }
                }
                reason = "the server ended the stream";
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (FINAL.contains(code)) {
                    throw e;
                }
                if (code == Status.Code.DEADLINE_EXCEEDED && failingSince == 0 && last != null) {
                    continue; // our own stream deadline passed while the job was quiet: open the next stream
                }
                long now = System.nanoTime();
                if (failingSince == 0) {
                    failingSince = now;
                } else if (Duration.ofNanos(now - failingSince).compareTo(giveUpAfter) > 0) {
                    throw e;
                }
                reason = code + (e.getStatus().getDescription() != null ? ": " + e.getStatus().getDescription() : "");
            }
            listener.onReconnect(reason, backoff);
            Thread.sleep(backoff.toMillis());
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }
}
