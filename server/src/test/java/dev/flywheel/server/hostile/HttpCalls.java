package dev.flywheel.server.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The JSON/HTTP routes and how a hostile request to one is put together. jqwik chooses the structure (route, body,
 * twist, transport) and a seed; the content comes from {@link Hostile} with that seed, at send time, so ids of
 * documents created earlier in the run can be used.
 */
final class HttpCalls {

    private HttpCalls() {}

    /** Every JSON route of the public port, the reference's /api included, and a few that do not exist. */
    enum Route {
        CREATE_JOB("POST", "/v1/jobs", Body.CREATE_JOB),
        GET_JOB("GET", "/v1/jobs/{id}", Body.NONE),
        LIST_JOBS("GET", "/v1/jobs", Body.NONE),
        CANCEL_JOB("POST", "/v1/jobs/{id}/cancel", Body.EMPTY_OBJECT),
        DELETE_JOB("DELETE", "/v1/jobs/{id}", Body.NONE),
        PUT_CONFIG("POST", "/v1/configs", Body.PUT_CONFIG),
        GET_CONFIG("GET", "/v1/configs/{name}", Body.NONE),
        LIST_CONFIGS("GET", "/v1/configs", Body.NONE),
        DELETE_CONFIG("DELETE", "/v1/configs/{name}", Body.NONE),
        API_CREATE_JOB("POST", "/api/jobs", Body.API_CREATE_JOB),
        API_LIST_JOBS("GET", "/api/jobs", Body.NONE),
        API_GET_JOB("GET", "/api/jobs/{id}", Body.NONE),
        API_CANCEL_JOB("POST", "/api/jobs/{id}/cancel", Body.NONE),
        API_DELETE_JOB("DELETE", "/api/jobs/{id}", Body.NONE),
        /** Unframed gRPC: the service's method path with a JSON body (enableUnframedRequests). */
        UNFRAMED_CREATE_JOB("POST", "/flywheel.v1.FlywheelService/CreateJob", Body.CREATE_JOB),
        UNFRAMED_LIST_JOBS("POST", "/flywheel.v1.FlywheelService/ListJobs", Body.ANY_JSON),
        NOWHERE("GET", "{nowhere}", Body.NONE);

        final String method;
        final String template;
        final Body body;

        Route(String method, String template, Body body) {
            this.method = method;
            this.template = template;
            this.body = body;
        }

        boolean reference() {
            return template.startsWith("/api");
        }
    }

    enum Body { NONE, EMPTY_OBJECT, CREATE_JOB, API_CREATE_JOB, PUT_CONFIG, ANY_JSON }

    /** What goes into the body: the route's plausible body, a broken one, or none at all. */
    enum BodyKind { PLAUSIBLE, BROKEN, NOT_UTF8, NONE }

    /** One thing done wrong besides the body. */
    enum Twist { NONE, HEADERS, CONTENT_TYPE, METHOD, QUERY }

    enum Transport { HTTP1, HTTP2 }

    record Request(String method, String path, List<String[]> headers, byte[] body) {

        String describe() {
            StringBuilder s = new StringBuilder(method).append(' ').append(Hostile.abbreviate(path, 300));
            for (String[] h : headers) {
                s.append(" | ").append(h[0]).append(": ").append(Hostile.abbreviate(h[1], 60));
            }
            if (body.length > 0) {
                s.append(" | body(").append(body.length).append(" bytes)=")
                        .append(Hostile.abbreviate(new String(body, StandardCharsets.UTF_8), 300));
            }
            return s.toString();
        }

