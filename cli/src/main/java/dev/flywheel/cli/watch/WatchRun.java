package dev.flywheel.cli.watch;

import dev.flywheel.api.v1.Job;
import dev.flywheel.cli.CliContext;
import dev.flywheel.cli.Connection;
import dev.flywheel.cli.ExitCodes;
import dev.flywheel.cli.Format;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code jobs watch}: follows a job to its end, drawing the live view (or, with {@code -o json}, printing every
 * version as one JSON line), then prints the comparison of the candidates.
 */
public final class WatchRun {

    /** Each WatchJob stream is reopened after this long, so even a watch has a deadline. */
    static final Duration STREAM_DEADLINE = Duration.ofMinutes(10);

    private final CliContext context;
    private final boolean json;
    private final boolean plain;
    private final double minScore;
    private final Duration giveUpAfter;

    public WatchRun(CliContext context, boolean json, boolean plain, double minScore, Duration giveUpAfter) {
        this.context = context;
        this.json = json;
        this.plain = plain;
        this.minScore = minScore;
        this.giveUpAfter = giveUpAfter;
    }

    /** Blocks until the job ends; returns it. */
    public Job follow(Connection connection, String id) throws InterruptedException {
        Screen screen = Screen.forOutput(context.out(), context.tty() && !plain, context.columns(), context.clock());
        AtomicReference<Job> latest = new AtomicReference<>();
        ScheduledExecutorService ticker = null;
        if (context.tty() && !plain && !json) { // keep the clocks moving between updates
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "flywheel-watch-clock");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(() -> {
                Job job = latest.get();
                if (job != null) {
                    screen.show(ProgressView.rows(job, context.clock().instant()));
                }
            }, 1, 1, TimeUnit.SECONDS);
        }
        try {
            Job end = new JobFollower(connection, STREAM_DEADLINE, giveUpAfter).follow(id, new JobFollower.Listener() {
                @Override
                public void onJob(Job job) {
                    latest.set(job);
                    if (json) {
                        context.out().println(Format.compactJson(job));
                    } else {
                        screen.show(ProgressView.rows(job, context.clock().instant()));
                    }
                }

                @Override
                public void onReconnect(String reason, Duration wait) {
                    if (!json) {
                        screen.note("stream lost (" + reason + "); reconnecting in " + Format.duration(wait));
                    } else {
                        context.err().println("flywheel: stream lost (" + reason + "); reconnecting");
                    }
                }
            });
            if (ticker != null) {
                ticker.shutdownNow();
                ticker.awaitTermination(1, TimeUnit.SECONDS);
            }
            if (!json) {
                screen.show(ProgressView.rows(end, context.clock().instant()));
                screen.finish();
                context.out().println();
                context.out().print(Comparison.render(end, minScore));
            }
            context.out().flush();
            return end;
        } finally {
            if (ticker != null) {
                ticker.shutdownNow();
            }
        }
    }

    /** The exit status for {@code --exit-status}. */
    public static int exitStatus(Job job) {
        switch (job.getStatus()) {
            case "failed": return ExitCodes.JOB_FAILED;
            case "cancelled": return ExitCodes.JOB_CANCELLED;
            default: return ExitCodes.OK;
        }
    }
}
