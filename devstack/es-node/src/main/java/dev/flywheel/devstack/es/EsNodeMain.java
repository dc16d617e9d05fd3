package dev.flywheel.devstack.es;

import org.apache.lucene.util.Version;
import org.elasticsearch.Build;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.bytes.BytesArray;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.PluginBundle;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.rest.RestChannel;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Starts a single real Elasticsearch node from the jars that Maven laid out in {@code HOME} (infra.md §3.4):
 * server jars in {@code HOME/lib} on the classpath, the transport-netty4 module in {@code HOME/modules}.
 * Elasticsearch publishes no distribution on Maven Central, so this is how dev and tests get a real server.
 * It adds the {@code GET /} and {@code HEAD /} endpoints (normally from the unpublished rest-root module) because
 * the Java client's {@code info()} and {@code ping()} need them, and prints one {@code READY} line when it serves.
 *
 * <p>Usage: {@code EsNodeMain <httpPort|0> <HOME> [workDir]}. Port 0 binds a free port; the READY line tells which.
 * {@code workDir} (default {@code HOME}) holds {@code data/} and {@code logs/}, so several nodes can share one HOME.
 * With {@code -Dflywheel.es.exitOnStdinEof=true} the node exits when its stdin closes, i.e. when the parent
 * process that started it dies, even by SIGKILL; with {@code -Dflywheel.es.deleteWorkDirOnExit=true} it deletes
 * {@code workDir} when it exits.
 */
public final class EsNodeMain {

    private static final String NETTY_MODULE = "transport-netty4";

    private EsNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: EsNodeMain <httpPort|0> <HOME> [workDir]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Path home = Path.of(args[1]).toAbsolutePath().normalize();
        Path workDir = args.length == 3 ? Path.of(args[2]).toAbsolutePath().normalize() : home;
        prepareHome(home);

        LogConfigurator.registerErrorListener();
        LogConfigurator.configureESLogging();
        LogConfigurator.configureWithoutConfig(
                Settings.builder().put("logger.level", System.getProperty("es.log", "WARN")).build());

