package dev.flywheel.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.flywheel.clients.logs.LoadReport;
import dev.flywheel.clients.logs.SampleWorkload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.http.HttpHost;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/**
 * {@code ./flywheel demo}: the whole flywheel on the embedded stack, over the public HTTP/JSON API. It starts
 * MongoDB (stand-in), Redis, Elasticsearch, the NeMo emulator and the server; logs a sample customer-support
 * workload of a big production model into Elasticsearch; stores a configuration with three candidate models (1B,
 * 3B and 8B class); creates a job; follows it stage by stage; and prints how each candidate scored against the
 * production model's answers — base, with in-context examples, and LoRA-customized.
 */
final class Demo {

    static final String CLIENT = "demo-app";
    static final String WORKLOAD = "customer-support";
    static final int INTERACTIONS = 400;
    static final List<String> CANDIDATES = List.of("meta/llama-3.2-1b-instruct", "meta/llama-3.2-3b-instruct",
            "meta/llama-3.1-8b-instruct");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Demo() {}

    static void run(String[] args) {
        Config overrides = ConfigFactory.parseString("flywheel.server.port = 0");
        for (String arg : args) {
            if (arg.startsWith("--time-scale=")) { // tests run the same demo on a faster emulator
                overrides = ConfigFactory.parseString("flywheel.nemo.emulator-time-scale = " + arg.substring(13))
                        .withFallback(overrides);
            }
        }
        ServerSettings settings = ServerSettings.from(overrides
                .withFallback(ConfigFactory.defaultOverrides())
                .withFallback(ConfigFactory.defaultReference())
                .resolve());
        System.out.println("== Starting the embedded stack (MongoDB stand-in, Redis, Elasticsearch, NeMo emulator) and the server");
        try (Main.Running running = Main.start(settings)) {
            running.printEndpoints();
            String result = run(running);
            System.out.println(result);
        }
    }

    /** The demo against a started server; returns the final report. */
    static String run(Main.Running running) {
        loadWorkload(running);
        WebClient http = WebClient.of(running.baseUrl());
        String config = putCandidatesConfig(http);
        String request = """
                {"client_id": "%s", "workload_id": "%s", "job_type": "llm_job", "config_name": "%s",
                 "request_id": "%s",
                 "data_split_config": {"eval_size": 40, "val_ratio": 0.1, "min_total_records": 50, "limit": 300}}"""
                .formatted(CLIENT, WORKLOAD, config, UUID.randomUUID());
        System.out.println("\n== POST /v1/jobs");
        System.out.println(request);
        JsonNode created = call(http, "POST", "/v1/jobs", request);
        String id = created.path("id").asText();
        System.out.println("-> job " + id + " " + created.path("status").asText());
        System.out.println("\n== Following GET /v1/jobs/" + id + " (also: curl -N " + running.baseUrl() + "/v1/jobs/" + id + "/events)");
        JsonNode job = follow(http, id);
        return report(job);
    }

