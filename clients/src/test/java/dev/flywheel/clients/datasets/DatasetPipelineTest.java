package dev.flywheel.clients.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.linecorp.armeria.client.ClientFactory;
import dev.flywheel.api.v1.IclConfig;
import dev.flywheel.clients.datasets.DatasetOutcome.PublishedDataset;
import dev.flywheel.clients.datasets.DatasetOutcome.PublishedFile;
import dev.flywheel.clients.datasets.DatasetOutcome.Registration;
import dev.flywheel.clients.logs.EsHttp;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoRef;
import dev.flywheel.clients.nemo.DataStoreTypes.RepoType;
import dev.flywheel.clients.nemo.DataStoreTypes.TreeEntry;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.clients.nemo.NemoException;
import dev.flywheel.clients.nemo.NemoNames;
import dev.flywheel.core.dataset.DatasetManifest;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import dev.flywheel.emulator.NemoEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DatasetPipeline} end to end over real HTTP: a real Elasticsearch node (devstack) holding 3,000 records of a
 * tool-calling workload plus distractors, loaded with {@link dev.flywheel.clients.logs.LogLoader}, and the NeMo
 * emulator's Data Store and Entity Store.
 */
@ExtendWith(DevStackExtension.class)
class DatasetPipelineTest {

    private static final String WORKLOAD = "wl-support";
    private static final String TINY = "wl-tiny";
    private static final int N = 3_000;

    private static RestClient es;
    private static String index;
    private static NemoEmulator emu;
    private static ClientFactory factory;
    private static NemoClients nemo;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void setUp(DevStack stack) {
        es = EsHttp.client(stack.elasticsearchUrl());
        index = "dataset-test-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
        assertThat(SupportWorkload.load(es, index, WORKLOAD, N, tmp).indexed()).isEqualTo(N);
        assertThat(SupportWorkload.load(es, index, "wl-other", 300, tmp).indexed()).isEqualTo(300);
        assertThat(SupportWorkload.load(es, index, TINY, 30, tmp).indexed()).isEqualTo(30);
        emu = NemoEmulator.builder().seed(42).timeScale(0.002).start();
        factory = ClientFactory.builder().build();
        nemo = SupportWorkload.clients(emu, factory);
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (factory != null) {
            factory.close();
        }
        if (emu != null) {
            emu.close();
        }
        if (es != null) {
            es.close();
        }
    }

