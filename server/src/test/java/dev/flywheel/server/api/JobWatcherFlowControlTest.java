package dev.flywheel.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobEvent;
import dev.flywheel.clients.mongo.MongoStores;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A watcher that cannot take events gets only the newest state when it can again, and the terminal one. */
@ExtendWith(DevStackExtension.class)
class JobWatcherFlowControlTest {

    @Test
    void aSlowWatcherSkipsToTheNewestVersionAndStillEndsOnTheTerminalOne(DevStack stack) throws Exception {
        try (MongoStores stores = MongoStores.open(stack.mongoUri(), "flow_" + UUID.randomUUID().toString().substring(0, 8)).join()) {
            Job job = Jobs.newJob(stores.jobs().newId(), CreateJobRequest.newBuilder().setClientId("c").setWorkloadId("w").build(),
                    JobConfigs.builtInDefaults(), "", 0, "r1", Instant.now());
            job = stores.jobs().create(job, "fp").join().job();

            List<JobEvent> events = new CopyOnWriteArrayList<>();
            AtomicBoolean ready = new AtomicBoolean(true);
            AtomicBoolean ended = new AtomicBoolean();
            JobWatcher watcher = JobWatcher.start(stores.jobs(), job.getId(), 0, new JobWatcher.Sink() {
                @Override
                public void onEvent(JobEvent event) {
                    events.add(event);
                }

                @Override
                public void onEnd() {
                    ended.set(true);
                }

                @Override
                public boolean ready() {
                    return ready.get();
                }
            }).join();
            assertThat(events).extracting(JobEvent::getKind).containsExactly("snapshot");

            ready.set(false); // the client stops reading
            Job current = job;
            for (int i = 1; i <= 5; i++) {
                current = Jobs.advance(current, Instant.now()).setProgress(i * 10).build();
                assertThat(stores.jobs().compareAndSet(current).join()).isTrue();
            }
            long newest = current.getVersion();
            Thread.sleep(500); // the changes reach the watcher, which holds back all but the newest
            assertThat(events).hasSize(1);

            ready.set(true);
            watcher.onReady();
            assertThat(events).hasSize(2);
            assertThat(events.get(1).getJob().getVersion()).isEqualTo(newest);
            assertThat(events.get(1).getJob().getProgress()).isEqualTo(50);

            Job cancelled = Jobs.cancel(current, Instant.now()); // pending → cancelled: terminal
            assertThat(stores.jobs().compareAndSet(cancelled).join()).isTrue();
            await().atMost(Duration.ofSeconds(10)).untilTrue(ended);
            assertThat(events).hasSize(3);
            assertThat(events.get(2).getJob().getStatus()).isEqualTo("cancelled");
        }
    }
}
