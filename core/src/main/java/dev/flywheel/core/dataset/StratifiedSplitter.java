package dev.flywheel.core.dataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntUnaryOperator;

/**
 * The reference's class-aware split (scikit-learn {@code train_test_split(..., stratify=labels)}), made total.
 *
 * <p>Labels are the first tool name (or {@code no_tool}); labels that occur once become {@code others}. The
 * split is stratified when there is more than one class and both sides can hold one item per class (the
 * reference's rule, plus scikit-learn's own train-side requirement); otherwise it is a plain seeded random
 * split. Fixes anchor §11.2 #11: when exactly one label is a singleton, the one-member {@code others} class is
 * merged into the largest class instead of crashing the run, and nothing here ever throws for a label layout.
 */
final class StratifiedSplitter {

    /** How a split was made, for the manifest. */
    enum Method { STRATIFIED, RANDOM }

    /** {@code test} and {@code rest} hold record indices, each in a seeded random order. */
    record Result(int[] test, int[] rest, Method method, int classes) {}

    /** Label id standing for the merged singletons. */
    static final int OTHERS = -1;

    private StratifiedSplitter() {}

    static Result split(int[] items, IntUnaryOperator labelOf, int testSize, Random random) {
        int n = items.length;
        int test = Math.max(0, Math.min(testSize, n));
        int[] labels = effectiveLabels(items, labelOf);
        Map<Integer, List<Integer>> classes = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            classes.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(items[i]);
        }
        int k = classes.size();
        if (k > 1 && test >= k && n - test >= k) {
            return stratified(classes, n, test, random);
        }
        int[] shuffled = items.clone();
        SeededRandom.shuffle(shuffled, random);
        return new Result(Arrays.copyOfRange(shuffled, 0, test), Arrays.copyOfRange(shuffled, test, n),
                Method.RANDOM, k);
    }

    /** Raw label per item, with singletons merged into {@code others}, and a lone {@code others} into the largest class. */
    static int[] effectiveLabels(int[] items, IntUnaryOperator labelOf) {
        Map<Integer, Integer> counts = new LinkedHashMap<>();
        int[] labels = new int[items.length];
        for (int i = 0; i < items.length; i++) {
            labels[i] = labelOf.applyAsInt(items[i]);
            counts.merge(labels[i], 1, Integer::sum);
        }
        int singletons = 0;
        for (int count : counts.values()) {
            singletons += count == 1 ? 1 : 0;
        }
        int othersTarget = OTHERS;
        if (singletons == 1) {
            othersTarget = counts.entrySet().stream()
                    .filter(e -> e.getValue() > 1)
                    .max(Comparator.<Map.Entry<Integer, Integer>>comparingInt(Map.Entry::getValue)
                            .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
                    .map(Map.Entry::getKey)
                    .orElse(OTHERS); // a single item in total: one class either way
        }
        for (int i = 0; i < labels.length; i++) {
            if (counts.get(labels[i]) == 1) {
                labels[i] = othersTarget;
            }
        }
        return labels;
    }

    private static Result stratified(Map<Integer, List<Integer>> classes, int n, int test, Random random) {
        List<Map.Entry<Integer, List<Integer>>> ordered = new ArrayList<>(classes.entrySet());
        ordered.sort(Map.Entry.comparingByKey());
        int[] quota = quotas(ordered, n, test);
        int[] testItems = new int[test];
        int[] restItems = new int[n - test];
        int t = 0;
        int r = 0;
        for (int c = 0; c < ordered.size(); c++) {
            int[] members = ordered.get(c).getValue().stream().mapToInt(Integer::intValue).toArray();
            SeededRandom.shuffle(members, random);
            for (int m = 0; m < members.length; m++) {
                if (m < quota[c]) {
                    testItems[t++] = members[m];
                } else {
                    restItems[r++] = members[m];
                }
            }
        }
        SeededRandom.shuffle(testItems, random);
        SeededRandom.shuffle(restItems, random);
        return new Result(testItems, restItems, Method.STRATIFIED, ordered.size());
    }

    /** Proportional allocation by largest remainder; ties go to the bigger class, then the smaller label id. */
    private static int[] quotas(List<Map.Entry<Integer, List<Integer>>> classes, int n, int test) {
        int k = classes.size();
        int[] quota = new int[k];
        double[] remainder = new double[k];
        int assigned = 0;
        for (int c = 0; c < k; c++) {
            double exact = (double) test * classes.get(c).getValue().size() / n;
            quota[c] = (int) Math.floor(exact);
            remainder[c] = exact - quota[c];
            assigned += quota[c];
        }
        Integer[] order = new Integer[k];
        for (int c = 0; c < k; c++) {
            order[c] = c;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(c -> -remainder[c])
                .thenComparingInt(c -> -classes.get(c).getValue().size())
                .thenComparingInt(c -> c));
        for (int i = 0; assigned < test; i = (i + 1) % k) {
            int c = order[i];
            if (quota[c] < classes.get(c).getValue().size()) {
                quota[c]++;
                assigned++;
            }
        }
        return quota;
    }
}
