package dev.flywheel.devstack;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A MongoDB stand-in (mongo-java-server, in this JVM) on 127.0.0.1: no real mongod can be obtained on our
 * machines (infra.md §2). Memory backend for tests; H2 file backend ({@code <dataDir>/mongo.mv}) when given a
 * data directory, so the demo's data survives a restart. It reports MongoDB 5.0 (the 5.x drivers refuse older
 * wire versions) and keeps an oplog (change streams fail without it). No transactions or sessions.
 */
public final class LocalMongo implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalMongo.class);

    /** File name of the H2 store inside the data directory. */
    public static final String DATA_FILE_NAME = "mongo.mv";

    private final MongoServer server;
    private final InetSocketAddress address;
    private final Path dataFile;
    private boolean stopped;

    private LocalMongo(MongoServer server, InetSocketAddress address, Path dataFile) {
        this.server = server;
        this.address = address;
        this.dataFile = dataFile;
    }

    /** In-memory server on a free port. */
    public static LocalMongo startInMemory() {
        return start(null, 0);
    }

    /** Server on a free port; {@code dataDir} null = in memory, else data kept in {@code dataDir/mongo.mv}. */
    public static LocalMongo start(Path dataDir) {
        return start(dataDir, 0);
    }

    /** Server on {@code port} of 127.0.0.1 (0 = free port); {@code dataDir} as in {@link #start(Path)}. */
    public static LocalMongo start(Path dataDir, int port) {
        long t0 = System.nanoTime();
        Path dataFile = null;
        MongoBackend backend;
        if (dataDir == null) {
            backend = new MemoryBackend();
        } else {
            try {
                Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create Mongo data directory " + dataDir, e);
            }
            dataFile = dataDir.resolve(DATA_FILE_NAME).toAbsolutePath();
            backend = new H2Backend(dataFile.toString());
        }
        backend.version(ServerVersion.MONGO_5_0);
        MongoServer server = new MongoServer(backend);
        server.enableOplog();
        server.bind("127.0.0.1", port);
        InetSocketAddress address = server.getLocalAddress();
        LocalMongo mongo = new LocalMongo(server, address, dataFile);
        log.info("Mongo stand-in started on {} ({}) in {} ms", mongo.connectionString(),
                dataFile == null ? "memory" : dataFile, (System.nanoTime() - t0) / 1_000_000);
        return mongo;
    }

    /** {@code mongodb://127.0.0.1:PORT} */
    public String connectionString() {
        return "mongodb://127.0.0.1:" + address.getPort();
    }

    public int port() {
        return address.getPort();
    }

    /** The H2 file holding the data, or null for the memory backend. */
    public Path dataFile() {
        return dataFile;
    }

    /** Closes client connections and the backend (the H2 store is committed and closed). Idempotent. */
    public synchronized void stop() {
        if (!stopped) {
            stopped = true;
            server.shutdownNow();
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "LocalMongo[" + connectionString() + (dataFile == null ? ", memory" : ", " + dataFile) + "]";
    }
}
