package dev.flywheel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.SplitHttpResponse;
import dev.flywheel.api.v1.CancelJobRequest;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.Job;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JobEventsSseTest extends TestServer {

    @Test
    void streamsSnapshotThenUpdateAndEnds() throws Exception {
        Job job = grpc.createJob(CreateJobRequest.newBuilder().setClientId(unique("c")).setWorkloadId("w").build());
        HttpResponse stream = http.get("/v1/jobs/" + job.getId() + "/events");
        StringBuilder received = new StringBuilder();
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        SplitHttpResponse split = stream.split();
        assertThat(split.headers().get(5, TimeUnit.SECONDS).contentType().toString()).startsWith("text/event-stream");
        split.body().subscribe(new org.reactivestreams.Subscriber<>() {
            @Override public void onSubscribe(org.reactivestreams.Subscription s) { s.request(Long.MAX_VALUE); }
            @Override public void onNext(com.linecorp.armeria.common.HttpData data) {
                synchronized (received) { received.append(data.toStringUtf8()); }
            }
            @Override public void onError(Throwable t) { done.completeExceptionally(t); }
            @Override public void onComplete() { done.complete(null); }
        });
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            synchronized (received) { return received.toString().contains("event:snapshot"); }
        });
        grpc.cancelJob(CancelJobRequest.newBuilder().setId(job.getId()).build());
        done.get(10, TimeUnit.SECONDS); // the stream ends after the terminal status
        String text = received.toString();
        assertThat(text).contains("id:1\nevent:snapshot\ndata:{\"id\":\"" + job.getId());
        assertThat(text).contains("id:2\nevent:update\n");
        assertThat(text).contains("\"status\":\"cancelled\"");
    }

    @Test
    void lastEventIdResumesAfterThatVersion() {
        Job job = grpc.createJob(CreateJobRequest.newBuilder().setClientId(unique("c")).setWorkloadId("w").build());
        grpc.cancelJob(CancelJobRequest.newBuilder().setId(job.getId()).build());
        String fromStart = http.get("/v1/jobs/" + job.getId() + "/events").aggregate().join().contentUtf8();
        assertThat(fromStart).contains("id:2\nevent:snapshot").doesNotContain("id:1\n");
        String resumed = http.execute(RequestHeaders.builder(HttpMethod.GET, "/v1/jobs/" + job.getId() + "/events")
                .add(HttpHeaderNames.LAST_EVENT_ID, "2").build()).aggregate().join().contentUtf8();
        assertThat(resumed).as("nothing newer than version 2").doesNotContain("event:");
    }

    @Test
    void unknownJobIs404AndBadIdIs400() {
        assertThat(http.get("/v1/jobs/0123456789abcdef01234567/events").aggregate().join().status().code()).isEqualTo(404);
        assertThat(http.get("/v1/jobs/bad/events").aggregate().join().status().code()).isEqualTo(400);
    }
}
