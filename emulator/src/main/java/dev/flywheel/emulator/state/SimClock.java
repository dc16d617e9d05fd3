package dev.flywheel.emulator.state;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives background progress. Every delay in the emulator is a <em>nominal</em> duration (roughly what the real
 * platform takes, scaled down) multiplied by the time scale, so {@code timeScale(0.2)} makes a demo last about a
 * minute and {@code 0.002} makes tests take seconds. The scheduler is independent of the HTTP servers, which is what
 * lets jobs continue across an emulated restart.
 */
public final class SimClock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SimClock.class);
    private final double timeScale;
    private final ScheduledExecutorService executor;

    public SimClock(double timeScale) {
        if (!(timeScale > 0)) {
            throw new IllegalArgumentException("timeScale must be > 0: " + timeScale);
        }
        this.timeScale = timeScale;
        this.executor = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "nemo-emulator-jobs");
            t.setDaemon(true);
            return t;
        });
    }

    public double timeScale() {
        return timeScale;
    }

    /** Real milliseconds for a nominal duration (at least 1 ms so ordering is kept). */
    public long realMillis(Duration nominal) {
        return Math.max(1, Math.round(nominal.toMillis() * timeScale));
    }

    public long nowMillis() {
        return System.currentTimeMillis();
    }

    /** Runs the task after the scaled delay; failures are logged, never lost silently. */
    public ScheduledFuture<?> after(Duration nominal, Runnable task) {
        return executor.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("Background task failed", e);
            }
        }, realMillis(nominal), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