    /**
     * Counts through every step match the generated data; the three repos hold exactly the reported files with the
     * reported hashes; the datasets are registered; and a second run of the same step (a resumed job, given the
     * window the first run reported) finds everything in place: no commit, no registration write, no duplicate in
     * the emulator's ledger, same files.
     */
    @Test
    void publishesOnceAndARepeatedRunChangesNothing(@TempDir Path work) throws Exception {
        DatasetPipeline pipeline = DatasetPipeline.builder(es, index, nemo).workRoot(work).pageSize(700).build();
        DatasetJob job = DatasetJob.of("job-uniform-1", SupportWorkload.CLIENT, WORKLOAD,
                SupportWorkload.config(IclConfig.getDefaultInstance()), 1234L);

        DatasetOutcome first = await(pipeline.run(job));

        // the newest 2 x limit records: seq 2999..1000, of which every tenth has no tool call
        DatasetManifest.Counts c = first.manifest().counts();
        assertThat(c.fetched()).isEqualTo(2000);
        assertThat(c.invalid()).isZero();
        assertThat(first.manifest().workload().type()).isEqualTo("tool_calling");
        assertThat(c.filtered()).isEqualTo(200);
        assertThat(c.filteredByReason()).containsEntry("no_tool_calls", 200L);
        assertThat(c.duplicates()).isZero();
        assertThat(c.afterDedup()).isEqualTo(1800);
        assertThat(c.sampled()).isEqualTo(1000);
        assertThat(c.eval()).isEqualTo(100);
        assertThat(c.validation()).isEqualTo(90); // ceil(0.1 x 900)
        assertThat(c.train()).isEqualTo(810);
        assertThat(first.export().records()).isEqualTo(2000);
        assertThat(first.export().capped()).isTrue();
        assertThat(first.to()).isNotNull();
        assertThat(first.manifest().iclSelection().selection()).isEqualTo("uniform_distribution");

        assertThat(first.datasets()).extracting(PublishedDataset::kind).containsExactly("eval", "icl", "train");
        assertThat(first.datasets()).extracting(PublishedDataset::name).containsExactly(
                NemoNames.dataset(job.jobId(), "eval", 1), NemoNames.dataset(job.jobId(), "icl", 1),
                NemoNames.dataset(job.jobId(), "train", 1));
        PublishedDataset train = first.dataset("train");
        assertThat(train.filesUrl()).isEqualTo("hf://datasets/" + SupportWorkload.NS + "/" + train.name());
        assertThat(train.file("training/train_data.jsonl").records()).isEqualTo(810);
        assertThat(train.file("validation/val_data.jsonl").records()).isEqualTo(90);
        assertThat(train.file("training/train_data.jsonl").uri()).isEqualTo(train.filesUrl() + "/training/train_data.jsonl");
        assertThat(first.dataset("eval").file("eval_data.jsonl").records()).isEqualTo(100);
        assertThat(first.dataset("icl").file("eval_data.jsonl").records()).isEqualTo(100);
        for (PublishedDataset d : first.datasets()) {
            assertThat(d.repoAdopted()).isFalse();
            assertThat(d.registration()).isEqualTo(Registration.CREATED);
            assertThat(d.files()).allMatch(PublishedFile::uploaded);
            assertRepoHolds(d);
            var entity = await(nemo.entityStore().getDataset(SupportWorkload.NS, d.name()));
            assertThat(entity.filesUrl()).isEqualTo(d.filesUrl());
            assertThat(entity.project()).isEqualTo("flywheel");
        }
        assertThat(emu.ledger().duplicates()).isEmpty();
        assertThat(workDirs(work)).isEmpty();

        List<String> heads = first.datasets().stream().map(d -> head(d)).toList();
        int ledgerSize = emu.ledger().entries().size();

        DatasetOutcome second = await(pipeline.run(job.withWindow(first.from(), first.to())));

        assertThat(second.unchanged()).isTrue();
        assertThat(second.datasets()).allMatch(d -> d.repoAdopted() && d.registration() == Registration.UNCHANGED);
        assertThat(second.datasets()).flatExtracting(PublishedDataset::files).noneMatch(PublishedFile::uploaded);
        assertThat(second.manifest().counts()).isEqualTo(c);
        assertThat(second.datasets()).flatExtracting(PublishedDataset::files).extracting(PublishedFile::sha256)
                .containsExactlyElementsOf(first.datasets().stream().flatMap(d -> d.files().stream())
                        .map(PublishedFile::sha256).toList());
        assertThat(second.datasets().stream().map(d -> head(d)).toList()).isEqualTo(heads); // no new commit
        assertThat(emu.ledger().entries()).hasSize(ledgerSize); // nothing created
        assertThat(emu.ledger().duplicates()).isEmpty();
        assertThat(workDirs(work)).isEmpty();
    }

