package dev.flywheel.actors.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flywheel.api.v1.Job;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.emulator.NemoEmulator;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * GPU admission end to end: 20 jobs on a service with 2 GPUs never have more than 2 deployments at once, wait in
 * line with a visible position, and all finish — even when Redis is flushed in the middle (promise P7).
 */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdmissionEngineTest {

    static final int GPUS = 2;
    static final int JOBS = 20;

    NemoEmulator emulator;
    EngineRig rig;
    DevStack stack;

    @BeforeAll
    void start(DevStack stack) throws Exception {
        this.stack = stack;
        emulator = NemoEmulator.builder().seed(11).timeScale(0.002).start();
        rig = new EngineRig(stack, emulator, GPUS, EngineRig.fastSettings());
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
        emulator.close();
    }

    String describe(List<String> ids) {
        StringBuilder sb = new StringBuilder("admission used=" + rig.admission.used().join() + " waiting="
                + rig.admission.waiting().join() + "\n");
        for (String id : ids) {
            Job j = rig.get(id);
            if (!Jobs.isTerminal(j)) {
                sb.append(id).append(' ').append(j.getStatus()).append(' ').append(j.getStage()).append(" q=").append(j.getQueuePosition());
                j.getCandidatesList().forEach(c -> sb.append(" [").append(c.getStatus()).append(' ').append(c.getAdmission())
                        .append(" q=").append(c.getQueuePosition()).append(' ').append(c.getDeploymentStatus()).append(']'));
                sb.append(" last=").append(j.getTimelineList().isEmpty() ? "" : j.getTimeline(j.getTimelineCount() - 1).getMessage()).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void twentyJobsOnTwoGpusNeverDeployMoreThanTwoAndSurviveARedisFlush() throws Exception {
        AtomicInteger maxLive = new AtomicInteger();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread monitor = new Thread(() -> {
            while (watching.get()) {
                long live = emulator.ledger().live().stream().filter(e -> e.kind().equals("deployment")).count();
                maxLive.accumulateAndGet((int) live, Math::max);
                Thread.onSpinWait();
            }
        });
        monitor.start();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            ids.add(rig.submit(rig.remoteJudgeConfig(EngineRig.MODELS.subList(i % 3, i % 3 + 1))).getId());
        }
        // Some wait in line with a position.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> ids.stream().map(rig::get).anyMatch(j -> j.getQueuePosition() > 1));

        // Lose Redis' state while jobs hold and wait for GPUs: it is rebuilt from MongoDB.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> ids.stream().map(rig::get).filter(Jobs::isTerminal).count() >= 3);
        RedisClient redis = RedisClient.create(stack.redisUri());
        try (var connection = redis.connect()) {
            connection.sync().flushall();
        } finally {
            redis.shutdown();
        }

        for (String id : ids) {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                    assertThat(Jobs.isTerminal(rig.get(id))).as("%s", describe(ids)).isTrue());
        }
        watching.set(false);
        monitor.join();

        for (String id : ids) {
            Job job = rig.get(id);
            assertThat(job.getStatus()).as("%s: %s", id, job.getError()).isEqualTo("completed");
            assertThat(job.getQueuePosition()).isZero();
        }
        assertThat(maxLive.get()).isEqualTo(GPUS);
        assertThat(emulator.ledger().duplicates()).isEmpty();
        assertThat(emulator.ledger().entries()).filteredOn(e -> e.kind().equals("deployment")).hasSize(JOBS);
        assertThat(emulator.ledger().live()).filteredOn(e -> e.kind().equals("deployment")).isEmpty();
        assertThat(rig.admission.used().join()).isZero();
        assertThat(rig.admission.waiting().join()).isZero();
    }
}