    /** Logs the sample workload once (the data directory keeps Elasticsearch's data between demos). */
    private static void loadWorkload(Main.Running running) {
        String index = running.settings().engine().logIndex();
        try (RestClient es = RestClient.builder(HttpHost.create(running.stack().elasticsearchUrl())).build()) {
            long existing = count(es, index);
            if (existing >= INTERACTIONS) {
                System.out.println("\n== Elasticsearch index '" + index + "' already holds " + existing + " logged interactions of "
                        + CLIENT + "/" + WORKLOAD);
                return;
            }
            System.out.println("\n== Logging " + INTERACTIONS + " interactions of a customer-support agent (production model "
                    + SampleWorkload.PRODUCTION_MODEL + ") into Elasticsearch index '" + index + "'");
            LoadReport report = SampleWorkload.load(es, index, CLIENT, WORKLOAD, INTERACTIONS,
                    System.currentTimeMillis() - INTERACTIONS * 1000L - 60_000, Files.createTempDirectory("demo-logs"));
            System.out.println("-> " + report.indexed() + " indexed, " + (report.lines() - report.indexed())
                    + " rejected (broken records, as real logs have): " + report.rejectedByReason());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long count(RestClient es, String index) throws IOException {
        Request request = new Request("GET", "/" + index + "/_count");
        request.setJsonEntity("{\"query\":{\"bool\":{\"filter\":[{\"term\":{\"client_id\":\"" + CLIENT
                + "\"}},{\"term\":{\"workload_id\":\"" + WORKLOAD + "\"}}]}}}");
        try {
            return JSON.readTree(es.performRequest(request).getEntity().getContent()).path("count").asLong();
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) {
                return 0;
            }
            throw e;
        }
    }

    /** A named configuration: the server's defaults with three candidates instead of one. */
    private static String putCandidatesConfig(WebClient http) {
        StringBuilder nims = new StringBuilder();
        for (String model : CANDIDATES) {
            nims.append(nims.length() == 0 ? "" : ",").append("""
                    {"model_name": "%s", "gpus": 1, "customization_enabled": true,
                     "customizer_configs": {"target": "%s@2.0", "gpus": 1, "max_seq_length": 4096, "micro_batch_size": 1}}"""
                    .formatted(model, model));
        }
        String body = "{\"name\": \"demo-three-candidates\", \"description\": \"1B, 3B and 8B candidates\", "
                + "\"config\": {\"nims\": [" + nims + "]}}";
        System.out.println("\n== POST /v1/configs (three candidate models)");
        JsonNode stored = call(http, "POST", "/v1/configs", body);
        System.out.println("-> " + stored.path("ref").asText());
        return stored.path("ref").asText();
    }

    /** Polls the job, printing each change of stage and candidate state, until it ends. */
    private static JsonNode follow(WebClient http, String id) {
        String last = "";
        long start = System.currentTimeMillis();
        while (true) {
            JsonNode job = call(http, "GET", "/v1/jobs/" + id, null);
            String line = describe(job);
            if (!line.equals(last)) {
                System.out.printf(Locale.ROOT, "[%5.1fs] %s%n", (System.currentTimeMillis() - start) / 1000.0, line);
                last = line;
            }
            String status = job.path("status").asText();
            if (status.equals("completed") || status.equals("failed") || status.equals("cancelled")) {
                return job;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static String describe(JsonNode job) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-9s %-22s %5.1f%%", job.path("status").asText(),
                job.path("stage").asText("-"), job.path("progress").asDouble()));
        for (JsonNode c : job.path("candidates")) {
            sb.append(" | ").append(shortName(c.path("model_name").asText())).append(' ').append(c.path("status").asText());
            if (c.path("queue_position").asInt() > 0) {
                sb.append(" #").append(c.path("queue_position").asInt());
            }
        }
        return sb.toString();
    }

    /** The comparison table and the verdict. */
    static String report(JsonNode job) {
        StringBuilder out = new StringBuilder("\n== Job ").append(job.path("id").asText()).append(": ")
                .append(job.path("status").asText());
        if (job.has("error")) {
            out.append(" (").append(job.path("error").path("message").asText()).append(')');
        }
        out.append(String.format(Locale.ROOT, "%n%d records, workload %s%n", job.path("num_records").asLong(),
                job.path("workload_type").asText()));
        String metric = job.path("workload_type").asText().equals("tool_calling") ? "function_name_and_args_accuracy" : "similarity";
        out.append(String.format(Locale.ROOT, "%n%-30s %-10s %10s %10s %12s%n", "candidate", "status", "base", "icl", "customized"));
        String best = null;
        double bestScore = -1;
        for (JsonNode c : job.path("candidates")) {
            List<String> cells = new ArrayList<>();
            for (String type : List.of("base-eval", "icl-eval", "customized-eval")) {
                String cell = "-";
                for (JsonNode e : c.path("evaluations")) {
                    if (e.path("eval_type").asText().equals(type) && e.path("scores").has(metric)) {
                        double score = e.path("scores").path(metric).asDouble();
                        cell = String.format(Locale.ROOT, "%.3f", score);
                        if (score > bestScore) {
                            bestScore = score;
                            best = c.path("model_name").asText() + " (" + type + ")";
                        }
                    }
                }
                cells.add(cell);
            }
            out.append(String.format(Locale.ROOT, "%-30s %-10s %10s %10s %12s%n", c.path("model_name").asText(),
                    c.path("status").asText(), cells.get(0), cells.get(1), cells.get(2)));
        }
        out.append("\nscores: ").append(metric).append(" against the production model's logged answers (1.0 = the same)\n");
        if (best != null) {
            out.append("best: ").append(best).append(String.format(Locale.ROOT, " with %.3f", bestScore)).append('\n');
        }
        return out.toString();
    }

    private static String shortName(String model) {
        int slash = model.lastIndexOf('/');
        return slash < 0 ? model : model.substring(slash + 1);
    }

    private static JsonNode call(WebClient http, String method, String path, String body) {
        var request = http.prepare().method(com.linecorp.armeria.common.HttpMethod.valueOf(method)).path(path);
        if (body != null) {
            request.content(MediaType.JSON, body);
        }
        AggregatedHttpResponse response = request.execute().aggregate().join();
        try {
            JsonNode json = JSON.readTree(response.contentUtf8());
            if (response.status().code() != 200) {
                throw new IllegalStateException(method + " " + path + " -> HTTP " + response.status().code() + ": "
                        + response.contentUtf8());
            }
            return json;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
