package dev.flywheel.server.hostile;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/** Requests fired per category and answers per status: the numbers the suite prints at the end. */
final class Tally {

    private final Map<String, Map<String, LongAdder>> answers = new ConcurrentSkipListMap<>();
    private final Map<String, LongAdder> notes = new ConcurrentSkipListMap<>();

    void record(String category, Answer answer) {
        answers.computeIfAbsent(category, c -> new ConcurrentHashMap<>())
                .computeIfAbsent(answer.label(), l -> new LongAdder()).increment();
    }

    /** Something worth a line in the summary that is not an answer (e.g. a documented connection close). */
    void note(String what) {
        notes.computeIfAbsent(what, w -> new LongAdder()).increment();
    }

    long total() {
        return answers.values().stream().flatMap(m -> m.values().stream()).mapToLong(LongAdder::sum).sum();
    }

    String render() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%nhostile-input suite: %,d requests%n", total()));
        Map<String, Long> overall = new TreeMap<>();
        answers.forEach((category, byLabel) -> {
            long n = byLabel.values().stream().mapToLong(LongAdder::sum).sum();
            out.append(String.format("  %-16s %,7d requests%n", category, n));
            new TreeMap<>(byLabel).forEach((label, count) -> {
                out.append(String.format("      %,7d  %s%n", count.sum(), label));
                overall.merge(label, count.sum(), Long::sum);
            });
        });
        out.append("  answers over all categories:\n");
        overall.forEach((label, count) -> out.append(String.format("      %,7d  %s%n", count, label)));
        if (!notes.isEmpty()) {
            out.append("  notes:\n");
            notes.forEach((what, count) -> out.append(String.format("      %,7d  %s%n", count.sum(), what)));
        }
        return out.toString();
    }
}
