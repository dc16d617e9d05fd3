package dev.flywheel.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fits candidate examples into one evaluation record's token budget and injects them into its system message,
 * exactly as the reference's {@code fit_examples_for_record} / {@code generate_icl_records} (anchor §5.7).
 *
 * <p>Budget: {@code max_context_length - reserved_tokens - tokens(json.dumps(record))}; none if ≤ 0. Fitting:
 * candidates are grouped by tool (one group for generic workloads), each group ordered shortest first, then
 * taken round-robin across groups until the next one would exceed the budget — at which point fitting stops
 * entirely. Injection: the reference's fixed preamble, a blank line, the examples joined by blank lines, and
 * (when the first message is a system message) a blank line and its original content; otherwise a new system
 * message is inserted first.
 */
final class IclInjector {

    static final String PREAMBLE = "You are a helpful assistant that can answer questions and help with tasks.\n"
            + "Here are some examples of how you should respond to different types of requests:";

    /** Result for one evaluation record. */
    record Injection(ObjectNode record, int budgetTokens, int exampleTokens, List<Long> exampleRecordIds) {}

    private record Example(int position, String label, String text, int tokens) {}

    private static final int CACHE_LIMIT = 4096;

    private final IclPool pool;
    private final WorkloadType workload;
    private final IclSettings settings;
    /** Rendered examples by pool position; bounded, since a semantic provider may touch many positions. */
    private final Map<Integer, Example> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Example> eldest) {
            return size() > CACHE_LIMIT;
        }
    };

    IclInjector(IclPool pool, WorkloadType workload, IclSettings settings) {
        this.pool = pool;
        this.workload = workload;
        this.settings = settings;
    }

    /** Returns a copy of {@code evalLine} with examples injected (or an unchanged copy when none fit). */
    Injection inject(ObjectNode evalLine, List<Integer> candidates) {
        ObjectNode record = evalLine.deepCopy();
        int budget = settings.maxContextLength() - settings.reservedTokens()
                - TokenCounter.estimate(PythonJson.dumps(evalLine));
        if (budget <= 0 || candidates.isEmpty()) {
            return new Injection(record, budget, 0, List.of());
        }
        List<Example> fitted = fit(candidates, budget);
        if (fitted.isEmpty()) {
            return new Injection(record, budget, 0, List.of());
        }
        StringBuilder examples = new StringBuilder();
        List<Long> ids = new ArrayList<>(fitted.size());
        int tokens = 0;
        for (Example example : fitted) {
            if (!examples.isEmpty()) {
                examples.append("\n\n");
            }
            examples.append(example.text());
            ids.add(pool.recordId(example.position()));
            tokens += example.tokens();
        }
        injectIntoSystemMessage((ArrayNode) record.get("request").get("messages"), examples.toString());
        return new Injection(record, budget, tokens, List.copyOf(ids));
    }

    private List<Example> fit(List<Integer> candidates, int budget) {
        Map<String, List<Example>> groups = new LinkedHashMap<>();
        for (int position : candidates) {
            Example example = example(position);
            String group = workload == WorkloadType.TOOL_CALLING ? example.label() : "generic_examples";
            groups.computeIfAbsent(group, k -> new ArrayList<>()).add(example);
        }
        int longest = 0;
        for (List<Example> group : groups.values()) {
            group.sort(Comparator.comparingInt(Example::tokens)); // stable: ties keep the provider's rank
            longest = Math.max(longest, group.size());
        }
        List<Example> selected = new ArrayList<>();
        int total = 0;
        for (int round = 0; round < longest; round++) {
            for (List<Example> group : groups.values()) {
                if (round >= group.size()) {
                    continue;
                }
                Example next = group.get(round);
                if (total + next.tokens() > budget || selected.size() >= settings.maxExamples()) {
                    return selected;
                }
                selected.add(next);
                total += next.tokens();
            }
        }
        return selected;
    }

    private Example example(int position) {
        return cache.computeIfAbsent(position, p -> {
            String text = IclExampleText.format(pool.record(p));
            return new Example(p, pool.toolLabel(p), text, TokenCounter.estimate(text));
        });
    }

    private static void injectIntoSystemMessage(ArrayNode messages, String examples) {
        JsonNode first = messages.get(0);
        if (first instanceof ObjectNode system && "system".equals(system.path("role").asText(null))) {
            system.put("content", PREAMBLE + "\n\n" + examples + "\n\n" + PythonValues.str(system.get("content")));
        } else {
            ObjectNode system = JsonNodeFactory.instance.objectNode();
            system.put("role", "system");
            system.put("content", PREAMBLE + "\n\n" + examples);
            messages.insert(0, system);
        }
    }
}
