package dev.flywheel.clients.nemo;

import dev.flywheel.clients.nemo.DataStoreTypes.RepoFile;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoRef;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoType;
import dev.flywheel.clients.nemo.DeploymentTypes.CreateDeployment;
import dev.flywheel.clients.nemo.DeploymentTypes.DeploymentConfig;
import dev.flywheel.clients.nemo.DeploymentTypes.NimDeployment;
import com.linecorp.armeria.client.ClientFactory;
import dev.flywheel.emulator.NemoEmulator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Shared helpers for the integration tests, which run the clients over real HTTP against the NeMo emulator
 * ({@code flywheel-emulator}); no stand-in servers.
 */
final class EmulatorSupport {

    static final String NS = "fwtest";
    static final String BASE_MODEL = "meta/llama-3.2-1b-instruct";

    private EmulatorSupport() {
    }

    private static final Map<NemoEmulator, ClientFactory> FACTORIES = new ConcurrentHashMap<>();

    static NemoEmulator start() {
        NemoEmulator emu = NemoEmulator.builder().seed(7).timeScale(0.01).start();
        FACTORIES.put(emu, ClientFactory.builder().build());
        return emu;
    }

    static ClientFactory factory(NemoEmulator emu) {
        return FACTORIES.getOrDefault(emu, ClientFactory.ofDefault());
    }

    /** Closes the test's client connections first (the emulator's servers stop faster without them), then it. */
    static void stop(NemoEmulator emu) {
        ClientFactory f = FACTORIES.remove(emu);
        if (f != null) {
            f.close();
        }
        emu.close();
    }

    /** Fast retries and timeouts so tests finish quickly; a breaker that never trips unless a test wants it. */
    static NemoClientSettings.ServiceSettings fast() {
        return NemoClientSettings.ServiceSettings.defaults(NemoService.EVALUATOR)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(15))
                .withRetries(4, Duration.ofMillis(20), Duration.ofMillis(200))
                .withBreaker(0.5, 10_000, Duration.ofSeconds(30), Duration.ofSeconds(5));
    }

    static NemoClients clients(NemoEmulator emu, MeterRegistry registry) {
        return clients(emu, registry, NemoClientSettings.all(fast()));
    }

    static NemoClients clients(NemoEmulator emu, MeterRegistry registry, NemoClientSettings settings) {
        return NemoClients.create(new NemoEndpoints(emu.platformUrl(), emu.nimUrl(), emu.datastoreUrl(), NS),
                registry, settings, FACTORIES.getOrDefault(emu, ClientFactory.ofDefault()));
    }

    static SimpleMeterRegistry registry() {
        return new SimpleMeterRegistry();
    }

    static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("call failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The typed error a call failed with. */
    static NemoException failure(CompletableFuture<?> f) {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = Futures.unwrap(e);
            assertThat(c).isInstanceOf(NemoException.class);
            return (NemoException) c;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return fail("expected the call to fail");
    }

    static double attempts(MeterRegistry r, String service, String operation) {
        return r.find("nemo.client.attempts").tag("service", service).tag("operation", operation)
                .counters().stream().mapToDouble(Counter::count).sum();
    }

    static long requests(MeterRegistry r, String service, String operation, String outcome) {
        return r.find("nemo.client.requests").tag("service", service).tag("operation", operation)
                .tag("outcome", outcome).timers().stream().mapToLong(Timer::count).sum();
    }

    static CreateDeployment deployment(String name, String model, boolean lora) {
        return new CreateDeployment(name, NS, new DeploymentConfig(model,
                new NimDeployment("nvcr.io/nim/" + model, "1.8.3", "25Gi", 1,
                        Map.of("NIM_GUIDED_DECODING_BACKEND", "outlines"), lora ? null : true)), null);
    }

    /** Deploys {@code model} and waits until the NIM proxy routes it. */
    static void deployAndWait(NemoClients c, String name, String model, boolean lora) {
        join(c.deployments().createDeployment(deployment(name, model, lora)));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> join(c.nimProxy().hasModel(model)));
    }

    /** Creates both namespaces and a dataset repo holding {@code files}. */
    static RepoRef datasetRepo(NemoClients c, String name, List<RepoFile> files) {
        join(c.entityStore().createNamespace(NS));
        join(c.dataStore().createNamespace(NS));
        RepoRef repo = join(c.dataStore().createRepo(NS, name, RepoType.DATASET)).value();
        join(c.dataStore().uploadFiles(repo, "main", files, "test data"));
        return repo;
    }

    /** Rows in the reference's dataset format: logged OpenAI requests with tools and the teacher's tool calls. */
    static byte[] toolCallingRows(int n) {
        StringBuilder sb = new StringBuilder();
        String[] cities = {"Paris", "Berlin", "Rome", "Madrid", "Oslo", "Lima", "Cairo", "Tokyo"};
        for (int i = 0; i < n; i++) {
            String city = cities[i % cities.length];
            sb.append("{\"request\": {\"messages\": [{\"role\": \"user\", \"content\": \"Weather in ").append(city)
                    .append("?\"}], \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", ")
                    .append("\"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}}}]}, ")
                    .append("\"response\": {\"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": \"\", ")
                    .append("\"tool_calls\": [{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", ")
                    .append("\"arguments\": {\"city\": \"").append(city).append("\"}}}]}}]}}\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Rows of a generic (non-tool) workload: logged question and the teacher's answer. */
    static byte[] genericRows(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("{\"request\": {\"messages\": [{\"role\": \"user\", \"content\": \"What is the capital of country ")
                    .append(i).append("?\"}]}, \"response\": {\"choices\": [{\"message\": {\"role\": \"assistant\", ")
                    .append("\"content\": \"The capital of country ").append(i).append(" is City ").append(i).append(".\"}}]}}\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Training rows in OpenAI chat format. */
    static byte[] trainingRows(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("{\"messages\": [{\"role\": \"user\", \"content\": \"What is ").append(i)
                    .append(" plus one?\"}, {\"role\": \"assistant\", \"content\": \"").append(i + 1).append("\"}]}\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
