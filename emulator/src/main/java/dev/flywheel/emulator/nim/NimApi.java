package dev.flywheel.emulator.nim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import dev.flywheel.emulator.EmulatorContext;
import dev.flywheel.emulator.http.ApiException;
import dev.flywheel.emulator.http.Call;
import dev.flywheel.emulator.http.Json;
import dev.flywheel.emulator.http.Reply;
import dev.flywheel.emulator.http.Routes;
import dev.flywheel.emulator.sim.ChatAnswer;
import dev.flywheel.emulator.sim.Embeddings;
import dev.flywheel.emulator.sim.ToolCall;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * HTTP surface of the NIM proxy host (nemo-api.md §5): the unpaginated {@code /v1/models}, OpenAI-compatible chat
 * completions (tool call ids {@code chatcmpl-tool-<32hex>}, arguments as JSON strings, optional SSE streaming),
 * completions, and embeddings.
 */
public final class NimApi {
    private final EmulatorContext ctx;
    private final InferenceEngine engine;

    public NimApi(EmulatorContext ctx, InferenceEngine engine) {
        this.ctx = ctx;
        this.engine = engine;
    }

    public void register(Routes r) {
        r.get("/v1/health/ready", c -> Reply.ok(Json.obj().put("object", "health.response").put("message",
                "Service is ready.")));
        r.get("/v1/models", c -> Reply.ok(models()));
        r.post("/v1/chat/completions", this::chat);
        r.post("/v1/completions", this::completions);
        r.post("/v1/embeddings", this::embeddings);
    }

    private ObjectNode models() {
        ObjectNode out = Json.obj();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        for (ModelCatalog.ServedModel m : engine.catalog().served()) {
            ObjectNode n = data.addObject();
            n.put("id", m.id());
            n.put("object", "model");
            n.put("created", m.createdEpochSeconds());
            n.put("owned_by", "system");
            n.put("root", m.parent() == null ? m.id() : m.parent());
            if (m.parent() == null) {
                n.putNull("parent");
            } else {
                n.put("parent", m.parent());
            }
            n.put("max_model_len", 8192);
            n.putArray("permission");
        }
        return out;
    }

    private static String requiredModel(ObjectNode body) {
        String model = Json.text(body, "model");
        if (model == null || model.isBlank()) {
            throw ApiException.missing("model");
        }
        return model;
    }

    private Reply chat(Call c) {
        ObjectNode body = c.json();
        String model = requiredModel(body);
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.size() == 0) {
            throw ApiException.unprocessable(List.of("body", "messages"), "messages must be a non-empty list",
                    "value_error");
        }
        ChatAnswer a = engine.chat(model, messages, body.get("tools"), body.get("tool_choice"), true);
        ObjectNode message = Json.obj();
        message.put("role", "assistant");
        if (a.content() == null) {
            message.putNull("content");
        } else {
            message.put("content", a.content());
        }
        if (a.hasToolCalls()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (ToolCall tc : a.toolCalls()) {
                calls.add(tc.toResponseJson("chatcmpl-tool-" + ctx.ids().hex32()));
            }
        }
        String id = "chatcmpl-" + ctx.ids().hex32();
        long created = System.currentTimeMillis() / 1000;
        int promptTokens = Json.write(messages).length() / 4;
        int completionTokens = Math.max(1, Json.write(message).length() / 4);
        String finish = a.hasToolCalls() ? "tool_calls" : "stop";
        if (body.path("stream").asBoolean(false)) {
            return stream(id, created, model, message, finish);
        }
        ObjectNode out = Json.obj();
        out.put("id", id);
        out.put("object", "chat.completion");
        out.put("created", created);
        out.put("model", model);
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("message", message);
        choice.putNull("logprobs");
        choice.put("finish_reason", finish);
        usage(out, promptTokens, completionTokens);
        return Reply.ok(out);
    }

    /** Server-sent events: one delta chunk carrying the whole message, a final chunk, then {@code [DONE]}. */
    private Reply stream(String id, long created, String model, ObjectNode message, String finish) {
        StringBuilder sb = new StringBuilder();
        ObjectNode chunk = Json.obj().put("id", id).put("object", "chat.completion.chunk").put("created", created)
                .put("model", model);
        ObjectNode first = chunk.deepCopy();
        ArrayNode tc = (ArrayNode) message.get("tool_calls");
        if (tc != null) {
            for (int i = 0; i < tc.size(); i++) {
                ((ObjectNode) tc.get(i)).put("index", i);
            }
        }
        first.putArray("choices").addObject().put("index", 0).<ObjectNode>set("delta", message).putNull("finish_reason");
        ObjectNode last = chunk.deepCopy();
        last.putArray("choices").addObject().put("index", 0).<ObjectNode>set("delta", Json.obj())
                .put("finish_reason", finish);
        sb.append("data: ").append(Json.write(first)).append("\n\n");
        sb.append("data: ").append(Json.write(last)).append("\n\n");
        sb.append("data: [DONE]\n\n");
        return Reply.bytes(HttpStatus.OK, MediaType.EVENT_STREAM, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private Reply completions(Call c) {
        ObjectNode body = c.json();
        String model = requiredModel(body);
        String prompt = body.path("prompt").isArray() ? body.path("prompt").path(0).asText()
                : body.path("prompt").asText(null);
        if (prompt == null) {
            throw ApiException.missing("prompt");
        }
        ArrayNode messages = Json.arr();
        messages.addObject().put("role", "user").put("content", prompt);
        ChatAnswer a = engine.chat(model, messages, null, null, true);
        String text = a.content() != null ? a.content()
                : a.toolCalls().isEmpty() ? "" : Json.write(a.toolCalls().get(0).toResponseJson("call").get("function"));
        ObjectNode out = Json.obj();
        out.put("id", "cmpl-" + ctx.ids().hex32());
        out.put("object", "text_completion");
        out.put("created", System.currentTimeMillis() / 1000);
        out.put("model", model);
        out.putArray("choices").addObject().put("index", 0).put("text", text).putNull("logprobs")
                .put("finish_reason", "stop");
        usage(out, prompt.length() / 4, Math.max(1, text.length() / 4));
        return Reply.ok(out);
    }

    private Reply embeddings(Call c) {
        ObjectNode body = c.json();
        String model = requiredModel(body);
        if (!engine.catalog().isServed(model)) {
            throw ApiException.notFound("Model " + model + " not found");
        }
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            throw ApiException.missing("input");
        }
        if (model.contains("embedqa") && Json.text(body, "input_type") == null) {
            // Asymmetric retrieval embedders refuse requests that do not say whether the text is a query or a passage.
            throw ApiException.badRequest("input_type is required for model " + model + " (query or passage)");
        }
        ArrayNode inputs = input.isArray() ? (ArrayNode) input : Json.arr().add(input);
        ObjectNode out = Json.obj();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        int tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            String text = inputs.get(i).asText();
            tokens += text.length() / 4 + 1;
            ObjectNode e = data.addObject();
            e.put("index", i);
            e.put("object", "embedding");
            ArrayNode vec = e.putArray("embedding");
            for (double v : Embeddings.embed(ctx.seed(), Json.text(body, "input_type") + "|" + text)) {
                vec.add(v);
            }
        }
        out.put("model", model);
        usage(out, tokens, 0);
        return Reply.ok(out);
    }

    private static void usage(ObjectNode out, int prompt, int completion) {
        out.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }
}
