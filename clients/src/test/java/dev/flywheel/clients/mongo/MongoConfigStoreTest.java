package dev.flywheel.clients.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flywheel.api.v1.DataSplitConfig;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.NamedConfig;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.core.job.ConfigRef;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DevStackExtension.class)
class MongoConfigStoreTest {

    private static MongoStores stores;
    private static MongoConfigStore configs;

    @BeforeAll
    static void open(DevStack stack) {
        stores = MongoStores.open(stack.mongoUri(), "test_configs_" + UUID.randomUUID().toString().substring(0, 8)).join();
        configs = stores.configs();
    }

    @AfterAll
    static void close() {
        stores.close();
    }

    private static JobConfig withLimit(int limit) {
        return JobConfig.newBuilder().setDataSplitConfig(DataSplitConfig.newBuilder().setLimit(limit)).build();
    }

    private static String unique() {
        return "cfg-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void putCreatesVersionsAndSameContentCreatesNone() {
        String name = unique();
        NamedConfig v1 = configs.put(name, withLimit(10), "").join();
        NamedConfig again = configs.put(name, withLimit(10), "").join();
        NamedConfig v2 = configs.put(name, withLimit(20), "more").join();
        assertThat(v1.getRef()).isEqualTo(name + "@1");
        assertThat(again).isEqualTo(v1);
        assertThat(v2.getVersion()).isEqualTo(2);
        assertThat(v2.getContentHash()).isEqualTo(JobConfigs.contentHash(withLimit(20)));
        assertThat(configs.get(new ConfigRef(name, ConfigRef.LATEST)).join()).contains(v2);
        assertThat(configs.get(new ConfigRef(name, 1)).join()).contains(v1);
        assertThat(configs.get(new ConfigRef(name, 3)).join()).isEmpty();
    }

    @Test
    void concurrentPutsGetDistinctVersions() {
        String name = unique();
        List<CompletableFuture<NamedConfig>> puts = IntStream.range(0, 10)
                .mapToObj(i -> configs.put(name, withLimit(100 + i), "")).toList();
        assertThat(puts.stream().map(p -> p.join().getVersion()).distinct()).hasSize(10);
    }

    @Test
    void listGivesNewestPerNameOrEveryVersionOfOne() {
        String a = unique();
        String b = unique();
        configs.put(a, withLimit(1), "").join();
        configs.put(a, withLimit(2), "").join();
        configs.put(b, withLimit(3), "").join();
        assertThat(configs.list(a, 10, "").join().configs()).extracting(NamedConfig::getRef)
                .containsExactly(a + "@1", a + "@2");
        List<String> newest = configs.list("", 1000, "").join().configs().stream().map(NamedConfig::getRef).toList();
        assertThat(newest).contains(a + "@2", b + "@1").doesNotContain(a + "@1");
        MongoConfigStore.Page first = configs.list(a, 1, "").join();
        assertThat(configs.list(a, 1, first.nextPageToken()).join().configs()).extracting(NamedConfig::getRef)
                .containsExactly(a + "@2");
    }

    @Test
    void versionsListInNumericOrderAndPagesCoverEveryName() {
        String a = unique();
        for (int i = 1; i <= 11; i++) {
            configs.put(a, withLimit(i), "").join();
        }
        assertThat(configs.list(a, 100, "").join().configs()).extracting(NamedConfig::getVersion)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
        MongoConfigStore.Page tenth = configs.list(a, 9, "").join();
        assertThat(configs.list(a, 9, tenth.nextPageToken()).join().configs()).extracting(NamedConfig::getRef)
                .containsExactly(a + "@10", a + "@11");

        // Newest per name, one per page: the walk meets every name once, with its newest version.
        String b = unique();
        configs.put(b, withLimit(1), "").join();
        List<String> walked = new java.util.ArrayList<>();
        String token = "";
        do {
            MongoConfigStore.Page page = configs.list("", 1, token).join();
            page.configs().forEach(c -> walked.add(c.getRef()));
            token = page.nextPageToken();
        } while (!token.isEmpty());
        assertThat(walked).contains(a + "@11", b + "@1").doesNotContain(a + "@10").doesNotHaveDuplicates();
    }

    @Test
    void configurationsWithDollarStringsStillList() {
        // Found by the hostile-input suite: values that look like field paths broke the newest-per-name listing.
        String name = unique();
        JobConfig odd = JobConfig.newBuilder().setDataSplitConfig(DataSplitConfig.newBuilder().setLimit(5)).build();
        configs.put(name, odd, "$").join();
        configs.put(name, withLimit(6), "$$ROOT.$name").join();
        assertThat(configs.list("", 1000, "").join().configs()).extracting(NamedConfig::getRef).contains(name + "@2");
    }

    @Test
    void aVersionUsedByAJobCannotBeDeleted() {
        String name = unique();
        configs.put(name, withLimit(1), "").join();
        configs.put(name, withLimit(2), "").join();
        assertThat(configs.markInUse(name, 1).join()).isTrue();
        assertThatThrownBy(() -> configs.delete(new ConfigRef(name, ConfigRef.LATEST)).join())
                .isInstanceOf(CompletionException.class).cause().isInstanceOf(FlywheelException.class)
                .hasMessageContaining(name + "@1");
        assertThat(configs.get(new ConfigRef(name, 2)).join()).isPresent();
        assertThat(configs.delete(new ConfigRef(name, 2)).join()).containsExactly(name + "@2");
        assertThat(configs.get(new ConfigRef(name, 2)).join()).isEmpty();
        assertThat(configs.markInUse(name, 2).join()).isFalse();
        assertThatThrownBy(() -> configs.delete(new ConfigRef(name, 2)).join()).cause()
                .extracting(e -> ((FlywheelException) e).kind()).isEqualTo(FlywheelException.Kind.NOT_FOUND);
    }
}
