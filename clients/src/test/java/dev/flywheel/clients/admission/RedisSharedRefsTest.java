package dev.flywheel.clients.admission;

import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RedisSharedRefs} against the devstack's real redis-server; each test uses its own key prefix. */
@ExtendWith(DevStackExtension.class)
class RedisSharedRefsTest {

    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static RedisCommands<String, String> raw;

    private final String prefix = "test:shared:" + UUID.randomUUID() + ":";
    private final AtomicReference<Map<String, Set<String>>> truth = new AtomicReference<>(Map.of());
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

    /** Shared refs whose truth (the job documents) is {@link #truth}, answered after 200 ms. */
    private RedisSharedRefs refs() {
        return new RedisSharedRefs(connection, prefix, () -> {
            truthReads.incrementAndGet();
            return CompletableFuture.supplyAsync(truth::get,
                    CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
        });
    }

    @Test
    void countsUsersAndTellsOnlyTheLastOne() {
        RedisSharedRefs refs = refs();
        assertThat(refs.acquire("judge", "j1").join()).isEqualTo(1);
        assertThat(refs.acquire("judge", "j1").join()).as("same job again").isEqualTo(1);
        assertThat(refs.acquire("judge", "j2").join()).isEqualTo(2);
        assertThat(refs.acquire("embedder", "j1").join()).isEqualTo(1);
        assertThat(refs.users().join()).isEqualTo(Map.of("judge", Set.of("j1", "j2"), "embedder", Set.of("j1")));

        assertThat(refs.release("judge", "j1").join()).isFalse();
        assertThat(refs.release("judge", "j3").join()).as("never a user").isFalse();
        assertThat(refs.release("judge", "j2").join()).as("the last user").isTrue();
        assertThat(refs.release("judge", "j2").join()).as("asked again").isFalse();
        assertThat(refs.release("judge", "j1").join()).isFalse();
        assertThat(refs.users().join()).isEqualTo(Map.of("embedder", Set.of("j1")));

        // a later acquire starts over: the next last user is told again
        assertThat(refs.acquire("judge", "j4").join()).isEqualTo(1);
        assertThat(refs.release("judge", "j4").join()).isTrue();
    }

    @Test
    void exactlyOneOfManyConcurrentReleasesIsTheLast() {
        // two instances on two connections, as two Flywheel servers would be
        RedisSharedRefs one = refs();
        RedisSharedRefs other = new RedisSharedRefs(client.connect(), prefix, () -> CompletableFuture.completedFuture(Map.of()));
        Set<Long> oneToTwenty = LongStream.rangeClosed(1, 20).boxed().collect(Collectors.toSet());
        for (int round = 0; round < 10; round++) {
            List<String> jobs = IntStream.range(0, 20).mapToObj(i -> "job" + i).toList();
            List<CompletableFuture<Long>> acquires = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                acquires.add((i % 2 == 0 ? one : other).acquire("judge", jobs.get(i)));
            }
            // every add saw a different count: no two adds interleaved
            assertThat(acquires.stream().map(CompletableFuture::join).collect(Collectors.toSet())).isEqualTo(oneToTwenty);

            // all at once, and each job twice (once through each instance)
            List<CompletableFuture<Boolean>> releases = new ArrayList<>();
            for (String job : jobs) {
                releases.add(one.release("judge", job));
                releases.add(other.release("judge", job));
            }
            long lasts = releases.stream().map(CompletableFuture::join).filter(last -> last).count();
            assertThat(lasts).as("round %d", round).isEqualTo(1);
            assertThat(one.users().join()).doesNotContainKey("judge");
        }
    }

    @Test
    void aFlushIsRebuiltFromTheTruthOnceBeforeAnswering() {
        RedisSharedRefs refs = refs();
        assertThat(refs.acquire("judge", "j1").join()).isEqualTo(1);
        assertThat(refs.acquire("judge", "j2").join()).isEqualTo(2);
        assertThat(refs.acquire("embedder", "j2").join()).isEqualTo(1);
        truth.set(Map.of("judge", Set.of("j1", "j2"), "embedder", Set.of("j2")));
        int readsBefore = truthReads.get();

        raw.flushall();
        raw.scriptFlush();

        // concurrent callers share one rebuild
        CompletableFuture<Boolean> j1Leaves = refs.release("judge", "j1");
        CompletableFuture<Long> j3Joins = refs.acquire("embedder", "j3");
        CompletableFuture<Map<String, Set<String>>> users = refs.users();
        CompletableFuture.allOf(j1Leaves, j3Joins, users).join();
        assertThat(truthReads.get() - readsBefore).as("truth reads").isEqualTo(1);
        assertThat(j1Leaves.join()).as("j2 still uses the judge").isFalse();
        assertThat(j3Joins.join()).as("j2 and j3").isEqualTo(2);
        assertThat(users.join().get("judge")).isIn(Set.of("j1", "j2"), Set.of("j2"));

        assertThat(refs.users().join()).isEqualTo(Map.of("judge", Set.of("j2"), "embedder", Set.of("j2", "j3")));
        assertThat(refs.release("judge", "j2").join()).isTrue();
        assertThat(refs.release("embedder", "j2").join()).isFalse();
        assertThat(refs.release("embedder", "j3").join()).isTrue();
        assertThat(truthReads.get() - readsBefore).isEqualTo(1);
    }

    @Test
    void rebuildReplacesAllCounts() {
        RedisSharedRefs refs = refs();
        refs.acquire("judge", "j1").join();
        refs.acquire("old", "j1").join();

        int readsBefore = truthReads.get();

        refs.rebuild(Map.of("judge", Set.of("j7", "j8"), "embedder", Set.of("j9"), "unused", Set.of())).join();

        assertThat(refs.users().join()).isEqualTo(Map.of("judge", Set.of("j7", "j8"), "embedder", Set.of("j9")));
        assertThat(raw.exists(prefix + "users:old")).as("the old deployment's set is gone").isZero();
        assertThat(refs.release("judge", "j1").join()).as("j1 is no user anymore").isFalse();
        assertThat(refs.acquire("judge", "j1").join()).isEqualTo(3);
        assertThat(truthReads.get() - readsBefore).as("rebuild() wrote the epoch: no truth needed").isZero();
    }
}
