package dev.flywheel.clients.logs;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Generates realistic log documents (~2.5 KB on average) for tests and the benchmark: a mix of tool-calling
 * (about 60 %) and plain chat interactions, with a system prompt, a few turns of history and OpenAI-shaped
 * request/response bodies. Built with a StringBuilder, not Jackson, so that generating a million is cheap.
 */
public final class LogRecordGenerator {

    private static final String[] WORDS = ("the a customer order refund shipping account password reset invoice "
            + "delivery address change cancel subscription plan upgrade premium support ticket status tracking "
            + "number product warranty return policy payment card declined billing cycle discount coupon code "
            + "please could you help me with my latest thanks hello when where why how what store open hours")
            .split(" ");
    private static final String[] TOOLS = {"get_order_status", "issue_refund", "update_address", "search_products",
            "escalate_ticket"};

    private final SplittableRandom random;

    public LogRecordGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** One document as JSON bytes; {@code seq} is stored as metadata so tests can check exactly-once delivery. */
    public byte[] next(String clientId, String workloadId, long timestampMillis, long seq) {
        boolean toolCalling = random.nextInt(10) < 6;
        StringBuilder sb = new StringBuilder(3000);
        sb.append("{\"client_id\":\"").append(clientId).append("\",\"workload_id\":\"").append(workloadId)
                .append("\",\"timestamp\":").append(timestampMillis).append(",\"seq\":").append(seq);
        sb.append(",\"request\":{\"model\":\"meta/llama-3.1-70b-instruct\",\"temperature\":0.2,\"max_tokens\":512,")
                .append("\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful customer service agent. ")
                .append(words(40)).append("\"}");
        int turns = 1 + random.nextInt(3);
        for (int t = 0; t < turns; t++) {
            sb.append(",{\"role\":\"user\",\"content\":\"").append(words(15 + random.nextInt(30))).append("\"}");
            if (t < turns - 1) {
                sb.append(",{\"role\":\"assistant\",\"content\":\"").append(words(20 + random.nextInt(30)))
                        .append("\"}");
            }
        }
        sb.append(']');
        if (toolCalling) {
            sb.append(",\"tools\":[");
            for (int i = 0; i < TOOLS.length; i++) {
                sb.append(i == 0 ? "" : ",").append("{\"type\":\"function\",\"function\":{\"name\":\"")
                        .append(TOOLS[i]).append("\",\"description\":\"").append(words(10))
                        .append("\",\"parameters\":{\"type\":\"object\",\"properties\":{\"order_id\":")
                        .append("{\"type\":\"string\",\"description\":\"the order id\"},\"reason\":{\"type\":\"string\"}},")
                        .append("\"required\":[\"order_id\"]}}}");
            }
            sb.append("],\"tool_choice\":\"auto\"");
        }
        sb.append("},\"response\":{\"id\":\"chatcmpl-").append(seq).append("\",\"object\":\"chat.completion\",")
                .append("\"created\":").append(timestampMillis / 1000)
                .append(",\"model\":\"meta/llama-3.1-70b-instruct\",\"choices\":[{\"index\":0,\"message\":")
                .append("{\"role\":\"assistant\",");
        if (toolCalling) {
            String tool = TOOLS[random.nextInt(TOOLS.length)];
            sb.append("\"content\":null,\"tool_calls\":[{\"id\":\"call_").append(seq)
                    .append("\",\"type\":\"function\",\"function\":{\"name\":\"").append(tool)
                    .append("\",\"arguments\":\"{\\\"order_id\\\": \\\"A").append(random.nextInt(1_000_000))
                    .append("\\\", \\\"reason\\\": \\\"").append(words(5)).append("\\\"}\"}}]},")
                    .append("\"finish_reason\":\"tool_calls\"}]");
        } else {
            sb.append("\"content\":\"").append(words(40 + random.nextInt(60))).append("\"},")
                    .append("\"finish_reason\":\"stop\"}]");
        }
        sb.append(",\"usage\":{\"prompt_tokens\":").append(300 + random.nextInt(400))
                .append(",\"completion_tokens\":").append(20 + random.nextInt(200)).append(",\"total_tokens\":600}}}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private String words(int n) {
        StringBuilder sb = new StringBuilder(n * 7);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }
}
