package dev.flywheel.actors.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Watches one NeMo resource (a deployment, an evaluation or customization job) until it ends: a single timer
 * re-armed only after each answer, the HTTP call bridged back with {@code pipeToSelf}, so no thread ever waits
 * (the killrweather-fog poller pattern). It reports progress and the end to its parent and stops. It fails the wait
 * when progress has not grown for {@code stallTimeout}, at the absolute {@code deadline}, or after too many failed
 * polls in a row (promise P8). Nothing of it survives a crash: the parent restarts it from the job snapshot.
 */
public final class NemoPoller extends AbstractBehavior<NemoPoller.Command> {

    /** What one poll saw. */
    public sealed interface Observation permits Working, Finished, Failed {}

    /** Still going; {@code progress} 0..100 (may stay flat), {@code detail} is handed to the parent as is. */
    public record Working(double progress, String status, Object detail) implements Observation {}

    public record Finished(Object result) implements Observation {}

    public record Failed(String reason) implements Observation {}

    /** What the parent hears; {@code tag} names the wait. */
    public sealed interface Event permits Progress, Done, GaveUp {
        String tag();
    }

    public record Progress(String tag, double progress, String status, Object detail) implements Event {}

    public record Done(String tag, Object result) implements Event {}

    public record GaveUp(String tag, String reason) implements Event {}

    /**
     * @param tag          names the wait in events and logs
     * @param probe        one poll; a failed future counts as a failed poll
     * @param interval     time between the end of a poll and the next
     * @param stallTimeout fail when progress has not grown for this long
     * @param deadline     fail after this long in total
     * @param maxErrors    fail after this many failed polls in a row
     */
    public record Spec(String tag, Supplier<CompletionStage<Observation>> probe, Duration interval,
                       Duration stallTimeout, Duration deadline, int maxErrors) {}

    public sealed interface Command permits Tick, Answer, PollError {}

    private enum Tick implements Command { INSTANCE }

    private record Answer(Observation observation) implements Command {}

    private record PollError(Throwable error) implements Command {}

    public static Behavior<Command> create(Spec spec, ActorRef<Event> parent) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new NemoPoller(ctx, timers, spec, parent)));
    }

    private final TimerScheduler<Command> timers;
    private final Spec spec;
    private final ActorRef<Event> parent;
    private final Instant started = Instant.now();
    private Instant lastProgressAt = started;
    private double lastProgress = -1;
    private int errorsInRow;

    private NemoPoller(ActorContext<Command> ctx, TimerScheduler<Command> timers, Spec spec, ActorRef<Event> parent) {
        super(ctx);
        this.timers = timers;
        this.spec = spec;
        this.parent = parent;
        poll();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .onMessage(Answer.class, this::onAnswer)
                .onMessage(PollError.class, this::onPollError)
                .build();
    }

    private Behavior<Command> onTick() {
        poll();
        return this;
    }

    private void poll() {
        CompletionStage<Observation> future;
        try {
            future = spec.probe().get();
        } catch (RuntimeException e) {
            getContext().getSelf().tell(new PollError(e));
            return;
        }
        getContext().pipeToSelf(future, (ok, err) -> err == null ? new Answer(ok) : new PollError(err));
    }

    private Behavior<Command> onAnswer(Answer answer) {
        errorsInRow = 0;
        Instant now = Instant.now();
        Observation o = answer.observation();
        if (o instanceof Finished f) {
            parent.tell(new Done(spec.tag(), f.result()));
            return Behaviors.stopped();
        }
        if (o instanceof Failed f) {
            parent.tell(new GaveUp(spec.tag(), f.reason()));
            return Behaviors.stopped();
        }
        Working w = (Working) o;
        if (w.progress() > lastProgress) {
            lastProgress = w.progress();
            lastProgressAt = now;
        }
        parent.tell(new Progress(spec.tag(), w.progress(), w.status(), w.detail()));
        return next(now);
    }

    private Behavior<Command> onPollError(PollError e) {
        errorsInRow++;
        getContext().getLog().debug("{}: poll failed ({} in a row): {}", spec.tag(), errorsInRow, e.error().toString());
        if (errorsInRow >= spec.maxErrors()) {
            parent.tell(new GaveUp(spec.tag(), "NeMo did not answer " + errorsInRow + " polls in a row: "
                    + rootMessage(e.error())));
            return Behaviors.stopped();
        }
        return next(Instant.now());
    }

    private Behavior<Command> next(Instant now) {
        if (Duration.between(started, now).compareTo(spec.deadline()) >= 0) {
            parent.tell(new GaveUp(spec.tag(), "no result within the deadline of " + spec.deadline()));
            return Behaviors.stopped();
        }
        if (Duration.between(lastProgressAt, now).compareTo(spec.stallTimeout()) >= 0) {
            parent.tell(new GaveUp(spec.tag(), "stalled: no progress for " + spec.stallTimeout()));
            return Behaviors.stopped();
        }
        timers.startSingleTimer(Tick.INSTANCE, spec.interval());
        return this;
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while ((root instanceof java.util.concurrent.CompletionException
                || root instanceof java.util.concurrent.ExecutionException) && root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }
}
