package dev.flywheel.clients.nemo;

import dev.flywheel.clients.nemo.EvaluationConfigs.LocalJudge;
import dev.flywheel.clients.nemo.EvaluationTypes.CreateEvaluationJob;
import dev.flywheel.emulator.NemoEmulator;
import dev.flywheel.emulator.faults.FaultRule;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;

import static dev.flywheel.clients.nemo.EmulatorSupport.BASE_MODEL;
import static dev.flywheel.clients.nemo.EmulatorSupport.NS;
import static dev.flywheel.clients.nemo.EmulatorSupport.attempts;
import static dev.flywheel.clients.nemo.EmulatorSupport.failure;
import static dev.flywheel.clients.nemo.EmulatorSupport.join;
import static dev.flywheel.clients.nemo.EmulatorSupport.requests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retries, timeouts, circuit breaking and safe creates, through faults injected by the emulator (errors, lost
 * answers after the change was committed, hangs).
 */
class ResilienceTest {

    static final String JOB = "665f1c2e9b1e8a3d4c5b6a82";
    static NemoEmulator emu;
    SimpleMeterRegistry registry = EmulatorSupport.registry();
    NemoClients c;

    @BeforeAll
    static void start() {
        emu = EmulatorSupport.start();
    }

    @AfterAll
    static void stop() {
        EmulatorSupport.stop(emu);
    }

    @AfterEach
    void clearFaults() {
        emu.faults().clear();
    }

    NemoClients clients() {
        c = EmulatorSupport.clients(emu, registry);
        return c;
    }

    @Test
    void getIsRetriedThroughTransient503s() {
        NemoClients c = clients();
        join(c.entityStore().createNamespace("res-a"));
        emu.faults().add(FaultRule.error("GET", "/v1/namespaces/res-a", 503).times(2));
        assertThat(join(c.entityStore().getNamespace("res-a")).id()).isEqualTo("res-a");
        assertThat(attempts(registry, "entity-store", "getNamespace")).isEqualTo(3.0);
        assertThat(requests(registry, "entity-store", "getNamespace", "success")).isEqualTo(1);
        assertThat(registry.find("nemo.client.attempts").tag("operation", "getNamespace").tag("result", "503")
                .counter().count()).isEqualTo(2.0);
    }

