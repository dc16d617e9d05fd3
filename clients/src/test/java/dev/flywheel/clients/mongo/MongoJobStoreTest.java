package dev.flywheel.clients.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.Job;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.core.job.Jobs;
import dev.flywheel.core.store.JobStore;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DevStackExtension.class)
class MongoJobStoreTest {

    private static MongoStores stores;
    private static JobStore jobs;

    @BeforeAll
    static void open(DevStack stack) {
        stores = MongoStores.open(stack.mongoUri(), "test_jobs_" + UUID.randomUUID().toString().substring(0, 8)).join();
        jobs = stores.jobs();
    }

    @AfterAll
    static void close() {
        stores.close();
    }

    private static Job newJob(String client, String workload, String requestId) {
        CreateJobRequest request = CreateJobRequest.newBuilder().setClientId(client).setWorkloadId(workload)
                .setRequestId(requestId).build();
        return Jobs.newJob(jobs.newId(), request, JobConfigs.builtInDefaults(), "", 0, requestId, Instant.now());
    }

    private static String unique() {
        return UUID.randomUUID().toString();
    }

    @Test
    void createThenGetReturnsTheSameJob() {
        Job job = newJob(unique(), "w", unique());
        JobStore.Created created = jobs.create(job, "fp").join();
        assertThat(created.isNew()).isTrue();
        assertThat(jobs.get(job.getId()).join()).contains(job);
        assertThat(jobs.get("000000000000000000000000").join()).isEmpty();
        assertThat(jobs.get("not-an-id").join()).isEmpty();
    }

    @Test
    void sameRequestIdSamePayloadGivesTheFirstJobAndDifferentPayloadIsRejected() {
        String client = unique();
        String requestId = unique();
        Job first = newJob(client, "w", requestId);
        jobs.create(first, "fp-1").join();
        JobStore.Created again = jobs.create(newJob(client, "w", requestId), "fp-1").join();
        assertThat(again.isNew()).isFalse();
        assertThat(again.job().getId()).isEqualTo(first.getId());
        assertThatThrownBy(() -> jobs.create(newJob(client, "w", requestId), "fp-2").join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(FlywheelException.class)
                .extracting(e -> ((FlywheelException) e).kind()).isEqualTo(FlywheelException.Kind.ALREADY_EXISTS);
        // The same request_id from another client is another job.
        assertThat(jobs.create(newJob(unique(), "w", requestId), "fp-1").join().isNew()).isTrue();
    }

    @Test
    void concurrentCreatesWithOneRequestIdMakeOneJob() {
        String client = unique();
        String requestId = unique();
        List<CompletableFuture<JobStore.Created>> attempts = IntStream.range(0, 50)
                .mapToObj(i -> jobs.create(newJob(client, "w", requestId), "fp"))
                .toList();
        List<String> ids = attempts.stream().map(f -> f.join().job().getId()).distinct().toList();
        assertThat(ids).hasSize(1);
        assertThat(attempts.stream().filter(f -> f.join().isNew())).hasSize(1);
        assertThat(jobs.list(new JobStore.Filter(client, "", ""), 100, "").join().jobs()).hasSize(1);
    }

    @Test
    void compareAndSetRejectsAStaleVersion() {
        Job job = newJob(unique(), "w", unique());
        jobs.create(job, "fp").join();
        Job cancelled = Jobs.cancel(job, Instant.now());
        assertThat(jobs.compareAndSet(cancelled).join()).isTrue();
        // A second writer that also started from version 1 loses.
        Job stale = Jobs.advance(job, Instant.now()).setStage("other").build();
        assertThat(jobs.compareAndSet(stale).join()).isFalse();
        assertThat(jobs.get(job.getId()).join()).contains(cancelled);
    }

    @Test
    void listFiltersAndPagesNewestFirst() {
        String client = unique();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Job job = newJob(client, i % 2 == 0 ? "even" : "odd", unique());
            jobs.create(job, "fp").join();
            created.add(0, job.getId());
        }
        List<String> seen = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            JobStore.Page page = jobs.list(new JobStore.Filter(client, "", ""), 3, token).join();
            page.jobs().forEach(j -> seen.add(j.getId()));
            token = page.nextPageToken();
            pages++;
        } while (!token.isEmpty());
        assertThat(pages).isEqualTo(3);
        assertThat(seen).isEqualTo(created);
        assertThat(jobs.list(new JobStore.Filter(client, "even", ""), 100, "").join().jobs()).hasSize(4);
        assertThat(jobs.list(new JobStore.Filter(client, "even", "cancelled"), 100, "").join().jobs()).isEmpty();
        assertThatThrownBy(() -> jobs.list(new JobStore.Filter("", "", ""), 3, "garbage!"))
                .isInstanceOf(FlywheelException.class);
    }

    @Test
    void watchSeesCommittedChangesAndDeletion() throws Exception {
        Job job = newJob(unique(), "w", unique());
        jobs.create(job, "fp").join();
        List<Optional<Job>> seen = new CopyOnWriteArrayList<>();
        try (AutoCloseable ignored = jobs.watch(job.getId(), seen::add)) {
            Thread.sleep(300); // let the change stream open before the change
            Job cancelled = Jobs.cancel(job, Instant.now());
            assertThat(jobs.compareAndSet(cancelled).join()).isTrue();
            await().until(() -> seen.contains(Optional.of(cancelled)));
            assertThat(jobs.delete(job.getId()).join()).isTrue();
            await().until(() -> seen.contains(Optional.empty()));
        }
        assertThat(jobs.delete(job.getId()).join()).isFalse();
    }

    @Test
    void pingAnswers() {
        jobs.ping().join();
    }
}
