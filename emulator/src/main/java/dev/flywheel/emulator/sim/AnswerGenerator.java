package dev.flywheel.emulator.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.http.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Produces a simulated model's answer to a conversation, deterministic in (seed, model, item).
 *
 * <p>Tool-calling item (the reference carries tool calls): a per-item chance {@code u = hash(seed, item)} — shared by
 * all models, so a more skilled model is right on a superset of the items a less skilled one gets right — decides:
 * {@code u < skill} the reference call; otherwise, on the remaining range, 50 % right function with wrong arguments,
 * 30 % a wrong function, 20 % plain text (a wrong function instead when {@code tool_choice} forces a call).
 *
 * <p>Generic item: the reference text with each word kept with probability {@code q = skill ± 0.1} (per model and
 * item) and otherwise replaced by a filler word, so overlap with the reference falls as skill falls.
 *
 * <p>No reference known (a conversation never uploaded): a generic polite answer, or a call of the first offered
 * tool when a call is required.
 */
public final class AnswerGenerator {
    private static final String[] FILLER = {
        "perhaps", "generally", "something", "various", "approximately", "indeed", "unclear", "roughly",
        "certain", "options", "overall", "typically", "information", "details", "regarding", "possibly"
    };
    private final long seed;

    public AnswerGenerator(long seed) {
        this.seed = seed;
    }

    public ChatAnswer answer(String model, double skill, JsonNode messages, JsonNode tools, JsonNode toolChoice,
                             JsonNode reference) {
        String item = ReferenceOracle.itemKey(messages);
        boolean callRequired = toolChoice != null && (toolChoice.isObject()
                || "required".equals(toolChoice.asText()));
        if (reference != null) {
            List<ToolCall> refCalls = ToolCall.parseList(reference.get("tool_calls"));
            if (!refCalls.isEmpty()) {
                return toolAnswer(model, skill, item, refCalls, tools, callRequired);
            }
            return textAnswer(model, skill, item, Json.text(reference, "content"));
        }
        return genericAnswer(model, skill, item, messages, tools, toolChoice, callRequired);
    }

    private ChatAnswer toolAnswer(String model, double skill, String item, List<ToolCall> ref, JsonNode tools,
                                  boolean callRequired) {
        double u = Hashing.unit(seed, "outcome", item);
        if (u < skill) {
            return new ChatAnswer(null, ref, "exact", skill);
        }
        double r = (u - skill) / (1 - skill);
        if (r < 0.5) {
            List<ToolCall> wrong = new ArrayList<>(ref);
            ToolCall first = ref.get(0);
            wrong.set(0, new ToolCall(first.name(), mutateArguments(model, item, first.arguments())));
            return new ChatAnswer(null, wrong, "wrong_arguments", skill);
        }
        if (r < 0.8 || callRequired) {
            return new ChatAnswer(null, List.of(new ToolCall(otherFunction(model, item, ref.get(0).name(), tools),
                    ref.get(0).arguments())), "wrong_function", skill);
        }
        return new ChatAnswer("I am not sure which tool to use for this request, could you clarify what you need?",
                List.of(), "text", skill);
    }

    private JsonNode mutateArguments(String model, String item, JsonNode args) {
        if (args == null || !args.isObject() || args.size() == 0) {
            return Json.obj().put("query", FILLER[Hashing.pick(FILLER.length, seed, "arg", model, item)]);
        }
        ObjectNode copy = args.deepCopy();
        List<String> names = new ArrayList<>();
        copy.fieldNames().forEachRemaining(names::add);
        String victim = names.get(Hashing.pick(names.size(), seed, "victim", model, item));
        JsonNode v = copy.get(victim);
        if (v.isNumber()) {
            copy.put(victim, v.asDouble() + 1 + Hashing.pick(9, seed, "num", model, item));
        } else if (v.isBoolean()) {
            copy.put(victim, !v.asBoolean());
        } else if (v.isTextual()) {
            copy.put(victim, v.asText() + " " + FILLER[Hashing.pick(FILLER.length, seed, "str", model, item)]);
        } else {
            copy.remove(victim);
        }
        return copy;
    }

    private String otherFunction(String model, String item, String right, JsonNode tools) {
        List<String> names = new ArrayList<>();
        if (tools != null && tools.isArray()) {
            for (JsonNode t : tools) {
                String n = Json.text(t.has("function") ? t.get("function") : t, "name");
                if (n != null && !n.equals(right)) {
                    names.add(n);
                }
            }
        }
        if (names.isEmpty()) {
            return right + "_v2";
        }
        return names.get(Hashing.pick(names.size(), seed, "fn", model, item));
    }

    private ChatAnswer textAnswer(String model, double skill, String item, String refText) {
        String ref = refText == null ? "" : refText;
        double q = Math.max(0, Math.min(1, skill + (Hashing.unit(seed, "q", model, item) - 0.5) * 0.2));
        String[] words = ref.split(" ");
        StringBuilder sb = new StringBuilder();
        boolean changed = false;
        for (int i = 0; i < words.length; i++) {
            String w = words[i];
            if (!w.isEmpty() && Hashing.unit(seed, "tok", model, item, i) >= q) {
                w = FILLER[Hashing.pick(FILLER.length, seed, "fill", model, item, i)];
                changed = true;
            }
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(w);
        }
        return new ChatAnswer(sb.toString(), List.of(), changed ? "paraphrase" : "exact", skill);
    }

    private ChatAnswer genericAnswer(String model, double skill, String item, JsonNode messages, JsonNode tools,
                                     JsonNode toolChoice, boolean callRequired) {
        if (callRequired && tools != null && tools.isArray() && tools.size() > 0) {
            JsonNode fn = null;
            if (toolChoice.isObject()) {
                String wanted = toolChoice.path("function").path("name").asText(null);
                for (JsonNode t : tools) {
                    if (wanted != null && wanted.equals(Json.text(t.path("function"), "name"))) {
                        fn = t.get("function");
                    }
                }
            }
            if (fn == null) {
                fn = tools.get(0).has("function") ? tools.get(0).get("function") : tools.get(0);
            }
            ObjectNode args = Json.obj();
            JsonNode props = fn.path("parameters").path("properties");
            for (Iterator<String> it = props.fieldNames(); it.hasNext(); ) {
                String p = it.next();
                String type = props.get(p).path("type").asText("string");
                switch (type) {
                    case "integer", "number" -> args.put(p, 1);
                    case "boolean" -> args.put(p, true);
                    default -> args.put(p, FILLER[Hashing.pick(FILLER.length, seed, "gen", model, item, p)]);
                }
            }
            return new ChatAnswer(null, List.of(new ToolCall(Json.text(fn, "name"), args)), "generic", skill);
        }
        String lastUser = "";
        if (messages != null) {
            for (JsonNode m : messages) {
                if ("user".equals(Json.text(m, "role")) && m.get("content") != null) {
                    lastUser = m.get("content").isTextual() ? m.get("content").asText() : Json.write(m.get("content"));
                }
            }
        }
        List<String> toks = TextOverlap.tokens(lastUser);
        String topic = String.join(" ", toks.subList(0, Math.min(12, toks.size())));
        String text = "Here is what I can tell you about " + (topic.isEmpty() ? "that" : topic) + ": it is "
                + FILLER[Hashing.pick(FILLER.length, seed, "generic", model, item)] + " a matter of "
                + FILLER[Hashing.pick(FILLER.length, seed, "generic2", model, item)] + ".";
        return new ChatAnswer(text, List.of(), "generic", skill);
    }
}