    @Test
    void retriesGiveUpWithATypedRetryableError() {
        NemoClients c = clients();
        emu.faults().add(FaultRule.error("GET", "/v1/namespaces/res-b", 503));
        NemoException e = failure(c.entityStore().getNamespace("res-b"));
        assertThat(e.kind()).isEqualTo(NemoException.Kind.HTTP_STATUS);
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.isRetryable()).isTrue();
        assertThat(attempts(registry, "entity-store", "getNamespace")).isEqualTo(4.0); // maxAttempts
        assertThat(requests(registry, "entity-store", "getNamespace", "server_error")).isEqualTo(1);
    }

    @Test
    void aPostThatMayCreateIsNotResent() {
        NemoClients c = clients();
        emu.faults().add(FaultRule.error("POST", "/v1/evaluation/jobs", 503).times(1));
        long before = jobs();
        NemoException e = failure(c.evaluator().createJob(evalRequest()));
        assertThat(e.status()).isEqualTo(503);
        assertThat(attempts(registry, "evaluator", "createJob")).isEqualTo(1.0);
        assertThat(jobs()).isEqualTo(before);
    }

    @Test
    void lostAnswerOnDeploymentCreateIsRetriedAndAdopted() {
        NemoClients c = clients();
        String name = NemoNames.deployment(JOB, "nim", BASE_MODEL, 1);
        // DMS commits the deployment but the answer is lost; the retry meets "already exists" (500) and adopts.
        emu.faults().add(FaultRule.loseAnswer("POST", "/v1/deployment/model-deployments").times(1));
        var created = join(c.deployments().createDeployment(EmulatorSupport.deployment(name, BASE_MODEL, true)));
        assertThat(created.adopted()).isTrue();
        assertThat(created.value().name()).isEqualTo(name);
        assertThat(emu.ledger().entries()).filteredOn(x -> x.kind().equals("deployment")).hasSize(1);
        assertThat(emu.ledger().duplicates()).isEmpty();
        assertThat(registry.find("nemo.client.adopted").tag("operation", "createDeployment").counter().count()).isEqualTo(1.0);
    }

    @Test
    void lostAnswerOnNamespaceCreateIsRetriedAndAdoptedOn409() {
        NemoClients c = clients();
        emu.faults().add(FaultRule.loseAnswer("POST", "/v1/namespaces").times(1));
        var created = join(c.entityStore().createNamespace("res-lost"));
        assertThat(created.adopted()).isTrue();
        assertThat(emu.ledger().duplicates()).isEmpty();
    }

    @Test
    void lostAnswerOnEvaluationCreateIsFoundByKeyNotRecreated() {
        NemoClients c = clients();
        join(c.entityStore().createNamespace(NS));
        String key = NemoNames.resource(JOB, "base", BASE_MODEL, 7);
        emu.faults().add(FaultRule.loseAnswer("POST", "/v1/evaluation/jobs").times(1));
        long before = jobs();
        var created = join(c.evaluator().createOrAdoptJob(key, evalRequest()));
        assertThat(created.adopted()).isTrue();
        assertThat(created.value().customFields()).containsEntry(EvaluatorClient.KEY_FIELD, key);
        assertThat(jobs()).isEqualTo(before + 1);
        assertThat(attempts(registry, "evaluator", "createJob")).isEqualTo(1.0);
    }

    @Test
    void hangingAttemptTimesOutAndIsRetried() {
        var fastTimeout = EmulatorSupport.fast().withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(10));
        c = EmulatorSupport.clients(emu, registry, NemoClientSettings.all(fastTimeout));
        join(c.entityStore().createNamespace("res-hang"));
        emu.faults().add(FaultRule.hang("GET", "/v1/namespaces/res-hang").times(1));
        assertThat(join(c.entityStore().getNamespace("res-hang")).id()).isEqualTo("res-hang");
        assertThat(registry.find("nemo.client.attempts").tag("operation", "getNamespace").tag("result", "timeout")
                .counter().count()).isEqualTo(1.0);
    }

    @Test
    void hangingCallWithoutRetriesIsATypedTimeout() {
        var noRetry = EmulatorSupport.fast().withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(1))
                .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10));
        c = EmulatorSupport.clients(emu, registry, NemoClientSettings.all(noRetry));
        emu.faults().add(FaultRule.hang("GET", "/v1/deployment/model-deployments/*"));
        NemoException e = failure(c.deployments().getDeployment(NS, "whatever"));
        assertThat(e.kind()).isEqualTo(NemoException.Kind.TIMEOUT);
        assertThat(e.isRetryable()).isTrue();
        assertThat(requests(registry, "deployment", "getDeployment", "timeout")).isEqualTo(1);
    }

    @Test
    void circuitOpensPerServiceAndFailsFast() {
        var breaker = EmulatorSupport.fast().withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10))
                .withBreaker(0.5, 3, Duration.ofSeconds(20), Duration.ofSeconds(30));
        c = EmulatorSupport.clients(emu, registry, NemoClientSettings.all(breaker));
        emu.faults().add(FaultRule.error("GET", "/v1/customization/jobs/*", 503));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() ->
                failure(c.customizer().getJob("cust-x")).kind() == NemoException.Kind.CIRCUIT_OPEN);
        NemoException open = failure(c.customizer().getJobStatus("cust-x"));
        assertThat(open.kind()).isEqualTo(NemoException.Kind.CIRCUIT_OPEN);
        assertThat(open.service()).isEqualTo(NemoService.CUSTOMIZER);
        assertThat(requests(registry, "customizer", "getJobStatus", "circuit_open")).isEqualTo(1);
        // Other services keep their own breakers.
        join(c.entityStore().createNamespace("res-cb"));
    }

    @Test
    void connectionRefusedIsATypedTransportError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String dead = "http://127.0.0.1:" + port;
        var settings = NemoClientSettings.all(EmulatorSupport.fast().withRetries(2, Duration.ofMillis(10), Duration.ofMillis(10)));
        NemoClients c = NemoClients.create(new NemoEndpoints(dead, dead, dead, NS), registry, settings);
        NemoException e = failure(c.entityStore().getNamespace("x"));
        assertThat(e.kind()).isEqualTo(NemoException.Kind.TRANSPORT);
        assertThat(e.status()).isZero();
        assertThat(e.isRetryable()).isTrue();
        // Never sent, so even a create is retried.
        NemoException post = failure(c.evaluator().createJob(evalRequest()));
        assertThat(post.kind()).isEqualTo(NemoException.Kind.TRANSPORT);
        assertThat(attempts(registry, "evaluator", "createJob")).isEqualTo(2.0);
    }

    @Test
    void clientSetsAreCachedPerEndpoints() {
        var cache = new NemoClients.Cache(registry, NemoClientSettings.defaults(), EmulatorSupport.factory(emu));
        NemoClients a = cache.get(emu.platformUrl(), emu.nimUrl(), emu.datastoreUrl(), NS);
        NemoClients b = cache.get(emu.platformUrl() + "/", emu.nimUrl(), emu.datastoreUrl(), NS);
        NemoClients other = cache.get(emu.platformUrl(), emu.nimUrl(), emu.datastoreUrl(), "other-ns");
        assertThat(a).isSameAs(b);
        assertThat(other).isNotSameAs(a);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(join(a.nimProxy().listModels()).data()).isNotNull();
    }

    static CreateEvaluationJob evalRequest() {
        return new CreateEvaluationJob(NS, EvaluationConfigs.toolCalling("hf://datasets/fwtest/none/eval_data.jsonl", 5,
                new LocalJudge(BASE_MODEL)), EvaluationConfigs.modelTarget(BASE_MODEL), null, null);
    }

    static long jobs() {
        return emu.ledger().entries().stream().filter(e -> e.kind().equals("evaluation_job")).count();
    }
}
