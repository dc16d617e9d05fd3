package dev.flywheel.server.hostile;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.UnprocessedRequestException;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.ResponseHeaders;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Sends requests with Armeria's HTTP client over HTTP/1.1 ({@code h1c}) or HTTP/2 with prior knowledge
 * ({@code h2c}) and reads the answer as a stream, so a long-lived response (SSE, WatchJob) can be told from a hang:
 * one that sent its headers is "streaming", one that sent nothing is a hang.
 */
final class Wire implements AutoCloseable {

    private static final int MAX_BODY = 64 * 1024;

    private final ClientFactory factory;
    final WebClient h1;
    final WebClient h2;

    Wire(int port) {
        // Our own connections, so a connection the server closes over one request never affects another category.
        factory = ClientFactory.builder().idleTimeoutMillis(10_000).build();
        h1 = WebClient.builder("h1c://127.0.0.1:" + port).factory(factory)
                .responseTimeoutMillis(0).maxResponseLength(0).build();
        h2 = WebClient.builder("h2c://127.0.0.1:" + port).factory(factory)
                .responseTimeoutMillis(0).maxResponseLength(0).build();
    }

    /**
     * The raw exchange: status, headers, body bytes and trailers (empty when none); {@code complete} when the response
     * ended normally, {@code error} when it failed (null while it was still open and we aborted it).
     */
    record Exchange(ResponseHeaders headers, byte[] body, HttpHeaders trailers, boolean complete, Throwable error) {}

