package dev.flywheel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.rpc.BadRequest;
import dev.flywheel.api.v1.CancelJobRequest;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.DataSplitConfig;
import dev.flywheel.api.v1.DeleteJobRequest;
import dev.flywheel.api.v1.GetJobRequest;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobEvent;
import dev.flywheel.api.v1.ListJobsRequest;
import dev.flywheel.api.v1.ListJobsResponse;
import dev.flywheel.api.v1.WatchJobRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JobApiGrpcTest extends TestServer {

    private static CreateJobRequest request(String client) {
        return CreateJobRequest.newBuilder().setClientId(client).setWorkloadId("support").build();
    }

    private static Status.Code code(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        throw new AssertionError("expected an error status");
    }

    @Test
    void createThenGet() {
        String client = unique("c");
        Job created = grpc.createJob(request(client).toBuilder().setJobType("llm_job")
                .setDataSplitConfig(DataSplitConfig.newBuilder().setEvalSize(20)).build());
        assertThat(created.getStatus()).isEqualTo("pending");
        assertThat(created.getVersion()).isEqualTo(1);
        assertThat(created.getId()).hasSize(24);
        // Effective configuration: the request's override over the defaults, with a recorded seed and log window end.
        assertThat(created.getConfig().getDataSplitConfig().getEvalSize()).isEqualTo(20);
        assertThat(created.getConfig().getDataSplitConfig().getLimit()).isEqualTo(1000);
        assertThat(created.getConfig().getDataSplitConfig().hasRandomSeed()).isTrue();
        assertThat(created.hasTo()).isTrue();
        assertThat(grpc.getJob(GetJobRequest.newBuilder().setId(created.getId()).build())).isEqualTo(created);
    }

    @Test
    void unknownAndMalformedIds() {
        assertThat(code(() -> grpc.getJob(GetJobRequest.newBuilder().setId("0123456789abcdef01234567").build())))
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(() -> grpc.getJob(GetJobRequest.newBuilder().setId("nope").build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void invalidArgumentCarriesFieldViolations() {
        StatusRuntimeException e = (StatusRuntimeException) catchThrowable(() -> grpc.createJob(
                CreateJobRequest.newBuilder().setWorkloadId("w").setDataSplitConfig(
                        DataSplitConfig.newBuilder().setValRatio(1.5)).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        com.google.rpc.Status details = StatusProto.fromThrowable(e);
        assertThat(details).isNotNull();
        BadRequest bad = details.getDetailsList().stream().filter(a -> a.is(BadRequest.class)).findFirst()
                .map(a -> unpack(a)).orElseThrow();
        assertThat(bad.getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField)
                .containsExactly("client_id", "data_split_config.val_ratio");
    }

    private static BadRequest unpack(com.google.protobuf.Any any) {
        try {
            return any.unpack(BadRequest.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static Throwable catchThrowable(Runnable call) {
        try {
            call.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void listFiltersAndPages() {
        String client = unique("c");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(0, grpc.createJob(request(client).toBuilder().setWorkloadId(i < 3 ? "a" : "b").build()).getId());
        }
        String cancelled = ids.get(0);
        grpc.cancelJob(CancelJobRequest.newBuilder().setId(cancelled).build());

        List<String> seen = new ArrayList<>();
        String token = "";
        do {
            ListJobsResponse page = grpc.listJobs(ListJobsRequest.newBuilder().setClientId(client).setPageSize(2)
                    .setPageToken(token).build());
            assertThat(page.getJobsCount()).isLessThanOrEqualTo(2);
            page.getJobsList().forEach(j -> seen.add(j.getId()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(seen).as("newest first, every job once").isEqualTo(ids);
        assertThat(grpc.listJobs(ListJobsRequest.newBuilder().setClientId(client).setWorkloadId("a").build()).getJobsCount())
                .isEqualTo(3);
        assertThat(grpc.listJobs(ListJobsRequest.newBuilder().setClientId(client).setStatus("cancelled").build())
                .getJobsList()).extracting(Job::getId).containsExactly(cancelled);
        assertThat(code(() -> grpc.listJobs(ListJobsRequest.newBuilder().setStatus("done").build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> grpc.listJobs(ListJobsRequest.newBuilder().setPageSize(5000).build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> grpc.listJobs(ListJobsRequest.newBuilder().setPageToken("%%%").build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void cancelAndDeletePreconditions() {
        Job job = grpc.createJob(request(unique("c")));
        String id = job.getId();
        assertThat(code(() -> grpc.deleteJob(DeleteJobRequest.newBuilder().setId(id).build())))
                .as("a pending job cannot be deleted").isEqualTo(Status.Code.FAILED_PRECONDITION);
        Job cancelled = grpc.cancelJob(CancelJobRequest.newBuilder().setId(id).build());
        assertThat(cancelled.getStatus()).isEqualTo("cancelled");
        assertThat(cancelled.getVersion()).isEqualTo(2);
        assertThat(cancelled.getError().getCode()).isEqualTo("CANCELLED");
        assertThat(code(() -> grpc.cancelJob(CancelJobRequest.newBuilder().setId(id).build())))
                .as("a finished job cannot be cancelled").isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(grpc.deleteJob(DeleteJobRequest.newBuilder().setId(id).build()).getRemovedList()).hasSize(1);
        assertThat(code(() -> grpc.getJob(GetJobRequest.newBuilder().setId(id).build()))).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(() -> grpc.deleteJob(DeleteJobRequest.newBuilder().setId(id).build()))).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(() -> grpc.cancelJob(CancelJobRequest.newBuilder().setId(id).build()))).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void sameRequestIdSamePayloadIsTheSameJobAndOtherPayloadIsAlreadyExists() {
        CreateJobRequest first = request(unique("c")).toBuilder().setRequestId(unique("r")).build();
        Job job = grpc.createJob(first);
        assertThat(grpc.createJob(first)).isEqualTo(job);
        assertThat(code(() -> grpc.createJob(first.toBuilder().setWorkloadId("other").build())))
                .isEqualTo(Status.Code.ALREADY_EXISTS);
    }

    @Test
    void hundredConcurrentCreatesWithOneRequestIdMakeExactlyOneJob() throws Exception {
        String client = unique("c");
        CreateJobRequest create = request(client).toBuilder().setRequestId(unique("r")).build();
        ExecutorService pool = Executors.newFixedThreadPool(100);
        try {
            List<CompletableFuture<Job>> calls = new ArrayList<>();
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 100; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return grpc.createJob(create);
                }, pool));
            }
            go.countDown();
            List<String> ids = calls.stream().map(CompletableFuture::join).map(Job::getId).distinct().toList();
            assertThat(ids).hasSize(1);
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertThat(jobCount(client)).isEqualTo(1);
    }

    @Test
    void watchStreamsTheSnapshotThenChangesAndEndsWhenTerminal() throws Exception {
        Job job = grpc.createJob(request(unique("c")));
        Iterator<JobEvent> events = grpc.withDeadlineAfter(20, TimeUnit.SECONDS)
                .watchJob(WatchJobRequest.newBuilder().setId(job.getId()).build());
        JobEvent snapshot = events.next();
        assertThat(snapshot.getKind()).isEqualTo("snapshot");
        assertThat(snapshot.getJob()).isEqualTo(job);
        ListenableFuture<Job> cancel = grpcAsync.cancelJob(CancelJobRequest.newBuilder().setId(job.getId()).build());
        JobEvent update = events.next();
        assertThat(update.getKind()).isEqualTo("update");
        assertThat(update.getJob()).isEqualTo(cancel.get(10, TimeUnit.SECONDS));
        assertThat(events.hasNext()).as("the stream ends after a terminal status").isFalse();

        // Resuming from the last seen version of a finished job replays nothing and ends at once.
        Iterator<JobEvent> resumed = grpc.withDeadlineAfter(10, TimeUnit.SECONDS).watchJob(WatchJobRequest.newBuilder()
                .setId(job.getId()).setSinceVersion(update.getJob().getVersion()).build());
        assertThat(resumed.hasNext()).isFalse();
        assertThat(code(() -> grpc.watchJob(WatchJobRequest.newBuilder().setId("0123456789abcdef01234567").build())
                .hasNext())).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void unknownConfigNameIsInvalidArgument() {
        String client = unique("c");
        assertThatThrownBy(() -> grpc.createJob(request(client).toBuilder().setConfigName("missing").build()))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("config_name");
        assertThat(jobCount(client)).isZero();
    }
}
