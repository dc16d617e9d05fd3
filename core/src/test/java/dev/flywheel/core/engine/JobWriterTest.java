package dev.flywheel.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.TimelineEvent;
import dev.flywheel.core.job.JobStatus;
import dev.flywheel.core.job.Jobs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link JobWriter} against an in-memory store: a change is committed with {@code version + 1} once durable;
 * changes arriving during a write are batched into one next write in submission order; a no-op makes no write;
 * on a CAS conflict the batch is re-applied on top of the stored job, so another writer's change (the API's cancel)
 * survives together with the engine's; a throwing change or a failing store fails only what it must, and the
 * writer keeps working afterwards. A seeded random test and a multi-threaded test check that no committed change is
 * lost or reordered.
 */
class JobWriterTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final List<Job> reloads = new CopyOnWriteArrayList<>();
    private FakeJobStore store;
    private Job initial;
    private String id;
    private JobWriter writer;
    private ExecutorService executor;

    @BeforeEach
    void setUp() {
        store = new FakeJobStore();
        id = store.newId();
        initial = Job.newBuilder().setId(id).setStatus(JobStatus.RUNNING.wire()).setStage(JobMoves.STAGE_INITIALIZE)
                .setVersion(1).build();
        store.put(initial);
        writer = new JobWriter(store, initial, clock, reloads::add);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (executor != null) {
            executor.shutdownNow();
            executor.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** A change that appends a "mark" timeline event, so tests can see which changes a job contains, in order. */
    private static UnaryOperator<Job> mark(String m) {
        return j -> j.toBuilder().addTimeline(TimelineEvent.newBuilder().setType("mark").setMessage(m)).build();
    }

    private static List<String> marks(Job job) {
        return job.getTimelineList().stream().filter(e -> e.getType().equals("mark")).map(TimelineEvent::getMessage).toList();
    }

    private static Throwable failure(CompletableFuture<Job> future) {
        assertThat(future).isCompletedExceptionally();
        try {
            future.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    void aChangeIsCommittedWithTheNextVersion() {
        CompletableFuture<Job> done = writer.commit(j -> j.toBuilder().setStage(JobMoves.STAGE_DATASETS).build());

        assertThat(done).isCompleted();
        Job committed = done.join();
        assertThat(committed.getVersion()).isEqualTo(2);
        assertThat(committed.getStage()).isEqualTo(JobMoves.STAGE_DATASETS);
        assertThat(committed.getUpdatedAt()).isEqualTo(Jobs.ts(NOW));
        assertThat(store.stored(id)).isEqualTo(committed);
        assertThat(writer.latest()).isEqualTo(committed);
        assertThat(store.casAttempts()).hasSize(1);

        Job second = writer.commit(mark("x")).join();
        assertThat(second.getVersion()).isEqualTo(3);
        assertThat(second.getStage()).isEqualTo(JobMoves.STAGE_DATASETS);
        assertThat(marks(second)).containsExactly("x");
        assertThat(reloads).isEmpty();
    }

    @Test
    void theFutureCompletesOnlyOnceTheWriteIsAcknowledged() {
        store.holdCas(true);
        CompletableFuture<Job> done = writer.commit(mark("a"));
        assertThat(done).isNotDone();
        assertThat(writer.latest()).isEqualTo(initial);

        store.releaseCas();
        assertThat(done).isCompleted();
        assertThat(writer.latest().getVersion()).isEqualTo(2);
    }

    @Test
    void changesSubmittedDuringAWriteAreBatchedIntoOneNextWrite() {
        store.holdCas(true);
        CompletableFuture<Job> a = writer.commit(mark("a"));
        CompletableFuture<Job> b = writer.commit(mark("b"));
        CompletableFuture<Job> c = writer.commit(mark("c"));
        CompletableFuture<Job> d = writer.commit(mark("d"));
        assertThat(store.casAttempts()).as("only the first change is being written").hasSize(1);
        assertThat(List.of(a, b, c, d)).noneMatch(CompletableFuture::isDone);

        store.releaseCas();
        assertThat(a).isCompleted();
        assertThat(a.join().getVersion()).isEqualTo(2);
        assertThat(marks(a.join())).containsExactly("a");
        assertThat(store.casAttempts()).as("b, c and d go in one write").hasSize(2);
        assertThat(marks(store.casAttempts().get(1))).containsExactly("a", "b", "c", "d");
        assertThat(List.of(b, c, d)).noneMatch(CompletableFuture::isDone);

        store.releaseCas();
        Job batch = b.join();
        assertThat(batch.getVersion()).isEqualTo(3);
        assertThat(c.join()).isSameAs(batch);
        assertThat(d.join()).isSameAs(batch);
        assertThat(store.stored(id)).isEqualTo(batch);
        assertThat(store.casAttempts()).hasSize(2);
    }

    @Test
    void aNoOpChangeMakesNoWrite() {
        CompletableFuture<Job> same = writer.commit(j -> j);
        assertThat(same.join()).isSameAs(initial);
        assertThat(store.casAttempts()).isEmpty();

        // A no-op stage move (already there) is also no write.
        assertThat(writer.commit(j -> JobMoves.stage(j, JobMoves.STAGE_INITIALIZE, NOW)).join()).isSameAs(initial);
        assertThat(store.casAttempts()).isEmpty();
        assertThat(store.stored(id)).isEqualTo(initial);

        // No-ops batched behind a real change complete with that change's commit, adding no write.
        store.holdCas(true);
        CompletableFuture<Job> a = writer.commit(mark("a"));
        CompletableFuture<Job> n1 = writer.commit(j -> j);
        CompletableFuture<Job> n2 = writer.commit(j -> j);
        store.releaseCas();
        assertThat(n1.join()).isSameAs(a.join());
        assertThat(n2.join()).isSameAs(a.join());
        assertThat(store.casAttempts()).hasSize(1);
    }

    @Test
    void onAConflictTheBatchIsReappliedOnTheStoredJobAndTheOtherWritersChangeSurvives() {
        Job withCandidate = initial.toBuilder().addCandidates(CandidateModel.newBuilder().setModelName("m")
                .setStatus(CandidateStatus.PENDING.wire()).setGpus(1)).build();
        store.put(withCandidate);
        writer = new JobWriter(store, withCandidate, clock, reloads::add);
        // The API cancels between the engine's read and its CAS.
        store.beforeNextCas(1, stored -> Jobs.cancel(stored, NOW.minusSeconds(1)));

        CompletableFuture<Job> done = writer.commit(j -> JobMoves.moveCandidate(j, 0, CandidateStatus.QUEUED, NOW,
                c -> c.setAdmission("queued")));

        Job committed = done.join();
        assertThat(reloads).hasSize(1);
        Job reloaded = reloads.get(0);
        assertThat(reloaded.getVersion()).isEqualTo(2);
        assertThat(reloaded.getCancelRequested()).isTrue();
        assertThat(reloaded.getCandidates(0).getStatus()).isEqualTo("pending");

        assertThat(committed.getVersion()).isEqualTo(3);
        assertThat(committed.getCancelRequested()).as("the API's cancel is kept").isTrue();
        assertThat(committed.getStatus()).isEqualTo("cancelling");
        assertThat(committed.getCandidates(0).getStatus()).as("the engine's change is kept").isEqualTo("queued");
        assertThat(committed.getCandidates(0).getAdmission()).isEqualTo("queued");
        assertThat(committed.getTimelineList()).extracting(TimelineEvent::getType)
                .containsSubsequence("cancel_requested", "candidate_queued");
        assertThat(store.stored(id)).isEqualTo(committed);
        assertThat(writer.latest()).isEqualTo(committed);

        List<Job> attempts = store.casAttempts();
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).getVersion()).isEqualTo(2);
        assertThat(attempts.get(0).getCancelRequested()).isFalse();
    }

    @Test
    void aChangeThatIsANoOpOnTheReloadedJobCompletesWithTheStoredJob() {
        // The engine starts the job while the API cancels it (a pending job is cancelled at once).
        Job pending = initial.toBuilder().setStatus(JobStatus.PENDING.wire()).build();
        store.put(pending);
        writer = new JobWriter(store, pending, clock, reloads::add);
        store.beforeNextCas(1, stored -> Jobs.cancel(stored, NOW));

        Job result = writer.commit(j -> JobMoves.start(j, NOW)).join();

        assertThat(result.getStatus()).isEqualTo("cancelled");
        assertThat(result).isEqualTo(store.stored(id));
        assertThat(store.casAttempts()).as("nothing left to write after the reload").hasSize(1);
        assertThat(writer.latest()).isEqualTo(result);
    }

    @Test
    void aWriterThatKeepsLosingGivesUpAndLaterCommitsStillWork() {
        store.beforeNextCas(Integer.MAX_VALUE, s -> s.toBuilder().setVersion(s.getVersion() + 1).build());
        CompletableFuture<Job> lost = writer.commit(mark("a"));
        assertThat(failure(lost)).isInstanceOf(IllegalStateException.class).hasMessageContaining("kept changing");
        assertThat(store.casAttempts()).hasSize(51);

        store.beforeNextCas(0, s -> s);
        Job ok = writer.commit(mark("b")).join();
        assertThat(marks(ok)).containsExactly("b");
        assertThat(store.stored(id)).isEqualTo(ok);
    }

    @Test
    void aDeletedJobFailsTheBatch() {
        store.remove(id);
        assertThat(failure(writer.commit(mark("a")))).hasMessageContaining("deleted");
        // And the writer is not stuck: a no-op still answers.
        assertThat(writer.commit(j -> j)).isCompleted();
    }

    @Test
    void aChangeThatThrowsFailsOnlyItsOwnFuture() {
        IllegalStateException boom = new IllegalStateException("boom");
        assertThat(failure(writer.commit(j -> {
            throw boom;
        }))).isSameAs(boom);
        assertThat(store.casAttempts()).isEmpty();

        store.holdCas(true);
        CompletableFuture<Job> a = writer.commit(mark("a"));
        CompletableFuture<Job> b = writer.commit(mark("b"));
        CompletableFuture<Job> c = writer.commit(j -> {
            throw boom;
        });
        CompletableFuture<Job> d = writer.commit(mark("d"));
        store.releaseCas();
        assertThat(failure(c)).isSameAs(boom);
        assertThat(b).isNotDone();

        store.releaseCas();
        Job batch = b.join();
        assertThat(d.join()).isSameAs(batch);
        assertThat(marks(batch)).containsExactly("a", "b", "d");
        assertThat(batch.getVersion()).isEqualTo(3);
        assertThat(store.casAttempts()).hasSize(2);
        assertThat(a.join().getVersion()).isEqualTo(2);
    }

    @Test
    void anIllegalMoveFailsItsFutureAndStoresNothing() {
        Job withCandidate = initial.toBuilder().addCandidates(CandidateModel.newBuilder().setModelName("m")
                .setStatus(CandidateStatus.PENDING.wire())).build();
        store.put(withCandidate);
        writer = new JobWriter(store, withCandidate, clock, reloads::add);

        CompletableFuture<Job> illegal = writer.commit(j -> JobMoves.moveCandidate(j, 0, CandidateStatus.RUNNING_EVALS, NOW,
                c -> c));
        assertThat(failure(illegal)).isInstanceOf(IllegalStateException.class).hasMessageContaining("not allowed");
        assertThat(store.stored(id)).isEqualTo(withCandidate);
        assertThat(store.casAttempts()).isEmpty();
    }

    @Test
    void aStoreErrorFailsTheBatchAndLaterCommitsStillWork() {
        RuntimeException down = new RuntimeException("mongo unavailable");
        store.failNextCas(down);
        assertThat(failure(writer.commit(mark("a")))).isSameAs(down);
        assertThat(store.stored(id)).isEqualTo(initial);
        assertThat(writer.latest()).isEqualTo(initial);

        Job b = writer.commit(mark("b")).join();
        assertThat(b.getVersion()).isEqualTo(2);
        assertThat(marks(b)).containsExactly("b");

        // A failing write of a batch fails every change in it, and the next batch goes on.
        store.holdCas(true);
        CompletableFuture<Job> c = writer.commit(mark("c"));
        CompletableFuture<Job> d = writer.commit(mark("d"));
        CompletableFuture<Job> e = writer.commit(mark("e"));
        store.failNextCas(down);
        store.releaseCas();
        assertThat(c.join().getVersion()).isEqualTo(3);
        assertThat(failure(d)).isSameAs(down);
        assertThat(failure(e)).isSameAs(down);

        CompletableFuture<Job> f = writer.commit(mark("f"));
        store.releaseCas();
        assertThat(f.join().getVersion()).isEqualTo(4);
        assertThat(marks(store.stored(id))).containsExactly("b", "c", "f");
    }

    @Test
    void aStoreThatThrowsInsteadOfFailingTheFutureDoesNotWedgeTheWriter() {
        store.throwOnNextCas(new IllegalStateException("client is closed"));
        CompletableFuture<Job> a;
        try {
            a = writer.commit(mark("a"));
        } catch (RuntimeException thrown) {
            fail("commit threw instead of failing its future", thrown);
            return;
        }
        assertThat(failure(a)).hasMessageContaining("client is closed");

        CompletableFuture<Job> b = writer.commit(mark("b"));
        assertThat(b).as("the writer still writes after a store that threw").isCompleted();
        assertThat(marks(b.join())).containsExactly("b");
    }

    @Test
    void aRefreshedNewerJobIsTheBaseOfTheNextWrite() {
        Job cancelled = Jobs.cancel(initial, NOW); // the API's commit, version 2
        store.put(cancelled);

        writer.refresh(cancelled);
        assertThat(writer.latest()).isEqualTo(cancelled);
        writer.refresh(initial);
        assertThat(writer.latest()).as("an older job is ignored").isEqualTo(cancelled);

        Job committed = writer.commit(j -> j.toBuilder().setNumRecords(7).build()).join();
        assertThat(store.casAttempts()).as("no conflict: the refreshed job was the base").hasSize(1);
        assertThat(reloads).isEmpty();
        assertThat(committed.getVersion()).isEqualTo(3);
        assertThat(committed.getCancelRequested()).isTrue();
        assertThat(committed.getNumRecords()).isEqualTo(7);
    }

    @Test
    void aRefreshDuringAWriteIsNotUndoneByThatWritesLateAcknowledgement() {
        store.holdCas(true);
        CompletableFuture<Job> a = writer.commit(mark("a")); // version 2 is durable, its answer is late
        Job cancelled = Jobs.cancel(store.stored(id), NOW); // the API cancels on top of version 2
        store.put(cancelled);
        writer.refresh(cancelled); // the engine reads the cancel

        store.releaseCas();
        assertThat(a.join().getVersion()).isEqualTo(2);
        assertThat(writer.latest()).as("latest() may not go back to an older version").isEqualTo(cancelled);

        store.holdCas(false);
        Job next = writer.commit(mark("b")).join();
        assertThat(next.getVersion()).isEqualTo(4);
        assertThat(next.getCancelRequested()).isTrue();
        assertThat(marks(next)).containsExactly("a", "b");
    }

    @Test
    void changesAreAppliedInSubmissionOrder() {
        store.holdCas(true);
        List<CompletableFuture<Job>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(writer.commit(mark("m" + i)));
            if (i == 7) {
                // a conflict in the middle: the rest are re-applied, still in order
                store.beforeNextCas(1, s -> s.toBuilder().setVersion(s.getVersion() + 1).setNumRecords(99).build());
            }
            if (i % 5 == 4) {
                store.releaseCas();
            }
        }
        while (store.heldCount() > 0) {
            store.releaseCas();
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("m" + i);
            assertThat(marks(futures.get(i).join())).as("change %d sees every earlier change", i)
                    .startsWith(expected.toArray(String[]::new));
        }
        assertThat(marks(store.stored(id))).containsExactlyElementsOf(expected);
        assertThat(store.stored(id).getNumRecords()).isEqualTo(99);
    }

    /**
     * Random interleavings of commits, late acknowledgements, other writers' commits, store errors, throwing
     * changes and refreshes: every change whose future succeeded is stored exactly once and in submission order,
     * every failed one is absent, every other writer's change survives, and each future's job contains its change.
     */
    @Test
    void randomInterleavingsLoseNothingAndKeepTheOrder() {
        PropertyRuns.repeat(1500, this::runRandomInterleaving);
    }

    private void runRandomInterleaving(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        setUp();
        AtomicInteger otherWrites = new AtomicInteger();
        Map<Integer, CompletableFuture<Job>> marked = new TreeMap<>();
        List<CompletableFuture<Job>> throwing = new ArrayList<>();
        List<CompletableFuture<Job>> noOps = new ArrayList<>();
        int steps = 20 + random.nextInt(40);
        for (int step = 0; step < steps; step++) {
            int op = random.nextInt(100);
            if (op < 45) {
                int n = marked.size();
                marked.put(n, writer.commit(mark(Integer.toString(n))));
            } else if (op < 50) {
                throwing.add(writer.commit(j -> {
                    throw new IllegalArgumentException("a bad change");
                }));
            } else if (op < 53) {
                noOps.add(writer.commit(j -> j));
            } else if (op < 70) {
                if (store.heldCount() > 0) {
                    store.releaseCas();
                }
            } else if (op < 80) {
                store.beforeNextCas(1 + random.nextInt(3), s -> {
                    otherWrites.incrementAndGet();
                    return s.toBuilder().setVersion(s.getVersion() + 1).setNumRecords(s.getNumRecords() + 1).build();
                });
            } else if (op < 85) {
                store.failNextCas(new RuntimeException("store error"));
            } else if (op < 92) {
                store.holdCas(random.nextBoolean());
            } else {
                writer.refresh(store.stored(id));
            }
        }
        store.clearHooks();
        while (store.heldCount() > 0) {
            store.releaseCas();
        }
        // A final commit proves the writer is idle and not wedged.
        CompletableFuture<Job> last = writer.commit(mark("last"));
        assertThat(last).isCompleted();

        Job stored = store.stored(id);
        List<String> storedMarks = new ArrayList<>(marks(stored));
        assertThat(storedMarks.remove(storedMarks.size() - 1)).isEqualTo("last");
        assertThat(storedMarks.stream().map(Integer::parseInt).toList()).as("submission order, each once")
                .isSortedAccordingTo(Integer::compare).doesNotHaveDuplicates();
        marked.forEach((n, future) -> {
            String m = Integer.toString(n);
            assertThat(future).as("future %d", n).isDone();
            if (future.isCompletedExceptionally()) {
                assertThat(failure(future)).hasMessage("store error");
                assertThat(storedMarks).as("failed change %d is not stored", n).doesNotContain(m);
            } else {
                assertThat(marks(future.join())).as("future %d's job contains its change", n).contains(m);
                assertThat(storedMarks).as("succeeded change %d is stored", n).contains(m);
            }
        });
        for (CompletableFuture<Job> t : throwing) {
            assertThat(failure(t)).isInstanceOf(IllegalArgumentException.class);
        }
        for (CompletableFuture<Job> n : noOps) {
            assertThat(n).isDone();
        }
        assertThat(stored.getNumRecords()).as("every other writer's change survives").isEqualTo(otherWrites.get());
        assertThat(stored.getVersion()).as("each write is one version")
                .isEqualTo(1L + otherWrites.get() + store.successfulCas());
        assertThat(writer.latest()).isEqualTo(stored);
    }

    /**
     * Several threads commit at once while the store answers on its own threads and another writer keeps
     * committing: every change lands once, each thread's changes stay in its order, the other writer's survive.
     */
    @Test
    void concurrentCommitsFromSeveralThreadsAllLand() throws Exception {
        executor = Executors.newFixedThreadPool(2);
        store.completeOn(executor);
        AtomicInteger otherWrites = new AtomicInteger();
        store.beforeNextCas(40, s -> {
            otherWrites.incrementAndGet();
            return s.toBuilder().setVersion(s.getVersion() + 1).setNumRecords(s.getNumRecords() + 1).build();
        });
        int threads = 4;
        int perThread = 150;
        List<CompletableFuture<Job>> all = new CopyOnWriteArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String name = "t" + t;
            workers.add(new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    all.add(writer.commit(mark(name + ":" + i)));
                }
            }));
        }
        workers.forEach(Thread::start);
        for (Thread w : workers) {
            w.join(WAIT.toMillis());
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        List<String> stored = marks(store.stored(id));
        assertThat(stored).hasSize(threads * perThread).doesNotHaveDuplicates();
        for (int t = 0; t < threads; t++) {
            String prefix = "t" + t + ":";
            List<Integer> order = stored.stream().filter(m -> m.startsWith(prefix))
                    .map(m -> Integer.parseInt(m.substring(prefix.length()))).toList();
            assertThat(order).as("thread %d's changes in its order", t).isSorted().hasSize(perThread);
        }
        assertThat(store.stored(id).getNumRecords()).isEqualTo(otherWrites.get());
        assertThat(otherWrites.get()).isPositive();
        assertThat(store.stored(id).getVersion()).isEqualTo(1L + otherWrites.get() + store.successfulCas());
    }
}
