package dev.flywheel.emulator.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Word tokens and the token-level F1 overlap the emulated judge uses. */
public final class TextOverlap {
    private TextOverlap() {}

    public static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        for (String t : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    /** Bag-of-words F1 in [0, 1]; two empty texts overlap fully. */
    public static double f1(String reference, String candidate) {
        List<String> r = tokens(reference);
        List<String> c = tokens(candidate);
        if (r.isEmpty() && c.isEmpty()) {
            return 1.0;
        }
        if (r.isEmpty() || c.isEmpty()) {
            return 0.0;
        }
        Map<String, Integer> counts = new HashMap<>();
        r.forEach(t -> counts.merge(t, 1, Integer::sum));
        int common = 0;
        for (String t : c) {
            Integer n = counts.get(t);
            if (n != null && n > 0) {
                common++;
                counts.put(t, n - 1);
            }
        }
        if (common == 0) {
            return 0.0;
        }
        double p = common / (double) c.size();
        double rec = common / (double) r.size();
        return 2 * p * rec / (p + rec);
    }
}