        /** The request as HTTP/1.1 bytes (Host, Content-Length and Connection: close added). */
        byte[] http1() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes((method + " " + path + " HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            for (String[] h : headers) {
                out.writeBytes((h[0] + ": " + h[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            if (body.length > 0 || !method.equals("GET")) {
                out.writeBytes(("content-length: " + body.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            out.writeBytes(body);
            return out.toByteArray();
        }

        /**
         * Whether the request line or headers exceed what the server reads (Armeria's defaults: 4,096 bytes of request
         * line, 8,192 of headers). The server answers 414 or 431 and closes without reading the rest; the unread bytes
         * make the kernel reset the connection, which can destroy that answer before the client reads it (no
         * lingering close). So a reset is an acceptable outcome for these.
         */
        boolean overHeadLimits() {
            return overHeadLimits(method.length() + path.length() + 10, headers);
        }

        static boolean overHeadLimits(int requestLine, List<String[]> headers) {
            int size = 0;
            for (String[] h : headers) {
                size += h[0].length() + h[1].length() + 4;
            }
            return requestLine > 4096 || size > 8192 - 100; // a little room for host, content-length, ...
        }

        /** Whether a well-behaved client library can carry it (else it goes over the socket client). */
        boolean clientSafe() {
            for (char c : path.toCharArray()) {
                if (c <= 0x20 || c >= 0x7f || "\"<>\\^`{|}#".indexOf(c) >= 0) {
                    return false;
                }
            }
            for (String[] h : headers) {
                for (char c : (h[0] + h[1]).toCharArray()) {
                    if (c < 0x20 || c >= 0x7f) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    static Request build(Route route, BodyKind bodyKind, Twist twist, long seed) {
        Random r = new Random(seed);
        String method = route.method;
        if (twist == Twist.METHOD) {
            method = Hostile.pick(r, List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"));
        }
        String path = switch (route) {
            case NOWHERE -> Hostile.pick(r, List.of("/v1", "/v1/", "/v1/jobs/", "/v1/jobs//cancel", "/v1/jobs/a/b/c",
                    "/v1/jobs/" + Hostile.knownJob(r) + "/events/x", "/v1/configs/", "/api", "/api/", "/api/jobs/",
                    "/api/jobs/a/b", "/v2/jobs", "/flywheel.v1.FlywheelService/", "/flywheel.v1.FlywheelService/Nope",
                    "/internal/health/../metrics", "/docs/../v1/jobs", "/%2e%2e/v1/jobs", "/v1/jobs/%2e%2e/configs",
                    "/v1/jobs/" + Hostile.segment(r, Hostile.text(r)) + "/" + Hostile.segment(r, Hostile.text(r)),
                    "/" + Hostile.segment(r, Hostile.text(r))));
            default -> route.template
                    .replace("{id}", Hostile.segment(r, r.nextInt(3) == 0 ? Hostile.knownJob(r) : Hostile.text(r)))
                    .replace("{name}", Hostile.segment(r, r.nextInt(3) == 0 ? Hostile.knownConfig(r) : Hostile.text(r)));
        };
        boolean lists = route == Route.LIST_JOBS || route == Route.LIST_CONFIGS || route == Route.API_LIST_JOBS;
        if (lists || twist == Twist.QUERY) {
            List<String> known = switch (route) {
                case LIST_JOBS -> List.of("client_id", "workload_id", "status", "page_size", "page_token");
                case LIST_CONFIGS -> List.of("name", "page_size", "page_token");
                case GET_JOB, CANCEL_JOB, DELETE_JOB -> List.of("id", "since_version");
                default -> List.of();
            };
            path += Hostile.query(r, known);
        }
        byte[] body = switch (bodyKind) {
            case NONE -> new byte[0];
            case PLAUSIBLE -> Hostile.utf8(plausible(route.body, r));
            case BROKEN -> Hostile.brokenBody(r, plausible(route.body == Body.NONE ? Body.CREATE_JOB : route.body, r));
            case NOT_UTF8 -> Hostile.notUtf8(r, plausible(route.body == Body.NONE ? Body.CREATE_JOB : route.body, r));
        };
        List<String[]> headers = new ArrayList<>();
        if (body.length > 0 || method.equals("POST")) {
            headers.add(new String[] {"content-type", twist == Twist.CONTENT_TYPE ? Hostile.pick(r, Hostile.CONTENT_TYPES)
                    : "application/json"});
        }
        if (twist == Twist.HEADERS) {
            headers.addAll(Hostile.headerAbuse(r));
        }
        return new Request(method, path, headers, body);
    }

    private static String plausible(Body body, Random r) {
        return switch (body) {
            case NONE -> "";
            case EMPTY_OBJECT -> r.nextInt(4) == 0 ? Hostile.jsonValue(r, 2) : "{}";
            case CREATE_JOB -> Hostile.createJob(r, false);
            case API_CREATE_JOB -> Hostile.createJob(r, true);
            case PUT_CONFIG -> Hostile.putConfig(r);
            case ANY_JSON -> Hostile.message(r, dev.flywheel.api.v1.ListJobsRequest.getDescriptor(), 1, 0.5);
        };
    }
}
