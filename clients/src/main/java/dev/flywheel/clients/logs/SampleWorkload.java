package dev.flywheel.clients.logs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.elasticsearch.client.RestClient;

/**
 * A deterministic sample workload for the demo and the end-to-end tests: a customer-service agent with five
 * tools, logged by a big production model. Most interactions call one tool; some are plain answers; every 25th
 * repeats an earlier question word for word (a duplicate the dataset step removes) and every 50th is broken
 * (no response), as real logs are. Record {@code seq} is logged at {@code start + seq} seconds.
 */
public final class SampleWorkload {

    public static final String PRODUCTION_MODEL = "meta/llama-3.1-70b-instruct";

    private static final String[] TOOLS = {"get_order_status", "issue_refund", "update_address", "search_products",
            "escalate_ticket"};
    private static final String[][] TOPIC_WORDS = {
            "order status tracking shipped package arrive delivery courier late parcel".split(" "),
            "refund money back charge returned broken damaged reimburse credit faulty".split(" "),
            "address move street apartment city zip postal relocate house floor".split(" "),
            "looking laptop phone headphones price compare recommend stock buy catalogue".split(" "),
            "manager complaint angry escalate supervisor unacceptable terrible rude speak human".split(" ")};
    private static final String[] FILLER = "please hi hello thanks could you help me my the a i".split(" ");

    private SampleWorkload() {}

    /** {@code count} JSONL log lines of {@code clientId}/{@code workloadId}. */
    public static List<String> lines(String clientId, String workloadId, int count, long startMillis) {
        List<String> out = new ArrayList<>(count);
        for (long seq = 0; seq < count; seq++) {
            out.add(line(clientId, workloadId, seq, startMillis));
        }
        return out;
    }

    /** Writes the workload to a JSONL file in {@code dir} and bulk-loads it into {@code index}. */
    public static LoadReport load(RestClient es, String index, String clientId, String workloadId, int count,
                                  long startMillis, Path dir) {
        try {
            Path file = Files.createTempFile(dir, workloadId, ".jsonl");
            Files.write(file, lines(clientId, workloadId, count, startMillis), StandardCharsets.UTF_8);
            return new LogLoader(es, index).load(file, LogLoader.Options.defaults());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String line(String clientId, String workloadId, long seq, long startMillis) {
        long questionSeq = seq % 25 == 24 ? seq - 7 : seq; // a repeated question
        SplittableRandom r = new SplittableRandom(questionSeq * 7919 + 17);
        int topic = r.nextInt(TOOLS.length);
        StringBuilder user = new StringBuilder("hello");
        for (int i = 0; i < 7; i++) {
            user.append(' ').append(TOPIC_WORDS[topic][r.nextInt(TOPIC_WORDS[topic].length)]);
        }
        for (int i = 0; i < 3; i++) {
            user.append(' ').append(FILLER[r.nextInt(FILLER.length)]);
        }
        user.append(" order A").append(1000 + questionSeq);
        StringBuilder sb = new StringBuilder(2048);
        sb.append("{\"client_id\":\"").append(clientId).append("\",\"workload_id\":\"").append(workloadId)
                .append("\",\"timestamp\":").append(startMillis + seq * 1000)
                .append(",\"request\":{\"model\":\"").append(PRODUCTION_MODEL).append("\",\"messages\":[")
                .append("{\"role\":\"system\",\"content\":\"You are a customer support agent for an online shop.\"},")
                .append("{\"role\":\"user\",\"content\":\"").append(user).append("\"}],\"tools\":[");
        for (int i = 0; i < TOOLS.length; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"type\":\"function\",\"function\":{\"name\":\"").append(TOOLS[i])
                    .append("\",\"description\":\"").append(TOOLS[i].replace('_', ' '))
                    .append("\",\"parameters\":{\"type\":\"object\",\"properties\":{\"order_id\":")
                    .append("{\"type\":\"string\"}},\"required\":[\"order_id\"]}}}");
        }
        sb.append("]}");
        if (seq % 50 == 49) {
            return sb.append("}").toString(); // broken: no response logged
        }
        sb.append(",\"response\":{\"id\":\"chatcmpl-").append(seq).append("\",\"object\":\"chat.completion\",")
                .append("\"model\":\"").append(PRODUCTION_MODEL).append("\",\"choices\":[{\"index\":0,\"message\":{")
                .append("\"role\":\"assistant\",");
        if (questionSeq % 10 != 3) {
            sb.append("\"content\":null,\"tool_calls\":[{\"id\":\"call_").append(seq)
                    .append("\",\"type\":\"function\",\"function\":{\"name\":\"").append(TOOLS[topic])
                    .append("\",\"arguments\":\"{\\\"order_id\\\": \\\"A").append(1000 + questionSeq).append("\\\"}\"}}]},")
                    .append("\"finish_reason\":\"tool_calls\"}]}}");
        } else {
            sb.append("\"content\":\"Happy to help with that.\"},\"finish_reason\":\"stop\"}]}}");
        }
        return sb.toString();
    }
}
