package dev.flywheel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.devstack.DevStack;
import dev.flywheel.devstack.DevStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code flywheel jobs|configs ...} end to end against the production server on the devstack (engine on, NeMo
 * emulator): table and JSON output, exit codes, bad flags, unknown ids, server errors with the field at fault,
 * a server that is down.
 */
@ExtendWith(DevStackExtension.class)
class CliCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CREATED = Pattern.compile("created job ([0-9a-f]{24})");
    static TestServer server;

    @org.junit.jupiter.api.extension.RegisterExtension
    static final com.linecorp.armeria.testing.junit5.server.SelfSignedCertificateExtension SELF_SIGNED =
            new com.linecorp.armeria.testing.junit5.server.SelfSignedCertificateExtension("localhost");

    @BeforeAll
    static void start(DevStack stack) {
        server = TestServer.start(stack, "cli-logs");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void createWatchesTheJobToItsEndAndPrintsTheComparison() throws Exception {
        TestServer.Result created = server.cli("jobs", "create", "--client-id", TestServer.CLIENT, "--workload-id", TestServer.WORKLOAD,
                "--watch", "--exit-status");
        assertThat(created.exit()).as(created.toString()).isZero();
        String id = jobId(created);
        // not a TTY: timestamped lines, one per change
        assertThat(created.out()).containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d job " + id + "  running")
                .containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d create_datasets +done +\\d+ records, tool_calling")
                .containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d llama-3.2-1b-instruct +running-evals")
                .containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d llama-3.2-1b-instruct +completed +100%")
                .doesNotContain("\033[");
        assertThat(created.out()).containsPattern("(?m)^candidate +status +metric +base +icl +customized$")
                .containsPattern("meta/llama-3.2-1b-instruct +completed +function_name_and_args_accuracy +\\d\\.\\d{3}[ *] +\\d\\.\\d{3}[ *] +\\d\\.\\d{3}\\*")
                .containsPattern("(can replace the production model: meta/llama-3.2-1b-instruct|no candidate reaches)");

        TestServer.Result get = server.cli("jobs", "get", id);
        assertThat(get.exit()).isZero();
        assertThat(get.out()).containsPattern("(?m)^status +completed$").contains("cli-app / support")
                .containsPattern("(?m)^meta/llama-3.2-1b-instruct +completed +ready|(?m)^meta/llama-3.2-1b-instruct +completed");

        JsonNode json = JSON.readTree(server.cli("jobs", "get", id, "-o", "json").out());
        assertThat(json.path("id").asText()).isEqualTo(id);
        assertThat(json.path("client_id").asText()).isEqualTo("cli-app"); // snake_case, as the HTTP API
        assertThat(json.path("candidates").get(0).path("evaluations")).hasSize(3);

        TestServer.Result list = server.cli("jobs", "list", "--client-id", TestServer.CLIENT);
        assertThat(list.exit()).isZero();
        assertThat(list.out()).containsPattern("(?m)^ID +CLIENT +WORKLOAD +STATUS +STAGE +PROGRESS +CREATED$")
                .containsPattern("(?m)^" + id + " +cli-app +support +completed ");

        TestServer.Result delete = server.cli("jobs", "delete", id);
        assertThat(delete.exit()).as(delete.toString()).isZero();
        assertThat(delete.out()).contains("deleted job " + id).contains("removed      job document");
        assertThat(server.cli("jobs", "get", id).exit()).isEqualTo(ExitCodes.RPC_ERROR);
    }

    @Test
    void watchWithJsonOutputPrintsEveryVersionOnceAsOneLine() throws Exception {
        String id = jobId(server.cli("jobs", "create", "--client-id", TestServer.CLIENT, "--workload-id", TestServer.WORKLOAD));
        TestServer.Result watch = server.cli("jobs", "watch", id, "-o", "json");
        assertThat(watch.exit()).as(watch.toString()).isZero();
        long last = 0;
        String lastStatus = null;
        String[] lines = watch.out().split("\n");
        assertThat(lines.length).isGreaterThan(3);
        for (String line : lines) {
            JsonNode job = JSON.readTree(line);
            assertThat(job.path("version").asLong()).isGreaterThan(last);
            last = job.path("version").asLong();
            lastStatus = job.path("status").asText();
        }
        assertThat(lastStatus).isEqualTo("completed");
    }

    @Test
    void exitStatusTellsAFailedJobAndACancelledOne() {
        TestServer.Result failed = server.cli("jobs", "create", "--client-id", TestServer.CLIENT, "--workload-id", "nothing-logged",
                "--watch", "--exit-status");
        assertThat(failed.exit()).as(failed.toString()).isEqualTo(ExitCodes.JOB_FAILED);
        assertThat(failed.out()).contains("DATASETS_REJECTED").contains("Not enough records");
        // without --exit-status a failed job is still a successful watch
        assertThat(server.cli("jobs", "watch", jobId(failed)).exit()).isZero();

        String id = jobId(server.cli("jobs", "create", "--client-id", TestServer.CLIENT, "--workload-id", TestServer.WORKLOAD));
        TestServer.Result cancel = server.cli("jobs", "cancel", id);
        assertThat(cancel.exit()).as(cancel.toString()).isZero();
        assertThat(cancel.out()).containsPattern("job " + id + " (cancelling|cancelled)");
        TestServer.Result watch = server.cli("jobs", "watch", id, "--exit-status");
        assertThat(watch.exit()).as(watch.toString()).isEqualTo(ExitCodes.JOB_CANCELLED);
        TestServer.Result again = server.cli("jobs", "cancel", id);
        assertThat(again.exit()).isEqualTo(ExitCodes.RPC_ERROR);
        assertThat(again.err()).startsWith("flywheel: FAILED_PRECONDITION");
    }

    @Test
    void createReadsTheJobRequestFromYamlOrJsonAndFlagsWin() throws Exception {
        Path yaml = Files.createTempFile("job", ".yaml");
        Files.writeString(yaml, """
                client_id: someone-else
                workload_id: support
                job_type: llm_job
                data_split_config: {eval_size: 20, val_ratio: 0.1, min_total_records: 50, limit: 150}
                request_id: from-the-file
                """);
        TestServer.Result created = server.cli("jobs", "create", "-f", yaml.toString(), "--client-id", TestServer.CLIENT, "-o", "json");
        assertThat(created.exit()).as(created.toString()).isZero();
        JsonNode job = JSON.readTree(created.out());
        assertThat(job.path("client_id").asText()).isEqualTo(TestServer.CLIENT);
        assertThat(job.path("request_id").asText()).isEqualTo("from-the-file");
        assertThat(job.path("config").path("data_split_config").path("limit").asInt()).isEqualTo(150);
        // the same request again: the same job (idempotency key from the file)
        assertThat(JSON.readTree(server.cli("jobs", "create", "-f", yaml.toString(), "--client-id", TestServer.CLIENT, "-o", "json").out())
                .path("id").asText()).isEqualTo(job.path("id").asText());
        server.cli("jobs", "cancel", job.path("id").asText());

        Path json = Files.createTempFile("job", ".json");
        Files.writeString(json, "{\"client_id\": \"a\", \"workload_id\": \"b\", \"colour\": \"blue\"}");
        TestServer.Result unknown = server.cli("jobs", "create", "-f", json.toString());
        assertThat(unknown.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains(json.toString()).contains("colour");
    }

    @Test
    void configsArePutShownListedAndDeleted() throws Exception {
        Path file = Files.createTempFile("config", ".yaml");
        Files.writeString(file, """
                nims:
                  - model_name: meta/llama-3.2-3b-instruct
                    gpus: 1
                training_config: {epochs: 3}
                """);
        TestServer.Result put = server.cli("configs", "put", "cli-cfg", "-f", file.toString(), "--description", "one 3B candidate");
        assertThat(put.exit()).as(put.toString()).isZero();
        assertThat(put.out()).startsWith("stored cli-cfg@1 (sha256 ");

        TestServer.Result get = server.cli("configs", "get", "cli-cfg");
        assertThat(get.out()).containsPattern("(?m)^ref +cli-cfg@1$").containsPattern("(?m)^description +one 3B candidate$")
                .contains("model_name: \"meta/llama-3.2-3b-instruct\"").contains("epochs: 3");
        JsonNode json = JSON.readTree(server.cli("configs", "get", "cli-cfg@1", "-o", "json").out());
        assertThat(json.path("ref").asText()).isEqualTo("cli-cfg@1");
        assertThat(json.path("content_hash").asText()).hasSize(64);

        assertThat(server.cli("configs", "list").out()).containsPattern("(?m)^cli-cfg@1 +no +\\S+ \\S+ +one 3B candidate$");
        TestServer.Result delete = server.cli("configs", "delete", "cli-cfg");
        assertThat(delete.out()).contains("deleted cli-cfg@1");
        TestServer.Result gone = server.cli("configs", "get", "cli-cfg");
        assertThat(gone.exit()).isEqualTo(ExitCodes.RPC_ERROR);
        assertThat(gone.err()).startsWith("flywheel: NOT_FOUND");
    }

    @Test
    void errorsNameTheStatusAndTheFieldNeverAStackTrace() {
        TestServer.Result unknownId = server.cli("jobs", "get", "0123456789abcdef01234567");
        assertThat(unknownId.exit()).isEqualTo(ExitCodes.RPC_ERROR);
        assertThat(unknownId.err()).startsWith("flywheel: NOT_FOUND");

        TestServer.Result missingClient = server.cli("jobs", "create", "--workload-id", "w");
        assertThat(missingClient.exit()).isEqualTo(ExitCodes.RPC_ERROR);
        assertThat(missingClient.err()).startsWith("flywheel: INVALID_ARGUMENT").contains("field client_id: ");

        TestServer.Result badList = server.cli("jobs", "list", "--status", "sleeping");
        assertThat(badList.exit()).isEqualTo(ExitCodes.RPC_ERROR);
        assertThat(badList.err()).contains("field status: ");

        TestServer.Result badNumber = server.cli("jobs", "create", "--client-id", "c", "--workload-id", "w", "--eval-size", "many");
        assertThat(badNumber.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(badNumber.err()).contains("--eval-size").contains("many");

        TestServer.Result badCommand = server.cli("jobs", "frobnicate");
        assertThat(badCommand.exit()).isEqualTo(ExitCodes.USAGE);

        TestServer.Result badTime = server.cli("jobs", "create", "--client-id", "c", "--workload-id", "w", "--from", "yesterday");
        assertThat(badTime.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(badTime.err()).contains("--from: expected an RFC 3339 time");

        TestServer.Result badTimeout = server.cli("jobs", "list", "--timeout", "0s");
        assertThat(badTimeout.exit()).isEqualTo(ExitCodes.USAGE);

        TestServer.Result down = server.run(Map.of(), "jobs", "list", "--server", "127.0.0.1:1");
        assertThat(down.exit()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(down.err()).startsWith("flywheel: UNAVAILABLE: cannot reach the server at 127.0.0.1:1");

        for (TestServer.Result r : new TestServer.Result[] {unknownId, missingClient, badList, badNumber, badCommand, badTime, badTimeout, down}) {
            assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    @Test
    void theServerAndTokenComeFromTheUsersConfigFile() throws Exception {
        Path home = Files.createTempDirectory("flywheel-home");
        Files.writeString(home.resolve("cli.properties"), "server=" + server.address() + "\ntoken=" + server.adminToken() + "\ntimeout=10s\n");
        TestServer.Result list = server.run(Map.of("FLYWHEEL_HOME", home.toString()), "jobs", "list", "--page-size", "1");
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.out()).startsWith("ID ");
        // the flag wins over the file
        TestServer.Result flag = server.run(Map.of("FLYWHEEL_HOME", home.toString()), "jobs", "list", "--server", "127.0.0.1:1");
        assertThat(flag.exit()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(flag.err()).doesNotContain(server.adminToken());
        // no key at all: the server says so, and the CLI says where a key goes
        TestServer.Result anonymous = server.run(Map.of("FLYWHEEL_HOME", Files.createTempDirectory("empty-home").toString()),
                "jobs", "list", "--server", server.address());
        assertThat(anonymous.exit()).isEqualTo(ExitCodes.RPC_ERROR);
        assertThat(anonymous.err()).startsWith("flywheel: UNAUTHENTICATED").contains("--token");
    }

    @Test
    void adminKeysAreCreatedListedAndRevokedAndAClientKeySeesOnlyItsClient() throws Exception {
        TestServer.Result created = server.cli("admin", "keys", "create", "--name", "support-ci", "--role", "client",
                "--client-id", TestServer.CLIENT, "--expires-in", "30d");
        assertThat(created.exit()).as(created.toString()).isZero();
        Matcher m = Pattern.compile("(?m)^key +(fw_[0-9a-f]{12}_\\S+)$").matcher(created.out());
        assertThat(m.find()).as(created.out()).isTrue();
        String token = m.group(1);
        String keyId = token.substring(3, 15);
        assertThat(created.out()).contains("shown only now");

        String othersJob = jobId(server.cli("jobs", "create", "--client-id", "another-tenant", "--workload-id", "w"));
        Map<String, String> asClient = Map.of("FLYWHEEL_SERVER", server.address(), "FLYWHEEL_TOKEN", token);
        TestServer.Result list = server.run(asClient, "jobs", "list");
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.out()).doesNotContain("another-tenant");
        TestServer.Result hidden = server.run(asClient, "jobs", "get", othersJob);
        assertThat(hidden.exit()).isEqualTo(ExitCodes.RPC_ERROR);
        assertThat(hidden.err()).startsWith("flywheel: NOT_FOUND");
        TestServer.Result forbidden = server.run(asClient, "jobs", "create", "--client-id", "another-tenant", "--workload-id", "w");
        assertThat(forbidden.err()).startsWith("flywheel: PERMISSION_DENIED").contains("field client_id");
        assertThat(server.run(asClient, "admin", "keys", "list").err()).startsWith("flywheel: PERMISSION_DENIED");

        TestServer.Result keys = server.cli("admin", "keys", "list");
        assertThat(keys.out()).containsPattern("(?m)^" + keyId + " +support-ci +client +" + TestServer.CLIENT + " +active ")
                .doesNotContain(token.substring(16));
        TestServer.Result revoked = server.cli("admin", "keys", "revoke", keyId);
        assertThat(revoked.exit()).as(revoked.toString()).isZero();
        assertThat(revoked.out()).contains("revoked " + keyId);
        TestServer.Result after = server.run(asClient, "jobs", "list");
        assertThat(after.err()).startsWith("flywheel: UNAUTHENTICATED");

        TestServer.Result badRole = server.cli("admin", "keys", "create", "--name", "x", "--role", "root");
        assertThat(badRole.exit()).isEqualTo(ExitCodes.RPC_ERROR);
        assertThat(badRole.err()).contains("field role");
        server.cli("jobs", "cancel", othersJob);
    }

    @Test
    void logsLoadIndexesAFileAndCountsRejectedLines(DevStack stack) throws Exception {
        Path file = Files.createTempFile("logs", ".jsonl");
        Files.writeString(file, """
                {"messages": [{"role": "user", "content": "Where is my order?"}, {"role": "assistant", "content": "On its way."}]}
                {"messages": [{"role": "user", "content": "Cancel it"}, {"role": "assistant", "content": "Done."}]}
                this is not json
                """);
        TestServer.Result load = server.run(Map.of(), "logs", "load", file.toString(), "--client-id", "loader", "--workload-id", "w",
                "--es-url", stack.elasticsearchUrl(), "--index", "cli-load-test");
        assertThat(load.exit()).as(load.toString()).isZero();
        assertThat(load.out()).contains("indexed 2 of 3 lines").contains("rejected 1 lines");
        TestServer.Result missing = server.run(Map.of(), "logs", "load", "/no/such/file.jsonl", "--es-url", stack.elasticsearchUrl());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("cannot read /no/such/file.jsonl");
    }

    @Test
    void tlsWithTheGivenCaAndTheTokenAsBearer() throws Exception {
        // The same services behind a TLS port with a self-signed certificate for localhost.
        java.util.List<String> authorizations = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.linecorp.armeria.server.ServerBuilder sb = com.linecorp.armeria.server.Server.builder()
                .https(0).tls(SELF_SIGNED.certificateFile(), SELF_SIGNED.privateKeyFile());
        dev.flywheel.server.Main.configureServices(sb, server.running.app());
        sb.decorator((delegate, ctx, req) -> {
            authorizations.add(String.valueOf(req.headers().get("authorization")));
            return delegate.serve(ctx, req);
        });
        com.linecorp.armeria.server.Server tls = sb.build();
        tls.start().join();
        try {
            String address = "localhost:" + tls.activeLocalPort();
            TestServer.Result ok = server.run(Map.of(), "jobs", "list", "--server", address, "--tls",
                    "--ca-cert", SELF_SIGNED.certificateFile().toString(), "--token", server.adminToken(), "--page-size", "1");
            assertThat(ok.exit()).as(ok.toString()).isZero();
            assertThat(authorizations).contains("Bearer " + server.adminToken());

            TestServer.Result url = server.run(Map.of("FLYWHEEL_CA_CERT", SELF_SIGNED.certificateFile().toString()),
                    "jobs", "list", "--server", "https://" + address, "--page-size", "1");
            assertThat(url.exit()).as(url.toString()).isZero();

            TestServer.Result untrusted = server.run(Map.of(), "jobs", "list", "--server", address, "--tls");
            assertThat(untrusted.exit()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(untrusted.err()).startsWith("flywheel: UNAVAILABLE: cannot reach the server at " + address);

            TestServer.Result plainToTls = server.run(Map.of(), "jobs", "list", "--server", address, "--timeout", "3s");
            assertThat(plainToTls.exit()).isEqualTo(ExitCodes.UNREACHABLE);
        } finally {
            tls.stop().join();
        }
    }

    static String jobId(TestServer.Result created) {
        Matcher m = CREATED.matcher(created.out());
        assertThat(m.find()).as(created.toString()).isTrue();
        return m.group(1);
    }
}
