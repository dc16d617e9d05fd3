package dev.flywheel.actors.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.flywheel.core.engine.AdmissionTruth;
import dev.flywheel.core.engine.EngineNotifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job engine of one node: a Pekko cluster member hosting {@link JobEntity} shards, plus the reconciler.
 * <p>Why a reconciler and not remember-entities: MongoDB is the system of record, and remember-entities would
 * need a second durable store (ddata on disk or an event journal) that can disagree with it. The reconciler asks
 * MongoDB for every job that is not finished, at start and then every {@code reconcileEvery}, and wakes each
 * one's entity; waking a running entity is a no-op, and a job whose node died comes back on whichever node the
 * shard moves to. (Redis' admission state is rebuilt from the same {@link AdmissionTruth} when it is lost.)
 * <p>It also runs the {@link Reaper}, which stops NeMo compute that no unfinished job owns.
 */
public final class JobEngine implements EngineNotifier, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobEngine.class);

    private final ActorSystem<Void> system;
    private final ClusterSharding sharding;
    private final EngineContext context;
    private final Cancellable reconciler;
    private final Reaper reaper;

    private JobEngine(ActorSystem<Void> system, EngineContext context, Duration reconcileEvery, Reaper.Settings reaping) {
        this.system = system;
        this.context = context;
        this.sharding = ClusterSharding.get(system);
        sharding.init(Entity.of(JobEntity.TYPE_KEY, entity -> JobEntity.create(entity.getEntityId(), context))
                .withStopMessage(JobEntity.Stop.INSTANCE));
        // Redis is a cache: make it agree with MongoDB before any job asks for GPUs (one node; with several
        // nodes each start repeats this, which is safe only while no admission is in flight — see README).
        AdmissionTruth truth = AdmissionTruth.read(context.store(), id -> { }).join();
        context.admission().rebuild(truth.admission()).join();
        context.shared().rebuild(truth.sharedUsers()).join();
        Cluster cluster = Cluster.get(system);
        if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
        this.reconciler = system.scheduler().scheduleWithFixedDelay(Duration.ZERO, reconcileEvery,
                () -> reconcile().exceptionally(e -> {
                    log.warn("reconcile failed: {}", e.toString());
                    return null;
                }), system.executionContext());
        this.reaper = Reaper.start(system, context, reaping);
    }

    /**
     * Starts a node. {@code overrides} is layered over {@code flywheel-cluster.conf} (e.g. a fixed port and
     * seed nodes to form a multi-node cluster).
     */
    public static JobEngine start(String name, EngineContext context, Config overrides, Duration reconcileEvery) {
        return start(name, context, overrides, reconcileEvery, Reaper.Settings.defaults());
    }

    /** Like {@link #start(String, EngineContext, Config, Duration)}, with the orphan reaper's period and grace. */
    public static JobEngine start(String name, EngineContext context, Config overrides, Duration reconcileEvery,
                                  Reaper.Settings reaping) {
        Config config = overrides.withFallback(ConfigFactory.parseResources("flywheel-cluster.conf"))
                .withFallback(ConfigFactory.defaultReference()).resolve();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name, config);
        return new JobEngine(system, context, reconcileEvery, reaping);
    }

    public static JobEngine start(EngineContext context) {
        return start("flywheel", context, ConfigFactory.empty(), Duration.ofSeconds(30));
    }

    /** Whether this node has joined the cluster. */
    public boolean isUp() {
        return Cluster.get(system).selfMember().status() == MemberStatus.up();
    }

    @Override
    public void wake(String jobId) {
        sharding.entityRefFor(JobEntity.TYPE_KEY, jobId).tell(JobEntity.Wake.INSTANCE);
    }

    @Override
    public void cancel(String jobId) {
        sharding.entityRefFor(JobEntity.TYPE_KEY, jobId).tell(JobEntity.CancelRequested.INSTANCE);
    }

    /** Wakes every unfinished job. */
    public CompletableFuture<Integer> reconcile() {
        List<String> ids = new ArrayList<>();
        return AdmissionTruth.read(context.store(), ids::add).thenApply(truth -> {
            ids.forEach(this::wake);
            return ids.size();
        });
    }

    public ActorSystem<Void> system() {
        return system;
    }

    /** This node's orphan reaper (promise P6). */
    public Reaper reaper() {
        return reaper;
    }

    @Override
    public void close() {
        reconciler.cancel();
        reaper.stop();
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("actor system did not stop in time: {}", e.toString());
        }
    }
}
