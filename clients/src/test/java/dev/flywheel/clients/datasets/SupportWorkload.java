package dev.flywheel.clients.datasets;

import com.linecorp.armeria.client.ClientFactory;
import dev.flywheel.api.v1.DataSplitConfig;
import dev.flywheel.api.v1.IclConfig;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.clients.logs.LoadReport;
import dev.flywheel.clients.logs.LogLoader;
import dev.flywheel.clients.nemo.NemoClientSettings;
import dev.flywheel.clients.nemo.NemoClients;
import dev.flywheel.clients.nemo.NemoEndpoints;
import dev.flywheel.clients.nemo.NemoService;
import dev.flywheel.emulator.NemoEmulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.elasticsearch.client.RestClient;

/**
 * Test data and wiring for the dataset tests: a tool-calling support workload whose user messages are about one of
 * five topics, each answered with its own tool, so that semantic ICL selection can be checked against known topics.
 * Record {@code seq} has timestamp {@code T0 + seq s} (unique, so the export order is fully determined) and
 * every tenth record is a plain answer without tool calls (removed by the tool-calling filter).
 */
final class SupportWorkload {

    static final String NS = "fwdata";
    static final String CLIENT = "acme";
    static final long T0 = 1_718_000_000_000L;

    static final String[] TOOLS = {"get_order_status", "issue_refund", "update_address", "search_products",
            "escalate_ticket"};
    private static final String[][] TOPIC_WORDS = {
            "order status tracking shipped package arrive delivery courier late parcel".split(" "),
            "refund money back charge returned broken damaged reimburse credit faulty".split(" "),
            "address move street apartment city zip postal relocate house floor".split(" "),
            "looking laptop phone headphones price compare recommend stock buy catalogue".split(" "),
            "manager complaint angry escalate supervisor unacceptable terrible rude speak human".split(" ")};
    private static final String[] FILLER = "please hi hello thanks could you help me my the a i".split(" ");

    private SupportWorkload() {
    }

    /** The topic (= expected tool index) of record {@code seq}; a fixed pseudo-random sequence. */
    static int topic(long seq) {
        return new SplittableRandom(seq * 7919 + 17).nextInt(TOOLS.length);
    }

    static boolean hasToolCall(long seq) {
        return seq % 10 != 0;
    }

    /** One log record as JSON. */
    static String record(String workloadId, long seq) {
        SplittableRandom r = new SplittableRandom(seq);
        int topic = topic(seq);
        StringBuilder user = new StringBuilder("hello");
        for (int i = 0; i < 7; i++) {
            user.append(' ').append(TOPIC_WORDS[topic][r.nextInt(TOPIC_WORDS[topic].length)]);
        }
        for (int i = 0; i < 3; i++) {
            user.append(' ').append(FILLER[r.nextInt(FILLER.length)]);
        }
        user.append(" reference ").append(seq); // unique text: no record is a duplicate
        StringBuilder sb = new StringBuilder(2048);
        sb.append("{\"client_id\":\"").append(CLIENT).append("\",\"workload_id\":\"").append(workloadId)
                .append("\",\"timestamp\":").append(T0 + seq * 1000)
                .append(",\"request\":{\"model\":\"meta/llama-3.1-70b-instruct\",\"messages\":[")
                .append("{\"role\":\"system\",\"content\":\"You are a customer support agent.\"},")
                .append("{\"role\":\"user\",\"content\":\"").append(user).append("\"}],\"tools\":[");
        for (int i = 0; i < TOOLS.length; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"type\":\"function\",\"function\":{\"name\":\"").append(TOOLS[i])
                    .append("\",\"description\":\"").append(TOOLS[i].replace('_', ' '))
                    .append("\",\"parameters\":{\"type\":\"object\",\"properties\":{\"order_id\":")
                    .append("{\"type\":\"string\"}},\"required\":[\"order_id\"]}}}");
        }
        sb.append("]},\"response\":{\"id\":\"chatcmpl-").append(seq).append("\",\"object\":\"chat.completion\",")
                .append("\"model\":\"meta/llama-3.1-70b-instruct\",\"choices\":[{\"index\":0,\"message\":{")
                .append("\"role\":\"assistant\",");
        if (hasToolCall(seq)) {
            sb.append("\"content\":null,\"tool_calls\":[{\"id\":\"call_").append(seq)
                    .append("\",\"type\":\"function\",\"function\":{\"name\":\"").append(TOOLS[topic])
                    .append("\",\"arguments\":\"{\\\"order_id\\\": \\\"A").append(seq).append("\\\"}\"}}]},")
                    .append("\"finish_reason\":\"tool_calls\"}]}}");
        } else {
            sb.append("\"content\":\"Happy to help with that.\"},\"finish_reason\":\"stop\"}]}}");
        }
        return sb.toString();
    }

    /** Loads {@code count} records of {@code workloadId} (seq 0..count-1) through {@link LogLoader}. */
    static LoadReport load(RestClient es, String index, String workloadId, int count, Path dir) {
        List<String> lines = new ArrayList<>(count);
        for (long seq = 0; seq < count; seq++) {
            lines.add(record(workloadId, seq));
        }
        try {
            Path file = Files.createTempFile(dir, workloadId, ".jsonl");
            Files.write(file, lines, StandardCharsets.UTF_8);
            return new LogLoader(es, index).load(file, LogLoader.Options.defaults());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code data_split_config} with limit 1000 (export cap 2000), eval 100, val 10 %, min 50. */
    static JobConfig config(IclConfig icl) {
        return JobConfig.newBuilder()
                .setDataSplitConfig(DataSplitConfig.newBuilder().setEvalSize(100).setValRatio(0.1)
                        .setMinTotalRecords(50).setLimit(1000))
                .setIclConfig(icl)
                .build();
    }

    /** Clients over the emulator with fast retries, on a factory of their own (closed by the test). */
    static NemoClients clients(NemoEmulator emu, ClientFactory factory) {
        NemoClientSettings.ServiceSettings fast = NemoClientSettings.ServiceSettings.defaults(NemoService.EVALUATOR)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20))
                .withRetries(3, Duration.ofMillis(20), Duration.ofMillis(200))
                .withBreaker(0.5, 10_000, Duration.ofSeconds(30), Duration.ofSeconds(5));
        return NemoClients.create(new NemoEndpoints(emu.platformUrl(), emu.nimUrl(), emu.datastoreUrl(), NS),
                new SimpleMeterRegistry(), NemoClientSettings.all(fast), factory);
    }
}
