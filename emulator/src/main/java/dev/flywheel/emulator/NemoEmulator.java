package dev.flywheel.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import dev.flywheel.emulator.admin.AdminApi;
import dev.flywheel.emulator.customizer.AdapterRegistry;
import dev.flywheel.emulator.customizer.Customizer;
import dev.flywheel.emulator.customizer.CustomizerApi;
import dev.flywheel.emulator.datastore.DataStore;
import dev.flywheel.emulator.datastore.DataStoreApi;
import dev.flywheel.emulator.dms.DeploymentApi;
import dev.flywheel.emulator.dms.Deployments;
import dev.flywheel.emulator.entity.EntityStore;
import dev.flywheel.emulator.entity.EntityStoreApi;
import dev.flywheel.emulator.evaluator.Evaluator;
import dev.flywheel.emulator.evaluator.EvaluatorApi;
import dev.flywheel.emulator.faults.FaultDecorator;
import dev.flywheel.emulator.faults.FaultPlan;
import dev.flywheel.emulator.faults.Faults;
import dev.flywheel.emulator.http.Json;
import dev.flywheel.emulator.http.Reply;
import dev.flywheel.emulator.http.Routes;
import dev.flywheel.emulator.nim.InferenceEngine;
import dev.flywheel.emulator.nim.ModelCatalog;
import dev.flywheel.emulator.nim.NimApi;
import dev.flywheel.emulator.sim.ReferenceOracle;
import dev.flywheel.emulator.state.Ids;
import dev.flywheel.emulator.state.Ledger;
import dev.flywheel.emulator.state.SimClock;
import dev.flywheel.emulator.state.Timings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory emulator of the NeMo Microservices v1 API subset Flywheel drives, serving three hosts on three ports:
 * the platform ({@code nemo.test}: Entity Store, DMS, Customizer, Evaluator, plus the {@code /emulator/} admin API),
 * the NIM proxy ({@code nim.test}) and the Data Store ({@code data-store.test}). The NIM proxy must have its own port
 * because its {@code /v1/models} collides with the Entity Store's.
 *
 * <pre>{@code
 * try (NemoEmulator nemo = NemoEmulator.builder().seed(42).timeScale(0.01).start()) {
 *     String platform = nemo.platformUrl(); // e.g. http://127.0.0.1:41234
 * }
 * }</pre>
 *
 * This class only wires the parts together and owns the servers' lifecycle (start, emulated restart, close).
 */
