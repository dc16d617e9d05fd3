package dev.flywheel.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Elasticsearch 8.19 node, run as a child JVM from the {@code devstack/es-node} module
 * ({@code dev.flywheel.devstack.es.EsNodeMain}). It runs in its own process because ES's Lucene, log4j and
 * Netty 4.1 must not meet ours. Each start gets a fresh, temporary data directory and a free HTTP port; the child
 * is killed on {@link #stop()}, by a JVM shutdown hook, and (via its stdin) when this JVM dies in any other way.
 * Locating es-node: system property {@value #ES_NODE_DIR_PROPERTY}, env {@value #ES_NODE_DIR_ENV}, else upwards
 * from the working directory; it must have been built ({@code mvn -pl devstack/es-node package}).
 */
public final class LocalElasticsearch implements AutoCloseable {

    public static final String ES_NODE_DIR_PROPERTY = "flywheel.es.node.dir";
    public static final String ES_NODE_DIR_ENV = "FLYWHEEL_ES_NODE_DIR";
    static final String MAIN_CLASS = "dev.flywheel.devstack.es.EsNodeMain";

    private static final Logger log = LoggerFactory.getLogger(LocalElasticsearch.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern READY = Pattern.compile("^READY (http://127\\.0\\.0\\.1:\\d+) .*");
    private static final int LOG_TAIL_LINES = 60;

    private final Process process;
    private final Path workDir;
    private final String url;
    private final Thread shutdownHook;
    private final Deque<String> logTail;
    private boolean stopped;

    private LocalElasticsearch(Process process, Path workDir, String url, Thread shutdownHook, Deque<String> logTail) {
        this.process = process;
        this.workDir = workDir;
        this.url = url;
        this.shutdownHook = shutdownHook;
        this.logTail = logTail;
    }

    /** Starts a node from the es-node module found by {@link #locateEsNode()}. Blocks until cluster health is yellow. */
    public static LocalElasticsearch start() {
        return start(locateEsNode());
    }

    /** Starts a node from the es-node module directory {@code esNodeDir} (the one containing {@code target/}). */
    public static LocalElasticsearch start(Path esNodeDir) {
        long t0 = System.nanoTime();
        Path home = esNodeDir.resolve("target").resolve("es-home");
        Path classes = esNodeDir.resolve("target").resolve("classes");
        checkBuilt(esNodeDir, home, classes);

        Path workDir;
        try {
            workDir = Files.createTempDirectory("flywheel-es-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for Elasticsearch", e);
        }
        List<String> command = List.of(
                javaExecutable(), "-Xms512m", "-Xmx512m", "-XX:+UseSerialGC",
                // the child exits when our end of its stdin closes, i.e. when this JVM dies, even by SIGKILL
                "-Dflywheel.es.exitOnStdinEof=true",
                "-Dflywheel.es.deleteWorkDirOnExit=true",
                "-Djava.io.tmpdir=" + workDir,
                "-cp", classes + File.pathSeparator + home.resolve("lib") + File.separator + "*",
                MAIN_CLASS,
                "0", // ES binds a free HTTP port and names it in its READY line, so no port race
                home.toString(), workDir.toString());
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            deleteRecursively(workDir);
            throw new UncheckedIOException("cannot start the Elasticsearch JVM: " + command, e);
        }
        Thread hook = new Thread(() -> kill(process), "flywheel-es-kill");
        Runtime.getRuntime().addShutdownHook(hook);

        Deque<String> tail = new ArrayDeque<>();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> pump(process, tail, ready), "flywheel-es-log");
        reader.setDaemon(true);
        reader.start();

        LocalElasticsearch es = null;
        try {
            String url = ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            es = new LocalElasticsearch(process, workDir, url, hook, tail);
            long remaining = START_TIMEOUT.toMillis() - (System.nanoTime() - t0) / 1_000_000;
            es.awaitYellow(Duration.ofMillis(Math.max(remaining, 1_000)));
            log.info("Elasticsearch started at {} in {} ms (pid {})", url, (System.nanoTime() - t0) / 1_000_000,
                    process.pid());
            return es;
        } catch (InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String why = e instanceof TimeoutException ? "no READY line within " + START_TIMEOUT.toSeconds() + " s"
                    : e instanceof ExecutionException ? e.getCause().getMessage() : e.toString();
            if (es != null) {
                es.stop();
            } else {
                kill(process);
                removeHook(hook);
                deleteRecursively(workDir);
            }
            throw new IllegalStateException("Elasticsearch did not start: " + why
                    + "\n--- last lines of its output ---\n" + String.join("\n", snapshot(tail)), e);
        }
    }

    /**
     * Finds the es-node module directory: system property {@value #ES_NODE_DIR_PROPERTY}, then env
     * {@value #ES_NODE_DIR_ENV}, then the first {@code devstack/es-node} with a {@code target/es-home} found by
     * walking up from the working directory (tests run in a module directory, the launcher in the repo root).
     */
    public static Path locateEsNode() {
        String configured = System.getProperty(ES_NODE_DIR_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(ES_NODE_DIR_ENV);
        }
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path cwd = Path.of("").toAbsolutePath();
        for (Path dir = cwd; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("devstack").resolve("es-node");
            if (Files.isDirectory(candidate.resolve("target").resolve("es-home"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find the built es-node module (devstack/es-node/target/es-home) "
                + "above " + cwd + ". Build it with `mvn -pl devstack/es-node package` from the repository root, "
                + "or set -D" + ES_NODE_DIR_PROPERTY + "=<path to devstack/es-node> or " + ES_NODE_DIR_ENV + ".");
    }

    /** {@code http://127.0.0.1:PORT} */
    public String url() {
        return url;
    }

    /** Process id of the child JVM. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The temporary directory holding this node's data, logs and temp files; deleted by {@link #stop()}. */
    public Path workDir() {
        return workDir;
    }

    /** The most recent output lines of the node, for diagnostics. */
    public List<String> logTail() {
        return snapshot(logTail);
    }

    /** Terminates the child JVM and deletes its data directory. Idempotent. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        kill(process);
        removeHook(shutdownHook);
        deleteRecursively(workDir);
        log.info("Elasticsearch at {} stopped", url);
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "LocalElasticsearch[" + url + ", pid " + process.pid() + "]";
    }

    private void awaitYellow(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(
                        url + "/_cluster/health?wait_for_status=yellow&timeout=" + timeout.toSeconds() + "s"))
                .timeout(timeout.plusSeconds(5)).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200 || !response.body().contains("\"timed_out\":false")) {
                throw new IllegalStateException("cluster health not yellow: HTTP " + response.statusCode() + " "
                        + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cluster health request to " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for cluster health", e);
        }
    }

    /** Reads the child's output until it ends: keeps a tail, logs it at debug, spots the READY line. */
    private static void pump(Process process, Deque<String> tail, CompletableFuture<String> ready) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (tail) {
                    if (tail.size() == LOG_TAIL_LINES) {
                        tail.removeFirst();
                    }
                    tail.addLast(line);
                }
                log.debug("es: {}", line);
                Matcher m = READY.matcher(line);
                if (m.matches()) {
                    ready.complete(m.group(1));
                }
            }
        } catch (IOException e) {
            // the stream closes when the process is killed; nothing to do
        }
        ready.completeExceptionally(new IllegalStateException("the Elasticsearch JVM exited" + exitCode(process)));
    }

    private static String exitCode(Process process) {
        try {
            // its output ends a moment before the process does
            return process.waitFor(5, TimeUnit.SECONDS) ? " with code " + process.exitValue() : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static List<String> snapshot(Deque<String> tail) {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    /** SIGTERM lets the node close cleanly; SIGKILL if that takes too long (its data is thrown away anyway). */
    private static void kill(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down and the hook runs (or ran) anyway
        }
    }

    private static void checkBuilt(Path esNodeDir, Path home, Path classes) {
        Path mainClass = classes.resolve(MAIN_CLASS.replace('.', '/') + ".class");
        if (!Files.isDirectory(home.resolve("lib")) || !Files.isDirectory(home.resolve("modules"))
                || !Files.isRegularFile(mainClass)) {
            throw new IllegalStateException("es-node at " + esNodeDir + " is not built (need target/classes and "
                    + "target/es-home/{lib,modules}). Run `mvn -pl devstack/es-node package` from the repository root.");
        }
    }

    /** The java executable of this JVM, so the node runs on the same Java (17) as we do. */
    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return; // the node deletes its own work directory when it exits cleanly
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
