package dev.flywheel.clients.admission;

import dev.flywheel.core.engine.Admission.Holding;
import dev.flywheel.core.engine.Admission.Snapshot;
import dev.flywheel.core.engine.Admission.Ticket;
import dev.flywheel.core.engine.Admission.Waiting;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link RedisAdmission} against the devstack's real redis-server; each test uses its own key prefix. */
@ExtendWith(DevStackExtension.class)
class RedisAdmissionTest {

    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static RedisCommands<String, String> raw; // to flush and to look at the keys directly

    private final String prefix = "test:adm:" + UUID.randomUUID() + ":";
    private final AtomicReference<Snapshot> truth = new AtomicReference<>(new Snapshot(List.of(), List.of()));
    private final AtomicInteger truthReads = new AtomicInteger();

    @BeforeAll
    static void connect(DevStack stack) {
        client = RedisClient.create(stack.redisUri());
        connection = client.connect();
        raw = client.connect().sync();
    }

    @AfterAll
    static void disconnect() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    /** An admission whose truth (MongoDB's view) is {@link #truth}, answered after {@code delay}. */
    private RedisAdmission admission(int capacity, Duration delay) {
        Supplier<CompletableFuture<Snapshot>> fromMongo = () -> {
            truthReads.incrementAndGet();
            return CompletableFuture.supplyAsync(truth::get,
                    CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS));
        };
        return new RedisAdmission(connection, prefix, capacity, fromMongo);
    }

    private RedisAdmission admission(int capacity) {
        return admission(capacity, Duration.ZERO);
    }

    private static Ticket waitingAt(int position) {
        return new Ticket(false, position);
    }

    @Test
    void firstComeFirstServedWithPositions() {
        RedisAdmission adm = admission(4);
        assertThat(adm.request("a", 4, 10).join()).isEqualTo(Ticket.granted());
        assertThat(adm.request("b", 1, 30).join()).isEqualTo(waitingAt(1));
        assertThat(adm.request("c", 1, 20).join()).isEqualTo(waitingAt(1)); // smaller order goes ahead of b
        assertThat(adm.request("b", 1, 30).join()).isEqualTo(waitingAt(2));
        assertThat(adm.request("d", 1, 40).join()).isEqualTo(waitingAt(3));
        assertThat(adm.request("e", 1, 20).join()).isEqualTo(waitingAt(2)); // same order as c: ties by name
        assertThat(adm.waiting().join()).isEqualTo(4);

        adm.release("a").join();
        // GPUs are free, but only the head may take them
        assertThat(adm.request("d", 1, 40).join()).isEqualTo(waitingAt(4));
        assertThat(adm.request("b", 1, 30).join()).isEqualTo(waitingAt(3));
        assertThat(adm.request("c", 1, 20).join()).isEqualTo(Ticket.granted());
        assertThat(adm.request("d", 1, 40).join()).isEqualTo(waitingAt(3));
        assertThat(adm.request("e", 1, 20).join()).isEqualTo(Ticket.granted());
        assertThat(adm.request("b", 1, 30).join()).isEqualTo(Ticket.granted());
        assertThat(adm.request("d", 1, 40).join()).isEqualTo(Ticket.granted());
        assertThat(adm.used().join()).isEqualTo(4);
        assertThat(adm.waiting().join()).isZero();
    }

    @Test
    void aBigRequestBlocksLaterSmallOnes() {
        RedisAdmission adm = admission(4);
        assertThat(adm.request("a", 3, 1).join()).isEqualTo(Ticket.granted());
        assertThat(adm.request("big", 4, 2).join()).isEqualTo(waitingAt(1));
        assertThat(adm.request("small", 1, 3).join()).as("1 GPU is free, but big came first")
                .isEqualTo(waitingAt(2));

        adm.release("a").join();
        assertThat(adm.request("small", 1, 3).join()).isEqualTo(waitingAt(2));
        assertThat(adm.request("big", 4, 2).join()).isEqualTo(Ticket.granted());
        assertThat(adm.request("small", 1, 3).join()).isEqualTo(waitingAt(1));
        adm.release("big").join();
        assertThat(adm.request("small", 1, 3).join()).isEqualTo(Ticket.granted());
        assertThat(adm.used().join()).isEqualTo(1);
    }

    @Test
    void requestAndReleaseAreIdempotent() {
        RedisAdmission adm = admission(4);
        assertThat(adm.request("a", 4, 1).join()).isEqualTo(Ticket.granted());
        assertThat(adm.request("a", 1, 1).join()).as("asked again").isEqualTo(Ticket.granted());
        assertThat(adm.used().join()).as("nothing taken twice").isEqualTo(4);

        assertThat(adm.request("b", 2, 2).join()).isEqualTo(waitingAt(1));
        assertThat(adm.request("c", 1, 3).join()).isEqualTo(waitingAt(2));
        // the first request fixed c's place: a smaller order later does not move it ahead of b
        assertThat(adm.request("c", 1, 0.5).join()).isEqualTo(waitingAt(2));
        assertThat(adm.waiting().join()).isEqualTo(2);

        adm.release("a").join();
        adm.release("a").join();
        adm.release("nobody").join();
        assertThat(adm.used().join()).isZero();

        // ... and its size: b asks for 4 now but is admitted with the 2 it first asked for
        assertThat(adm.request("b", 4, 2).join()).isEqualTo(Ticket.granted());
        assertThat(adm.used().join()).isEqualTo(2);
        assertThat(adm.request("c", 1, 3).join()).isEqualTo(Ticket.granted());
        adm.release("c").join();
        adm.release("c").join();
        assertThat(adm.used().join()).isEqualTo(2);
        assertThat(adm.waiting().join()).isZero();
    }

    @Test
    void aHolderWantingMoreThanTheCapacityIsRejected() {
        RedisAdmission adm = admission(4);
        assertThatThrownBy(() -> adm.request("huge", 5, 1).join()).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> adm.request("negative", -1, 1).join()).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(adm.waiting().join()).as("nothing queued").isZero();
        assertThat(adm.request("whole", 4, 2).join()).isEqualTo(Ticket.granted());
    }

    @Test
    void capacityIsNeverExceededUnderConcurrentRequesters() throws Exception {
        int capacity = 8;
        int holders = 50;
        RedisAdmission adm = admission(capacity);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int[] gpus = new int[holders];
        for (int i = 0; i < holders; i++) {
            gpus[i] = 1 + random.nextInt(capacity);
        }
        // a blocker holds everything while all 50 join, so the line is complete before anyone is admitted
        assertThat(adm.request("blocker", capacity, -1).join()).isEqualTo(Ticket.granted());

        Queue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicInteger inHand = new AtomicInteger(); // GPUs the requesters believe they hold
        AtomicInteger admitted = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch joined = new CountDownLatch(holders);
        CountDownLatch go = new CountDownLatch(1);
        List<Integer> joinOrder = new ArrayList<>();
        for (int i = 0; i < holders; i++) {
            joinOrder.add(i);
        }
        Collections.shuffle(joinOrder, random);

        ExecutorService pool = Executors.newFixedThreadPool(holders + 1);
        try {
            Future<Integer> monitor = pool.submit(() -> {
                int samples = 0;
                while (!done.get()) {
                    int used = adm.used().join();
                    if (used > capacity) {
                        problems.add("used " + used + " > capacity");
                    }
                    samples++;
                }
                return samples;
            });
            List<Future<?>> requesters = new ArrayList<>();
            for (int i : joinOrder) {
                String holder = "h" + i;
                int want = gpus[i];
                requesters.add(pool.submit(() -> {
                    adm.request(holder, want, i).join();
                    joined.countDown();
                    go.await();
                    Ticket ticket = adm.request(holder, want, i).join();
                    while (!ticket.admitted()) {
                        Thread.sleep(5);
                        ticket = adm.request(holder, want, i).join();
                    }
                    // strict FIFO: nobody ahead of this holder may still be waiting
                    List<ScoredValue<String>> head = raw.zrangeWithScores(prefix + "waiting", 0, 0);
                    if (!head.isEmpty() && head.get(0).getScore() < i) {
                        problems.add(holder + " admitted before " + head.get(0).getValue());
                    }
                    int now = inHand.addAndGet(want);
                    if (now > capacity) {
                        problems.add("requesters hold " + now + " > capacity");
                    }
                    admitted.incrementAndGet();
                    Thread.sleep(1 + (i % 5));
                    inHand.addAndGet(-want);
                    adm.release(holder).join();
                    return null;
                }));
            }
            assertThat(joined.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(adm.waiting().join()).isEqualTo(holders);
            for (int i = 0; i < holders; i++) { // the blocker still holds everything, so asking admits nobody
                assertThat(adm.request("h" + i, gpus[i], i).join()).as("h%d", i).isEqualTo(waitingAt(i + 1));
            }
            go.countDown();
            adm.release("blocker").join();
            for (Future<?> f : requesters) {
                f.get(60, TimeUnit.SECONDS);
            }
            done.set(true);
            assertThat(monitor.get(10, TimeUnit.SECONDS)).as("used() samples").isPositive();
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
        assertThat(problems).as("seed " + seed).isEmpty();
        assertThat(admitted.get()).isEqualTo(holders);
        assertThat(adm.used().join()).isZero();
        assertThat(adm.waiting().join()).isZero();
    }

    @Test
    void aFlushIsRebuiltFromTheTruthOnceBeforeAnswering() {
        RedisAdmission adm = admission(8, Duration.ofMillis(200));
        assertThat(adm.request("a", 4, 1).join()).isEqualTo(Ticket.granted());
        assertThat(adm.request("b", 3, 2).join()).isEqualTo(Ticket.granted());
        assertThat(adm.request("c", 2, 3).join()).isEqualTo(waitingAt(1));
        assertThat(adm.request("d", 1, 4).join()).isEqualTo(waitingAt(2));
        truth.set(new Snapshot(List.of(new Holding("a", 4), new Holding("b", 3)),
                List.of(new Waiting("c", 2, 3), new Waiting("d", 1, 4))));
        int readsBefore = truthReads.get();

        raw.flushall();
        raw.scriptFlush(); // as after a restart: the scripts must be sent again too

        // callers that find the state gone at the same time share one rebuild
        CompletableFuture<Ticket> d = adm.request("d", 1, 4);
        CompletableFuture<Ticket> a = adm.request("a", 4, 1);
        CompletableFuture<Integer> used = adm.used();
        CompletableFuture<Long> waiting = adm.waiting();
        CompletableFuture.allOf(d, a, used, waiting).join();
        assertThat(truthReads.get() - readsBefore).as("truth reads").isEqualTo(1);
        assertThat(d.join()).as("d keeps its place behind c").isEqualTo(waitingAt(2));
        assertThat(a.join()).as("a still holds").isEqualTo(Ticket.granted());
        assertThat(used.join()).as("a's GPUs not counted twice").isEqualTo(7);
        assertThat(waiting.join()).isEqualTo(2);

        assertThat(adm.request("e", 1, 5).join()).isEqualTo(waitingAt(3));
        assertThat(adm.request("b", 3, 2).join()).isEqualTo(Ticket.granted());
        assertThat(adm.request("c", 2, 3).join()).as("7 + 2 > 8").isEqualTo(waitingAt(1));
        assertThat(adm.used().join()).isEqualTo(7);
        adm.release("a").join();
        assertThat(adm.request("c", 2, 3).join()).isEqualTo(Ticket.granted());
        assertThat(adm.request("d", 1, 4).join()).isEqualTo(Ticket.granted());
        assertThat(adm.request("e", 1, 5).join()).isEqualTo(Ticket.granted());
        assertThat(adm.used().join()).isEqualTo(7);
        assertThat(truthReads.get() - readsBefore).isEqualTo(1);
    }

    @Test
    void aReleaseAfterAFlushIsNotUndoneByTheRebuild() {
        RedisAdmission adm = admission(4);
        assertThat(adm.request("a", 4, 1).join()).isEqualTo(Ticket.granted());
        // MongoDB still lists a as holding (its document is updated after the release)
        truth.set(new Snapshot(List.of(new Holding("a", 4)), List.of()));
        raw.flushall();

        adm.release("a").join();
        assertThat(adm.used().join()).isZero();
        assertThat(adm.request("b", 4, 2).join()).isEqualTo(Ticket.granted());
    }

    @Test
    void anAutomaticRebuildKeepsAStateRestoredMeanwhile() {
        // two service instances on one Redis; the slow one's truth was read before the fast one admitted b
        RedisAdmission fast = admission(4);
        AtomicInteger slowReads = new AtomicInteger();
        RedisAdmission slow = new RedisAdmission(connection, prefix, 4, () -> {
            slowReads.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> new Snapshot(List.of(), List.of()),
                    CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));
        });
        assertThat(fast.request("a", 1, 1).join()).isEqualTo(Ticket.granted()); // creates the state
        raw.flushall();

        CompletableFuture<Ticket> c = slow.request("c", 4, 3);
        assertThat(fast.request("b", 3, 2).join()).isEqualTo(Ticket.granted());
        assertThat(c.join()).as("c waits behind b's GPUs").isEqualTo(waitingAt(1));
        assertThat(slowReads.get()).isEqualTo(1);
        assertThat(fast.used().join()).as("b not wiped by the slow, stale restore").isEqualTo(3);
    }

    @Test
    void rebuildReplacesTheWholeState() {
        RedisAdmission adm = admission(4);
        assertThat(adm.request("a", 2, 1).join()).isEqualTo(Ticket.granted());
        assertThat(adm.request("old", 4, 2).join()).isEqualTo(waitingAt(1));

        int readsBefore = truthReads.get();

        adm.rebuild(new Snapshot(
                List.of(new Holding("x", 3), new Holding("x", 3)), // listed twice: counted once
                List.of(new Waiting("z", 1, 6), new Waiting("y", 2, 5), new Waiting("x", 3, 0)))) // x holds
                .join();

        assertThat(raw.hgetall(prefix + "held")).isEqualTo(Map.of("x", "3"));
        assertThat(raw.zrange(prefix + "waiting", 0, -1)).containsExactly("y", "z");
        assertThat(adm.used().join()).isEqualTo(3);
        assertThat(adm.waiting().join()).isEqualTo(2);
        assertThat(adm.request("z", 1, 6).join()).isEqualTo(waitingAt(2));
        assertThat(adm.request("y", 2, 5).join()).isEqualTo(waitingAt(1));
        adm.release("x").join();
        assertThat(adm.request("y", 2, 5).join()).isEqualTo(Ticket.granted());
        assertThat(adm.request("z", 1, 6).join()).isEqualTo(Ticket.granted());
        assertThat(adm.used().join()).isEqualTo(3);
        assertThat(truthReads.get() - readsBefore).as("rebuild() wrote the epoch: no truth needed").isZero();
    }
}