    /**
     * The same job and attempt with different content (here: another seed, so other samples) keeps the names,
     * adopts repos and entities, and uploads the changed files again: the repos end up holding exactly the new
     * files, still without any duplicate resource.
     */
    @Test
    void changedContentIsUploadedAgainIntoTheSameRepo(@TempDir Path work) throws Exception {
        DatasetPipeline pipeline = DatasetPipeline.builder(es, index, nemo).workRoot(work).build();
        DatasetJob job = DatasetJob.of("job-reseed", SupportWorkload.CLIENT, WORKLOAD,
                SupportWorkload.config(IclConfig.getDefaultInstance()), 1L);
        DatasetOutcome first = await(pipeline.run(job));
        DatasetJob reseeded = new DatasetJob(job.jobId(), 1, job.clientId(), job.workloadId(), job.config(), 2L,
                first.from(), first.to(), null);

        DatasetOutcome second = await(pipeline.run(reseeded));

        // same names, repos and entities adopted; the re-sampled files replace the old ones in one new commit each
        assertThat(second.datasets()).extracting(PublishedDataset::name)
                .isEqualTo(first.datasets().stream().map(PublishedDataset::name).toList());
        assertThat(second.datasets()).allMatch(d -> d.repoAdopted() && d.registration() == Registration.UNCHANGED);
        assertThat(second.datasets()).flatExtracting(PublishedDataset::files).allMatch(PublishedFile::uploaded);
        for (PublishedDataset d : second.datasets()) {
            assertRepoHolds(d);
        }
        assertThat(emu.ledger().duplicates()).isEmpty();
    }

    /** Too few records: FAILED_PRECONDITION naming the counts, before anything is created in NeMo. */
    @Test
    void tooFewRecordsFailsBeforePublishingAnything(@TempDir Path work) throws Exception {
        DatasetPipeline pipeline = DatasetPipeline.builder(es, index, nemo).workRoot(work).build();
        DatasetJob job = DatasetJob.of("job-tiny", SupportWorkload.CLIENT, TINY,
                SupportWorkload.config(IclConfig.getDefaultInstance()), 7L);
        int ledgerSize = emu.ledger().entries().size();

        Throwable failure = catchThrowable(() -> await(pipeline.run(job)));

        assertThat(failure).isInstanceOf(ExecutionException.class);
        assertThat(failure.getCause()).isInstanceOf(FlywheelException.class);
        FlywheelException fe = (FlywheelException) failure.getCause();
        assertThat(fe.kind()).isEqualTo(FlywheelException.Kind.FAILED_PRECONDITION);
        assertThat(fe.getMessage()).contains("min_total_records is 50").contains("only 30 were fetched");
        assertThat(emu.ledger().entries()).hasSize(ledgerSize);
        Throwable missing = catchThrowable(() -> await(nemo.dataStore().repoInfo(
                new RepoRef(SupportWorkload.NS, NemoNames.dataset(job.jobId(), "eval", 1), RepoType.DATASET), "main")));
        assertThat(missing.getCause()).isInstanceOf(NemoException.class);
        assertThat(((NemoException) missing.getCause()).isNotFound()).isTrue();
        assertThat(workDirs(work)).isEmpty();
    }

    /** Every reported file is in the repo with the reported content; nothing else is. */
    private static void assertRepoHolds(PublishedDataset d) throws Exception {
        RepoRef repo = new RepoRef(SupportWorkload.NS, d.name(), RepoType.DATASET);
        List<String> paths = await(nemo.dataStore().listFiles(repo, "main")).stream()
                .filter(TreeEntry::isFile).map(TreeEntry::path).toList();
        assertThat(paths).containsExactlyInAnyOrderElementsOf(d.files().stream().map(PublishedFile::path).toList());
        for (PublishedFile f : d.files()) {
            byte[] content = await(nemo.dataStore().downloadFile(repo, "main", f.path()));
            assertThat(DatasetPublisher.hex("SHA-256", content)).isEqualTo(f.sha256());
            assertThat((long) content.length).isEqualTo(f.bytes());
        }
    }

    private static String head(PublishedDataset d) {
        try {
            return await(nemo.dataStore().repoInfo(new RepoRef(SupportWorkload.NS, d.name(), RepoType.DATASET),
                    "main")).sha();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static List<Path> workDirs(Path work) throws IOException {
        try (Stream<Path> s = Files.list(work)) {
            return s.toList();
        }
    }

    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(Duration.ofMinutes(2).toSeconds(), TimeUnit.SECONDS);
    }
}
