package dev.flywheel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobApiHttpTest extends TestServer {

    @Test
    void theMissionJobRequestWorksAsIsWithSnakeCaseInAndOut() {
        String client = unique("c");
        AggregatedHttpResponse created = postJson("/v1/jobs", """
                {"client_id": "%s", "workload_id": "w", "job_type": "llm_job",
                 "data_split_config": {"eval_size": 100, "val_ratio": 0.1, "min_total_records": 50, "limit": 1000,
                                       "random_seed": 7, "parse_function_arguments": true}}""".formatted(client));
        assertThat(created.status().code()).isEqualTo(200);
        JsonNode job = json(created);
        assertThat(job.path("client_id").asText()).isEqualTo(client);
        assertThat(job.path("status").asText()).isEqualTo("pending");
        assertThat(job.path("config").path("data_split_config").path("random_seed").asText()).isEqualTo("7");
        assertThat(job.has("clientId")).as("no camelCase names").isFalse();

        String id = job.path("id").asText();
        JsonNode got = json(http.get("/v1/jobs/" + id).aggregate().join());
        assertThat(got.path("id").asText()).isEqualTo(id);

        JsonNode list = json(http.get("/v1/jobs?client_id=" + client + "&status=pending&page_size=10").aggregate().join());
        assertThat(list.path("jobs")).hasSize(1);

        AggregatedHttpResponse cancelled = http.prepare().post("/v1/jobs/" + id + "/cancel").execute().aggregate().join();
        assertThat(cancelled.status().code()).isEqualTo(200);
        assertThat(json(cancelled).path("status").asText()).isEqualTo("cancelled");
        AggregatedHttpResponse again = http.prepare().post("/v1/jobs/" + id + "/cancel").execute().aggregate().join();
        assertThat(again.status().code()).isEqualTo(400);
        assertThat(json(again).path("grpc-code").asText()).isEqualTo("FAILED_PRECONDITION");

        AggregatedHttpResponse deleted = http.delete("/v1/jobs/" + id).aggregate().join();
        assertThat(deleted.status().code()).isEqualTo(200);
        assertThat(http.get("/v1/jobs/" + id).aggregate().join().status().code()).isEqualTo(404);
    }

    @Test
    void deletingAPendingJobIsRefused() {
        String id = json(postJson("/v1/jobs", "{\"client_id\":\"" + unique("c") + "\",\"workload_id\":\"w\"}")).path("id").asText();
        AggregatedHttpResponse refused = http.delete("/v1/jobs/" + id).aggregate().join();
        assertThat(refused.status().code()).isEqualTo(400);
        assertThat(json(refused).path("message").asText()).contains("Cannot delete a running job");
        assertThat(http.get("/v1/jobs/" + id).aggregate().join().status().code()).isEqualTo(200);
    }

    @Test
    void sameRequestIdWithADifferentPayloadIsConflict() {
        String client = unique("c");
        String body = "{\"client_id\":\"" + client + "\",\"workload_id\":\"w\",\"request_id\":\"r1\"}";
        String id = json(postJson("/v1/jobs", body)).path("id").asText();
        assertThat(json(postJson("/v1/jobs", body)).path("id").asText()).isEqualTo(id);
        AggregatedHttpResponse conflict = postJson("/v1/jobs", body.replace("\"w\"", "\"w2\""));
        assertThat(conflict.status().code()).isEqualTo(409);
        assertThat(json(conflict).path("grpc-code").asText()).isEqualTo("ALREADY_EXISTS");
    }

    static Stream<Arguments> badRequests() {
        String c = "\"client_id\":\"CLIENT\"";
        return Stream.of(
                Arguments.of("missing client_id", "{\"workload_id\":\"w\"}", "client_id"),
                Arguments.of("missing workload_id", "{" + c + "}", "workload_id"),
                Arguments.of("empty client_id", "{\"client_id\":\"\",\"workload_id\":\"w\"}", "client_id"),
                Arguments.of("whitespace workload_id", "{" + c + ",\"workload_id\":\"   \"}", "workload_id"),
                Arguments.of("workload_id over 256 chars", "{" + c + ",\"workload_id\":\"" + "x".repeat(257) + "\"}", "workload_id"),
                Arguments.of("control character", "{" + c + ",\"workload_id\":\"a\\u0000b\"}", "workload_id"),
                Arguments.of("val_ratio 1", "{" + c + ",\"workload_id\":\"w\",\"data_split_config\":{\"val_ratio\":1}}", "data_split_config.val_ratio"),
                Arguments.of("val_ratio negative", "{" + c + ",\"workload_id\":\"w\",\"data_split_config\":{\"val_ratio\":-0.1}}", "data_split_config.val_ratio"),
                Arguments.of("eval_size zero", "{" + c + ",\"workload_id\":\"w\",\"data_split_config\":{\"eval_size\":0}}", "data_split_config.eval_size"),
                Arguments.of("limit negative", "{" + c + ",\"workload_id\":\"w\",\"data_split_config\":{\"limit\":-5}}", "data_split_config.limit"),
                Arguments.of("min_total_records zero", "{" + c + ",\"workload_id\":\"w\",\"data_split_config\":{\"min_total_records\":0}}", "data_split_config.min_total_records"),
                Arguments.of("eval_size over limit", "{" + c + ",\"workload_id\":\"w\",\"data_split_config\":{\"eval_size\":500,\"limit\":100}}", "data_split_config.eval_size"),
                Arguments.of("eval_size over the configured limit", "{" + c + ",\"workload_id\":\"w\",\"data_split_config\":{\"eval_size\":5000}}", "data_split_config.eval_size"),
                Arguments.of("unknown job_type", "{" + c + ",\"workload_id\":\"w\",\"job_type\":\"vision_job\"}", "job_type"),
                Arguments.of("unknown config_name", "{" + c + ",\"workload_id\":\"w\",\"config_name\":\"no-such-config\"}", "config_name"),
                Arguments.of("unknown field", "{" + c + ",\"workload_id\":\"w\",\"priority\":1}", "priority"),
                Arguments.of("wrong type", "{" + c + ",\"workload_id\":\"w\",\"data_split_config\":{\"eval_size\":\"many\"}}", "body"),
                Arguments.of("malformed JSON", "{" + c + ",\"workload_id\":", "body"),
                Arguments.of("from in the future", "{" + c + ",\"workload_id\":\"w\",\"from\":\"2999-01-01T00:00:00Z\"}", "from"),
                Arguments.of("from after to", "{" + c + ",\"workload_id\":\"w\",\"from\":\"2026-02-01T00:00:00Z\",\"to\":\"2026-01-01T00:00:00Z\"}", "to"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badInputIsInvalidArgumentNamingTheFieldAndStoresNothing(String name, String body, String field) {
        String client = unique("bad");
        AggregatedHttpResponse response = postJson("/v1/jobs", body.replace("CLIENT", client));
        assertBadRequest(response, field);
        assertThat(jobCount(client)).as("nothing stored").isZero();
    }

    @Test
    void wrongContentTypeIsInvalidArgument() {
        String client = unique("bad");
        AggregatedHttpResponse response = http.prepare().post("/v1/jobs")
                .content(MediaType.PLAIN_TEXT_UTF_8, "{\"client_id\":\"" + client + "\",\"workload_id\":\"w\"}")
                .execute().aggregate().join();
        assertBadRequest(response, "content-type");
        assertThat(jobCount(client)).isZero();
    }

    @Test
    void tenMegabyteBodyIsInvalidArgument() {
        String client = unique("bad");
        String huge = "{\"client_id\":\"" + client + "\",\"workload_id\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}";
        assertBadRequest(postJson("/v1/jobs", huge), "body");
        // The same without Content-Length (chunked), detected while the body streams in.
        List<HttpData> chunks = new ArrayList<>();
        byte[] bytes = huge.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += 1 << 20) {
            chunks.add(HttpData.wrap(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + (1 << 20)))));
        }
        HttpRequest streamed = HttpRequest.of(RequestHeaders.builder(HttpMethod.POST, "/v1/jobs")
                .contentType(MediaType.JSON).build(), reactor.core.publisher.Flux.fromIterable(chunks));
        assertBadRequest(http.execute(streamed).aggregate().join(), "body");
        assertThat(jobCount(client)).isZero();
    }

    static void assertBadRequest(AggregatedHttpResponse response, String field) {
        assertThat(response.status().code()).as(response.contentUtf8()).isEqualTo(400);
        JsonNode error = json(response);
        assertThat(error.path("grpc-code").asText()).isEqualTo("INVALID_ARGUMENT");
        List<String> fields = new ArrayList<>();
        error.path("details").forEach(d -> d.path("fieldViolations").forEach(v -> fields.add(v.path("field").asText())));
        assertThat(fields).as(response.contentUtf8()).contains(field);
    }
}