public final class NemoEmulator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NemoEmulator.class);

    private final EmulatorContext ctx;
    private final List<Consumer<Routes>> platformRoutes;
    private final List<Consumer<Routes>> nimRoutes;
    private final List<Consumer<Routes>> datastoreRoutes;
    private final String bindHost;
    private int platformPort;
    private int nimPort;
    private int datastorePort;
    private Server platform;
    private Server nim;
    private Server datastore;
    private volatile boolean closed;

    private NemoEmulator(Builder b) {
        SimClock clock = new SimClock(b.timeScale);
        Ids ids = new Ids(b.seed);
        Ledger ledger = new Ledger();
        Faults faults = new Faults(b.seed, b.faults);
        this.ctx = new EmulatorContext(b.seed, clock, b.timings, ids, ledger, faults, new ReferenceOracle());
        this.bindHost = b.bindHost;
        this.platformPort = b.platformPort;
        this.nimPort = b.nimPort;
        this.datastorePort = b.datastorePort;

        EntityStore entities = new EntityStore(ctx);
        DataStore dataStore = new DataStore(ctx);
        Deployments deployments = new Deployments(ctx);
        AdapterRegistry adapters = new AdapterRegistry();
        InferenceEngine engine = new InferenceEngine(ctx,
                new ModelCatalog(ctx, deployments, adapters, entities));
        Customizer customizer = new Customizer(ctx, entities, dataStore, adapters);
        Evaluator evaluator = new Evaluator(ctx, dataStore, engine);

        ObjectNode info = Json.obj().put("seed", b.seed).put("time_scale", b.timeScale);
        AdminApi admin = new AdminApi(ledger, faults, this::restartAsync, info);
        Consumer<Routes> health = r -> r.get("/v1/health", c -> Reply.ok(Json.obj().put("status", "healthy")));
        this.platformRoutes = List.of(health, new EntityStoreApi(entities)::register,
                new DeploymentApi(deployments)::register, new CustomizerApi(customizer)::register,
                new EvaluatorApi(evaluator)::register, admin::register);
        this.nimRoutes = List.of(new NimApi(ctx, engine)::register);
        this.datastoreRoutes = List.of(new DataStoreApi(dataStore)::register);
    }

    public static Builder builder() {
        return new Builder();
    }

    private synchronized NemoEmulator startServers() {
        platform = startServer("platform", platformPort, platformRoutes);
        platformPort = platform.activeLocalPort();
        nim = startServer("nim", nimPort, nimRoutes);
        nimPort = nim.activeLocalPort();
        datastore = startServer("datastore", datastorePort, datastoreRoutes);
        datastorePort = datastore.activeLocalPort();
        return this;
    }

    private Server startServer(String host, int port, List<Consumer<Routes>> routes) {
        ServerBuilder sb = Server.builder()
                .http(new java.net.InetSocketAddress(bindHost, port))
                // Clients own their timeouts; a server-side timeout would turn an injected hang into a 503.
                // An explicit hostname avoids Armeria looking up the machine name, which can take seconds.
                .defaultHostname("localhost")
                .requestTimeoutMillis(0)
                // Stopping drops in-flight requests at once, which is what an emulated restart should do.
                .gracefulShutdownTimeoutMillis(0, 0)
                .maxRequestLength(64L * 1024 * 1024)
                .decorator(new FaultDecorator(host, ctx.faults()));
        Routes r = new Routes(sb);
        routes.forEach(reg -> reg.accept(r));
        r.notFoundFallback();
        Server s = sb.build();
        s.start().join();
        return s;
    }

    /** Stops the three servers in parallel (each takes a couple of seconds to release its event loops). */
    private void stopServers() {
        List<CompletableFuture<Void>> stops = new java.util.ArrayList<>();
        for (Server s : new Server[] {platform, nim, datastore}) {
            if (s != null) {
                stops.add(s.stop());
            }
        }
        CompletableFuture.allOf(stops.toArray(new CompletableFuture[0])).join();
    }

    /**
     * Emulates a platform restart: all three servers stop at once (in-flight requests are dropped), stay down for
     * {@code downtime}, and come back on the same ports. State is kept and background jobs keep running.
     */
    public synchronized void restart(Duration downtime) {
        if (closed) {
            return;
        }
        stopServers();
        try {
            Thread.sleep(downtime.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!closed) {
            startServers();
        }
        log.info("Emulator restarted after {} ms down", downtime.toMillis());
    }

    /** Restart requested over HTTP: answer first, then go down (on another thread, never on the event loop). */
    private void restartAsync(Duration downtime) {
        CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            restart(downtime);
        });
    }

    public String platformUrl() {
        return "http://" + bindHost + ":" + platformPort;
    }

    public String nimUrl() {
        return "http://" + bindHost + ":" + nimPort;
    }

    public String datastoreUrl() {
        return "http://" + bindHost + ":" + datastorePort;
    }

    public Ledger ledger() {
        return ctx.ledger();
    }

    /** Live fault control: {@code faults().set(plan)}, {@code faults().add(rule)}, {@code faults().clear()}. */
    public Faults faults() {
        return ctx.faults();
    }

    public long seed() {
        return ctx.seed();
    }

    @Override
    public synchronized void close() {
        closed = true;
        stopServers();
        ctx.clock().close();
    }

    /** Configuration of an emulator; every setting has a default suited to tests except the time scale. */
    public static final class Builder {
        private long seed = 42;
        private double timeScale = 1.0;
        private Timings timings = Timings.defaults();
        private FaultPlan faults = FaultPlan.none();
        private String bindHost = "127.0.0.1";
        private int platformPort;
        private int nimPort;
        private int datastorePort;

        /** Seed of every simulated choice (answers, losses, ids, fault chances). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Multiplier on every nominal delay: 1.0 ≈ 5 min per flywheel run, 0.2 ≈ 1 min, 0.002 for tests. */
        public Builder timeScale(double timeScale) {
            this.timeScale = timeScale;
            return this;
        }

        public Builder timings(Timings timings) {
            this.timings = timings;
            return this;
        }

        public Builder faults(FaultPlan faults) {
            this.faults = faults;
            return this;
        }

        public Builder bindHost(String host) {
            this.bindHost = host;
            return this;
        }

        /** Ports; 0 (the default) picks a free one. */
        public Builder ports(int platform, int nim, int datastore) {
            this.platformPort = platform;
            this.nimPort = nim;
            this.datastorePort = datastore;
            return this;
        }

        public NemoEmulator start() {
            NemoEmulator e = new NemoEmulator(this);
            try {
                return e.startServers();
            } catch (RuntimeException ex) {
                e.close();
                throw ex;
            }
        }
    }

    /** Standalone entry point; see {@link EmulatorMain}. */
    public static void main(String[] args) throws Exception {
        EmulatorMain.main(args);
    }
}
