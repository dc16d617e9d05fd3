package dev.flywheel.server.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.sse.ServerSentEvent;
import com.linecorp.armeria.common.stream.StreamMessage;
import com.linecorp.armeria.common.stream.StreamWriter;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Header;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.streaming.ServerSentEvents;
import dev.flywheel.api.v1.JobEvent;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.server.job.JobService;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * WatchJob for browsers and curl: {@code GET /v1/jobs/{id}/events} as Server-Sent Events. Each event has
 * {@code id: <version>}, {@code event: snapshot|update} and the job as JSON in {@code data}; a reconnecting
 * EventSource sends Last-Event-ID and continues after that version. A comment every 15 s keeps proxies from
 * closing an idle stream.
 */
public final class JobEventsService {

    private static final JsonFormat.Printer JSON = JsonFormat.printer().preservingProtoFieldNames()
            .omittingInsignificantWhitespace();
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    private final JobService jobs;

    public JobEventsService(JobService jobs) {
        this.jobs = jobs;
    }

    @Get("/v1/jobs/{id}/events")
    public HttpResponse events(ServiceRequestContext ctx, @Param("id") String id,
                               @Param("since_version") Optional<Long> sinceVersion,
                               @Header("last-event-id") Optional<String> lastEventId) {
        jobs.checkId(id);
        long since = sinceVersion.orElseGet(() -> lastEventId.map(JobEventsService::parseLastEventId).orElse(0L));
        if (since < 0) {
            throw FlywheelException.invalid("since_version", "must not be negative");
        }
        Runnable release = jobs.openWatch();
        ctx.clearRequestTimeout();
        StreamWriter<ServerSentEvent> stream = StreamMessage.streaming();
        JobWatcher.Sink sink = new JobWatcher.Sink() {
            @Override
            public void onEvent(JobEvent event) {
                stream.tryWrite(ServerSentEvent.builder()
                        .id(Long.toString(event.getJob().getVersion()))
                        .event(event.getKind())
                        .data(json(event))
                        .build());
            }

            @Override
            public void onEnd() {
                stream.close();
            }
        };
        // get() first: only a job the caller may see can be watched (another tenant's is NOT_FOUND).
        return HttpResponse.of(jobs.get(id).thenCompose(visible -> JobWatcher.start(jobs.store(), id, since, sink)).whenComplete((w, e) -> {
            if (e != null) {
                release.run();
            }
        }).thenApply(watcher -> {
            if (!stream.isOpen() && stream.isEmpty()) {
                release.run();
                // Nothing newer and already finished: an empty event stream (a closed, never-written writer
                // cannot be served as a response body).
                return HttpResponse.of(ResponseHeaders.of(HttpStatus.OK, HttpHeaderNames.CONTENT_TYPE, MediaType.EVENT_STREAM));
            }
            // The response headers go out with the first thing written; a client already up to date with an
            // unfinished job would otherwise get no headers (no EventSource "open") until the first keep-alive.
            stream.tryWrite(ServerSentEvent.ofComment("watching"));
            ScheduledFuture<?> keepAlive = ctx.eventLoop().scheduleAtFixedRate(
                    () -> stream.tryWrite(ServerSentEvent.ofComment("keep-alive")),
                    KEEP_ALIVE.toMillis(), KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS);
            stream.whenComplete().handle((ok, error) -> {
                keepAlive.cancel(false);
                release.run();
                watcher.close(); // the client went away, or the job ended
                return null;
            });
            return ServerSentEvents.fromPublisher(stream);
        }));
    }

    private static long parseLastEventId(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw FlywheelException.invalid("Last-Event-ID", "must be a job version number");
        }
    }

    private static String json(JobEvent event) {
        try {
            return JSON.print(event.getJob());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