        Settings settings = Settings.builder()
                .put("path.home", home.toString())
                .put("path.data", workDir.resolve("data").toString())
                .put("path.logs", workDir.resolve("logs").toString())
                .put("cluster.name", "flywheel-dev")
                .put("node.name", "node-1")
                .put("discovery.type", "single-node")
                .put("network.host", "127.0.0.1")
                .put("http.port", port)
                // 0 = any free port: nothing connects to the transport layer of a single node,
                // and a fixed offset from the HTTP port could collide with another service.
                .put("transport.port", 0)
                .build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "node-1");
        PluginsLoader loader = PluginsLoader.createPluginsLoader(
                bundles("loadModulesBundles", env.modulesDir()),
                bundles("loadPluginsBundles", env.pluginsDir()),
                Map.of(), false);
        Node node = new Node(env, loader);
        addRootEndpoint(node);
        node.start();
        boolean deleteWorkDir = Boolean.getBoolean("flywheel.es.deleteWorkDirOnExit");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (IOException | RuntimeException e) {
                System.err.println("closing the node failed: " + e);
            }
            if (deleteWorkDir) {
                // a throwaway node cleans up after itself, even when its parent died without doing so
                deleteRecursively(workDir);
            }
        }, "es-node-shutdown"));

        int boundPort = node.injector().getInstance(HttpServerTransport.class)
                .boundAddress().publishAddress().getPort();
        long ms = ManagementFactory.getRuntimeMXBean().getUptime();
        System.out.println("READY http://127.0.0.1:" + boundPort
                + " (Elasticsearch " + Build.current().qualifiedVersion() + ") in " + ms + " ms");
        System.out.flush();

        if (Boolean.getBoolean("flywheel.es.exitOnStdinEof")) {
            waitForStdinEof();
            System.exit(0); // runs the shutdown hook, which closes the node
        }
        Thread.currentThread().join();
    }

    /**
     * Makes HOME loadable by ES's plugin loader: a plugin-descriptor.properties next to the netty module jar,
     * without {@code modulename=} so the module loads on a plain class loader (the server itself runs on the
     * classpath, not as a module), plus the directories ES expects to exist.
     */
    static void prepareHome(Path home) throws IOException {
        Path moduleDir = home.resolve("modules").resolve(NETTY_MODULE);
        Path moduleJar = findModuleJar(moduleDir);
        String descriptor;
        try (JarFile jar = new JarFile(moduleJar.toFile());
             InputStream in = jar.getInputStream(jar.getEntry(
                     "META-INF/es-plugins/" + NETTY_MODULE + "/plugin-descriptor.properties"))) {
            descriptor = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).lines()
                    .filter(line -> !line.trim().startsWith("modulename="))
                    .collect(Collectors.joining("\n", "", "\n"));
        }
        Path target = moduleDir.resolve("plugin-descriptor.properties");
        // Several nodes may start from the same HOME at once (one per test JVM): write only when needed, atomically.
        if (!Files.exists(target) || !Files.readString(target, StandardCharsets.ISO_8859_1).equals(descriptor)) {
            Path tmp = Files.createTempFile(moduleDir, "descriptor", ".tmp");
            Files.writeString(tmp, descriptor, StandardCharsets.ISO_8859_1);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.createDirectories(home.resolve("plugins"));
        Files.createDirectories(home.resolve("config"));
        Path nativeLibs = Files.createDirectories(home.resolve("lib").resolve("platform").resolve("linux-x64"));
        if (System.getProperty("es.nativelibs.path") == null) {
            // ES 9 fails with a NullPointerException without it; the native libraries themselves are not on Maven.
            System.setProperty("es.nativelibs.path", nativeLibs.toString());
        }
    }

    private static Path findModuleJar(Path moduleDir) throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(moduleDir, NETTY_MODULE + "-*.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        }
        throw new IOException("no " + NETTY_MODULE + "-*.jar in " + moduleDir + " (run mvn package on es-node)");
    }

    /** {@code loadModulesBundles}/{@code loadPluginsBundles} take (Path) in ES 8.19 and (Path, boolean) in 9.x. */
    @SuppressWarnings("unchecked")
    private static Set<PluginBundle> bundles(String methodName, Path dir) throws Exception {
        for (Method m : PluginsLoader.class.getMethods()) {
            if (m.getName().equals(methodName)) {
                return (Set<PluginBundle>) (m.getParameterCount() == 1 ? m.invoke(null, dir) : m.invoke(null, dir, false));
            }
        }
        throw new NoSuchMethodException("PluginsLoader." + methodName);
    }

    /** GET / and HEAD / normally come from the rest-root module, which is not published on Maven Central. */
    private static void addRootEndpoint(Node node) {
        ClusterService cs = node.injector().getInstance(ClusterService.class);
        RestController controller = node.injector().getInstance(RestController.class);
        RestHandler handler = (RestRequest request, RestChannel channel, NodeClient client) -> {
            if (request.method() == RestRequest.Method.HEAD) {
                channel.sendResponse(new RestResponse(RestStatus.OK, RestResponse.TEXT_CONTENT_TYPE, BytesArray.EMPTY));
                return;
            }
            Build b = Build.current();
            XContentBuilder body = channel.newBuilder();
            body.startObject()
                    .field("name", cs.getNodeName())
                    .field("cluster_name", cs.getClusterName().value())
                    .field("cluster_uuid", cs.state().metadata().clusterUUID())
                    .startObject("version")
                    .field("number", b.qualifiedVersion())
                    .field("build_flavor", b.flavor())
                    .field("build_type", "tar")
                    .field("build_hash", b.hash())
                    .field("build_date", b.date())
                    .field("build_snapshot", b.isSnapshot())
                    .field("lucene_version", Version.LATEST.toString())
                    .field("minimum_wire_compatibility_version", b.minWireCompatVersion())
                    .field("minimum_index_compatibility_version", b.minIndexCompatVersion())
                    .endObject()
                    .field("tagline", "You Know, for Search")
                    .endObject();
            channel.sendResponse(new RestResponse(RestStatus.OK, body));
        };
        controller.registerHandler(new RestHandler.Route(RestRequest.Method.GET, "/"), handler);
        controller.registerHandler(new RestHandler.Route(RestRequest.Method.HEAD, "/"), handler);
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }

    private static void waitForStdinEof() {
        byte[] buffer = new byte[256];
        try {
            while (System.in.read(buffer) >= 0) {
                // the parent never writes; anything it might send is ignored
            }
        } catch (IOException e) {
            // a broken pipe means the parent is gone as well
        }
    }
}