    /**
     * Sends and collects; {@code openAfter} is how long a response that has sent its headers may stay open before it
     * counts as a live stream (then it is aborted).
     */
    Exchange exchange(WebClient client, HttpRequest request, Duration timeout, Duration openAfter) {
        HttpResponse response;
        try {
            response = client.execute(request);
        } catch (RuntimeException e) {
            return new Exchange(null, new byte[0], HttpHeaders.of(), false, e);
        }
        Collector collector = new Collector();
        response.subscribe(collector);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            collector.started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // nothing at all: a hang, or a silent stream; decided by the caller
        } catch (Exception e) {
            // the failure is kept in the collector
        }
        if (!collector.done.isDone() && collector.started.isDone()) {
            long left = Math.min(openAfter.toNanos(), deadline - System.nanoTime());
            try {
                collector.done.get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                // still open: a live stream
            }
        }
        Exchange seen;
        synchronized (collector) { // before the abort below, whose own error is ours, not the server's
            boolean done = collector.done.isDone();
            seen = new Exchange(collector.headers, collector.body.toByteArray(), collector.trailers,
                    done && collector.error == null, done ? collector.error : null);
        }
        if (!collector.done.isDone()) {
            response.abort();
        }
        return seen;
    }

    /** An exchange as an answer to a plain HTTP request. */
    static Answer httpAnswer(Exchange x) {
        if (x.headers() == null || x.error() != null) {
            return failure(x);
        }
        int status = x.headers().status().code();
        return x.complete() ? Answer.http(status, x.body(), "") : Answer.streaming(status, x.body());
    }

    /**
     * An exchange as an answer to a gRPC call (framed gRPC, gRPC-Web or gRPC-Web-text): the status from the trailers,
     * the trailers-only headers or, for gRPC-Web, the trailer frame in the body.
     */
    static Answer grpcAnswer(Exchange x) {
        if (x.headers() == null || x.error() != null) {
            return failure(x);
        }
        int http = x.headers().status().code();
        String code = x.trailers().get("grpc-status");
        if (code == null) {
            code = x.headers().get("grpc-status");
        }
        byte[] body = x.body();
        String contentType = String.valueOf(x.headers().get("content-type")).toLowerCase(Locale.ROOT);
        if (code == null && contentType.startsWith("application/grpc-web")) {
            byte[] frames = body;
            if (contentType.startsWith("application/grpc-web-text")) {
                frames = decodeWebText(body);
            }
            code = webTrailer(frames, "grpc-status");
        }
        String message = x.trailers().get("grpc-message");
        if (message == null) {
            message = x.headers().get("grpc-message");
        }
        if (code == null) {
            if (!x.complete() && http == 200) {
                return Answer.streaming(http, body);
            }
            return Answer.http(http, body, "no grpc-status");
        }
        String name;
        try {
            name = io.grpc.Status.fromCodeValue(Integer.parseInt(code.trim())).getCode().name();
        } catch (NumberFormatException e) {
            name = "unparsable grpc-status " + code;
        }
        return Answer.grpc(http, name, body, message == null ? "" : message);
    }

    private static Answer failure(Exchange x) {
        Throwable error = x.error();
        if (error == null) {
            return Answer.of(Answer.Kind.HANG, "no response headers");
        }
        if (x.headers() != null) {
            return Answer.of(Answer.Kind.RESET, "after http " + x.headers().status().code() + ": "
                    + error.getClass().getSimpleName());
        }
        if (error instanceof UnprocessedRequestException || error instanceof IllegalArgumentException) {
            Throwable cause = error.getCause() != null ? error.getCause() : error;
            return Answer.of(Answer.Kind.NOT_SENT, cause.getClass().getSimpleName());
        }
        return Answer.of(Answer.Kind.RESET, error.getClass().getSimpleName());
    }

    private static byte[] decodeWebText(byte[] body) {
        // Each message and the trailer frame may be base64 on its own (with padding); decode piece by piece.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String text = new String(body, StandardCharsets.US_ASCII).replaceAll("\\s", "");
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            boolean end = i == text.length() || (text.charAt(i) == '=' && (i + 1 == text.length() || text.charAt(i + 1) != '='));
            if (end) {
                String piece = text.substring(start, Math.min(text.length(), i + 1));
                try {
                    out.writeBytes(Base64.getDecoder().decode(piece));
                } catch (IllegalArgumentException e) {
                    return new byte[0];
                }
                start = i + 1;
            }
        }
        return out.toByteArray();
    }

    /** A header from the gRPC-Web trailer frame (flag 0x80) in a response body. */
    private static String webTrailer(byte[] frames, String name) {
        int i = 0;
        while (i + 5 <= frames.length) {
            int flag = frames[i] & 0xff;
            int length = ((frames[i + 1] & 0xff) << 24) | ((frames[i + 2] & 0xff) << 16) | ((frames[i + 3] & 0xff) << 8)
                    | (frames[i + 4] & 0xff);
            int from = i + 5;
            int to = Math.min(frames.length, from + Math.max(0, length));
            if ((flag & 0x80) != 0) {
                for (String line : new String(frames, from, to - from, StandardCharsets.US_ASCII).split("\r\n")) {
                    int colon = line.indexOf(':');
                    if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                        return line.substring(colon + 1).trim();
                    }
                }
            }
            i = to;
        }
        return null;
    }

    @Override
    public void close() {
        factory.close();
    }

    private static final class Collector implements Subscriber<HttpObject> {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        /** Response headers came, or the exchange ended. */
        final CompletableFuture<Void> started = new CompletableFuture<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        ResponseHeaders headers;
        HttpHeaders trailers = HttpHeaders.of();
        Throwable error;

        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public synchronized void onNext(HttpObject o) {
            if (o instanceof ResponseHeaders h) {
                if (!h.status().isInformational()) {
                    headers = h;
                    started.complete(null);
                }
            } else if (o instanceof HttpData data) {
                if (body.size() < MAX_BODY) {
                    body.writeBytes(data.array());
                }
            } else if (o instanceof HttpHeaders t) {
                trailers = t;
            }
        }

        @Override
        public synchronized void onError(Throwable t) {
            error = t;
            done.complete(null);
            started.complete(null);
        }

        @Override
        public void onComplete() {
            done.complete(null);
            started.complete(null);
        }
    }
}
