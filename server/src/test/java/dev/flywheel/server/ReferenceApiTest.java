package dev.flywheel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import org.junit.jupiter.api.Test;

/** The reference blueprint's /api contract: paths, field names, status strings and detail bodies. */
class ReferenceApiTest extends TestServer {

    private static AggregatedHttpResponse post(String path) {
        return http.prepare().post(path).execute().aggregate().join();
    }

    @Test
    void createListGetCancelDelete() {
        String client = unique("nb");
        AggregatedHttpResponse created = postJson("/api/jobs",
                "{\"workload_id\":\"w\",\"client_id\":\"" + client + "\",\"data_split_config\":{\"eval_size\":20}}");
        assertThat(created.status().code()).isEqualTo(200);
        JsonNode body = json(created);
        assertThat(body.path("status").asText()).as("the real stored status, not the reference's 'queued'").isEqualTo("pending");
        assertThat(body.path("message").asText()).isEqualTo("NIM workflow started");
        String id = body.path("id").asText();

        JsonNode list = json(http.get("/api/jobs").aggregate().join());
        JsonNode item = null;
        for (JsonNode j : list.path("jobs")) {
            if (j.path("id").asText().equals(id)) {
                item = j;
            }
        }
        assertThat(item).isNotNull();
        assertThat(item.path("client_id").asText()).isEqualTo(client);
        assertThat(item.has("started_at")).isTrue();
        assertThat(item.path("finished_at").isNull()).isTrue();
        assertThat(item.path("datasets").isArray()).isTrue();
        assertThat(item.path("error").isNull()).isTrue();

        JsonNode detail = json(http.get("/api/jobs/" + id).aggregate().join());
        assertThat(detail.path("status").asText()).isEqualTo("pending");
        assertThat(detail.path("num_records").asInt()).isZero();
        assertThat(detail.path("nims").isArray()).isTrue();
        assertThat(detail.path("llm_judge").isNull()).isTrue();

        AggregatedHttpResponse deleteRunning = http.delete("/api/jobs/" + id).aggregate().join();
        assertThat(deleteRunning.status().code()).isEqualTo(400);
        assertThat(json(deleteRunning).path("detail").asText()).isEqualTo("Cannot delete a running job. Please cancel the job first.");

        AggregatedHttpResponse cancel = post("/api/jobs/" + id + "/cancel");
        assertThat(cancel.status().code()).isEqualTo(200);
        assertThat(json(cancel).path("message").asText()).isEqualTo("Job cancellation initiated successfully.");
        assertThat(json(http.get("/api/jobs/" + id).aggregate().join()).path("status").asText()).isEqualTo("cancelled");
        AggregatedHttpResponse again = post("/api/jobs/" + id + "/cancel");
        assertThat(again.status().code()).isEqualTo(200);
        assertThat(json(again).path("message").asText()).isEqualTo("Job is already cancelled.");

        AggregatedHttpResponse deleted = http.delete("/api/jobs/" + id).aggregate().join();
        assertThat(deleted.status().code()).isEqualTo(200);
        assertThat(json(deleted).path("message").asText())
                .isEqualTo("Job deletion started. Resources will be cleaned up in the background.");
    }

    @Test
    void errorDetailsAreTheReferences() {
        String missing = "0123456789abcdef01234567";
        assertDetail(http.get("/api/jobs/nope").aggregate().join(), 400, "Invalid job_id format");
        assertDetail(http.get("/api/jobs/" + missing).aggregate().join(), 404, "Job not found");
        assertDetail(http.delete("/api/jobs/" + missing).aggregate().join(), 404, "Job with ID " + missing + " not found");
        assertDetail(post("/api/jobs/" + missing + "/cancel"), 404, "Job with ID " + missing + " not found");
        assertDetail(post("/api/jobs/zzz/cancel"), 400, "Invalid job_id format");
    }

    @Test
    void validationErrorsAre422WithPydanticStyleLocations() {
        String client = unique("nb");
        AggregatedHttpResponse response = postJson("/api/jobs",
                "{\"client_id\":\"" + client + "\",\"data_split_config\":{\"val_ratio\":2}}");
        assertThat(response.status().code()).isEqualTo(422);
        JsonNode detail = json(response).path("detail");
        assertThat(detail.isArray()).isTrue();
        assertThat(detail.get(0).path("loc").toString()).isEqualTo("[\"body\",\"workload_id\"]");
        assertThat(detail.get(0).path("type").asText()).isEqualTo("missing");
        assertThat(postJson("/api/jobs", "{\"client_id\":\"" + client + "\",\"workload_id\":\"w\",\"data_split_config\":{\"val_ratio\":2}}")
                .status().code()).isEqualTo(422);
        assertThat(postJson("/api/jobs", "not json").status().code()).isEqualTo(422);
        assertThat(jobCount(client)).isZero();
    }

    private static void assertDetail(AggregatedHttpResponse response, int status, String detail) {
        assertThat(response.status().code()).as(response.contentUtf8()).isEqualTo(status);
        assertThat(json(response).path("detail").asText()).isEqualTo(detail);
    }
}
