package dev.flywheel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.linecorp.armeria.client.Clients;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.SplitHttpResponse;
import com.linecorp.armeria.common.util.SafeCloseable;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.GetJobRequest;
import dev.flywheel.api.v1.Job;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One test per bug the hostile-input suite (dev.flywheel.server.hostile) found in the server: each request here got
 * a 500, an INTERNAL or UNKNOWN, no answer, or left a document behind that its answer denied.
 */
class MalformedRequestsTest extends TestServer {

    private static final byte[] GET_JOB = GetJobRequest.newBuilder().setId("0123456789abcdef01234567").build().toByteArray();

    private static byte[] frame(int flag, int declaredLength, byte[] message) {
        return ByteBuffer.allocate(5 + message.length).put((byte) flag).putInt(declaredLength).put(message).array();
    }

    private static AggregatedHttpResponse grpcPost(String method, String contentType, byte[] body, String... headers) {
        return grpcPostTo("/flywheel.v1.FlywheelService/" + method, contentType, body, headers);
    }

    private static AggregatedHttpResponse grpcPostTo(String path, String contentType, byte[] body, String... headers) {
        com.linecorp.armeria.common.RequestHeadersBuilder h = RequestHeaders.builder(HttpMethod.POST, path)
                .contentType(MediaType.parse(contentType)).add("te", "trailers");
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1]);
        }
        return http.execute(HttpRequest.of(h.build(), HttpData.wrap(body))).aggregate().join();
    }

    private static String grpcStatus(AggregatedHttpResponse response) {
        String status = response.trailers().get("grpc-status");
        return status != null ? status : response.headers().get("grpc-status");
    }

    private static final String INVALID_ARGUMENT = Integer.toString(Status.Code.INVALID_ARGUMENT.value());

    @Test
    void aRequestMessageThatCannotBeReadIsInvalidArgumentNotInternal() {
        // sanity: a well-framed message gets the service's own answer
        assertThat(grpcStatus(grpcPost("GetJob", "application/grpc", frame(0, GET_JOB.length, GET_JOB))))
                .isEqualTo(Integer.toString(Status.Code.NOT_FOUND.value()));
        // a frame that declares more bytes than it has (was UNKNOWN -> INTERNAL from an IndexOutOfBoundsException)
        assertThat(grpcStatus(grpcPost("GetJob", "application/grpc", frame(0, GET_JOB.length + 10, GET_JOB))))
                .isEqualTo(INVALID_ARGUMENT);
        // the compressed flag without grpc-encoding (was INTERNAL from the deframer)
        assertThat(grpcStatus(grpcPost("GetJob", "application/grpc", frame(1, GET_JOB.length, GET_JOB))))
                .isEqualTo(INVALID_ARGUMENT);
        // bytes that are not protobuf (was INTERNAL "Invalid protobuf byte sequence")
        byte[] garbage = {0x0a, 0x7f, 'a'};
        assertThat(grpcStatus(grpcPost("GetJob", "application/grpc", frame(0, garbage.length, garbage))))
                .isEqualTo(INVALID_ARGUMENT);
        AggregatedHttpResponse unframed = grpcPost("GetJob", "application/protobuf", garbage);
        assertThat(unframed.status().code()).isEqualTo(400);
        assertThat(unframed.contentUtf8()).contains("INVALID_ARGUMENT");
        // JSON the transcoder's parser throws on (was a StringIndexOutOfBoundsException -> 500)
        AggregatedHttpResponse json = postJson("/v1/configs", "{\"name\":\"x\",\"config\":{\"data_split_config\":{\"random_seed\":\"\"}}}");
        assertThat(json.status().code()).isEqualTo(400);
        assertThat(json.contentUtf8()).contains("INVALID_ARGUMENT");
    }

    @Test
    void aMalformedFrameOnAStreamingServiceIsInvalidArgumentNotInternal() {
        // Found by a random-seed run: reserved flag bits on the (bidirectional) reflection service answered INTERNAL.
        String reflection = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
        byte[] list = io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build().toByteArray();
        assertThat(grpcStatus(grpcPostTo(reflection, "application/grpc", frame(0, list.length, list))))
                .isEqualTo("0");
        for (int flag : new int[] {0x02, 0x40, 0x7e, 0xfe}) {
            assertThat(grpcStatus(grpcPostTo(reflection, "application/grpc", frame(flag, list.length, list))))
                    .as("flag %x", flag).isEqualTo(INVALID_ARGUMENT);
            byte[] goodThenBad = ByteBuffer.allocate(2 * (5 + list.length)).put(frame(0, list.length, list))
                    .put(frame(flag, list.length, list)).array();
            assertThat(grpcStatus(grpcPostTo(reflection, "application/grpc", goodThenBad)))
                    .as("flag %x after a good message", flag).isEqualTo(INVALID_ARGUMENT);
        }
        assertThat(grpcStatus(grpcPost("GetJob", "application/grpc", frame(0x40, GET_JOB.length, GET_JOB))))
                .isEqualTo(INVALID_ARGUMENT);
    }

    @Test
    void aCallWithoutItsRequestMessageIsInvalidArgumentNotInternal() {
        // WatchJob (server streaming) with only part of a frame: grpc-java said INTERNAL "Half-closed without a request"
        byte[] partial = {0, 0, 0, 0, 0x5c};
        AggregatedHttpResponse response = grpcPost("WatchJob", "application/grpc", partial);
        assertThat(grpcStatus(response)).isEqualTo(INVALID_ARGUMENT);
        assertThat(grpcStatus(grpcPost("WatchJob", "application/grpc", new byte[0]))).isEqualTo(INVALID_ARGUMENT);
    }

    @Test
    void binaryMetadataThatIsNotBase64IsInvalidArgumentNot500() {
        AggregatedHttpResponse grpcCall = grpcPost("GetJob", "application/grpc", frame(0, GET_JOB.length, GET_JOB),
                "x-meta-bin", "QQ=");
        assertThat(grpcCall.status().code()).isEqualTo(200);
        assertThat(grpcStatus(grpcCall)).isEqualTo(INVALID_ARGUMENT);
        assertThat(grpcCall.headers().get("grpc-message")).contains("x-meta-bin");

        AggregatedHttpResponse httpCall = http.execute(RequestHeaders.builder(HttpMethod.GET, "/v1/jobs")
                .add("x-trace-bin", "!!!").build()).aggregate().join();
        assertThat(httpCall.status().code()).isEqualTo(400);
        assertThat(json(httpCall).path("grpc-code").asText()).isEqualTo("INVALID_ARGUMENT");
        // well-formed binary metadata still passes
        assertThat(grpcStatus(grpcPost("GetJob", "application/grpc", frame(0, GET_JOB.length, GET_JOB), "x-meta-bin", "QQ")))
                .isEqualTo(Integer.toString(Status.Code.NOT_FOUND.value()));
    }

    @Test
    void aGrpcMethodPathAnswersOnlyPost() {
        for (HttpMethod method : new HttpMethod[] {HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.OPTIONS}) {
            AggregatedHttpResponse response = http.execute(HttpRequest.of(RequestHeaders.builder(method,
                    "/flywheel.v1.FlywheelService/CreateJob").contentType(MediaType.JSON).build(),
                    HttpData.ofUtf8("{\"client_id\":\"c\",\"workload_id\":\"w\"}"))).aggregate().join();
            assertThat(response.status().code()).as("%s", method).isEqualTo(405);
        }
    }

    @Test
    void aStatusMessageThatEchoesAHugeInputIsCutSoTheClientCanReadIt() {
        HealthGrpc.HealthBlockingStub health = GrpcClients.newClient("http://127.0.0.1:" + server.activeLocalPort(),
                HealthGrpc.HealthBlockingStub.class);
        StatusRuntimeException e = catchThrowableOfType(() -> health.check(HealthCheckRequest.newBuilder()
                .setService("%".repeat(20_000)).build()), StatusRuntimeException.class);
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND); // was UNKNOWN: the trailer was too big to read
        assertThat(e.getStatus().getDescription()).hasSizeLessThan(1100);
    }

    @Test
    void aDeadlineThatRunsOutIsDeadlineExceededAndAWriteIsAnsweredWithWhatHappened() {
        String client = unique("deadline");
        int created = 0;
        for (int i = 0; i < 20; i++) {
            try (SafeCloseable ignored = Clients.withHeaders(h -> h.add("grpc-timeout", "1n"))) {
                grpc.getJob(GetJobRequest.newBuilder().setId("0123456789abcdef01234567").build());
            } catch (StatusRuntimeException e) {
                // was INTERNAL: RequestTimeoutException reached the error mapping as UNKNOWN
                assertThat(e.getStatus().getCode()).isIn(Status.Code.DEADLINE_EXCEEDED, Status.Code.NOT_FOUND);
            }
            try (SafeCloseable ignored = Clients.withHeaders(h -> h.add("grpc-timeout", "1m"))) {
                grpc.createJob(CreateJobRequest.newBuilder().setClientId(client).setWorkloadId("w").build());
                created++;
            } catch (StatusRuntimeException e) {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
            }
        }
        // A create answered DEADLINE_EXCEEDED must not have stored a job (it used to, when the deadline ran out
        // during the insert); every stored job was answered OK.
        assertThat(jobCount(client)).isEqualTo(created);
    }

    @Test
    void numbersAndTimesThatCannotBeStoredAreRefused() {
        AggregatedHttpResponse nan = postJson("/v1/configs", """
                {"name": "nan-rate", "config": {"training_config": {"learning_rate": "NaN"}}}""");
        assertThat(nan.status().code()).isEqualTo(400);
        assertThat(nan.contentUtf8()).contains("config.training_config.learning_rate");

        // Over gRPC (JSON clients cannot send it): a valid protobuf time that the HTTP API cannot print. Stored, it
        // made GET /v1/jobs answer 500 for every list that included the job.
        StatusRuntimeException early = catchThrowableOfType(() -> grpc.createJob(CreateJobRequest.newBuilder()
                .setClientId(unique("c")).setWorkloadId("w")
                .setFrom(com.google.protobuf.Timestamp.newBuilder().setSeconds(-62_135_596_800L).setNanos(999_999_999))
                .build()), StatusRuntimeException.class);
        assertThat(early.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(early.getStatus().getDescription()).contains("must not be before 1970-01-01T00:00:00Z");
        assertThat(http.get("/v1/jobs?page_size=1000").aggregate().join().status().code()).isEqualTo(200);
    }

    @Test
    void anEventStreamSendsItsHeadersAtOnceToAWatcherThatIsUpToDate() throws Exception {
        Job job = grpc.createJob(CreateJobRequest.newBuilder().setClientId(unique("c")).setWorkloadId("w").build());
        // The job is pending at version 1 and nothing will change it (no engine): no event is due. The headers
        // used to wait for the first keep-alive, 15 s later.
        SplitHttpResponse stream = http.get("/v1/jobs/" + job.getId() + "/events?since_version=" + job.getVersion()).split();
        try {
            assertThat(stream.headers().get(3, TimeUnit.SECONDS).status().code()).isEqualTo(200);
        } finally {
            stream.body().abort();
        }
    }
}
