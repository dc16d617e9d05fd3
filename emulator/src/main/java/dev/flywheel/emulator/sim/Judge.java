package dev.flywheel.emulator.sim;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The emulated LLM judge. It writes a reply text like a real judge would and the caller parses it with the metric's
 * configured regex — so a {@code (\d)} parser reads a reply of {@code 10} as {@code 1}, exactly the DFW scoring bug
 * (anchor-data-flywheel.md §7.2), while {@code (\d+)} reads 10.
 * <ul>
 *   <li>similarity (generic items): {@code 1 + round(9 * F1(reference, candidate))}, an empty answer scores 1;</li>
 *   <li>tool-calling correctness: {@code RATING: 1} when the first predicted call has the reference's function name
 *       and every reference argument with an equal value (strings compared case- and space-insensitively), else 0.</li>
 * </ul>
 */
public final class Judge {
    private Judge() {}

    public static int similarity(String reference, String candidate) {
        if (candidate == null || candidate.isBlank()) {
            return 1;
        }
        return 1 + (int) Math.round(9 * TextOverlap.f1(reference, candidate));
    }

    public static String similarityReply(String reference, String candidate) {
        return String.valueOf(similarity(reference, candidate));
    }

    public static int toolCorrectness(List<ToolCall> reference, List<ToolCall> predicted) {
        if (reference.isEmpty() || predicted.isEmpty()) {
            return reference.isEmpty() && predicted.isEmpty() ? 1 : 0;
        }
        ToolCall ref = reference.get(0);
        ToolCall pred = predicted.get(0);
        if (!ref.name().equals(pred.name())) {
            return 0;
        }
        if (ref.arguments().isObject()) {
            var it = ref.arguments().fields();
            while (it.hasNext()) {
                var f = it.next();
                var pv = pred.arguments().get(f.getKey());
                if (pv == null || !loosely(f.getValue().asText(), pv.asText())) {
                    return 0;
                }
            }
        }
        return 1;
    }

    public static String toolCorrectnessReply(List<ToolCall> reference, List<ToolCall> predicted) {
        int r = toolCorrectness(reference, predicted);
        return "RATING: " + r + "\n" + (r == 1 ? "The predicted call matches the ground truth."
                : "The predicted call does not match the ground truth.");
    }

    /** Applies a metric's regex parser; the first group if there is one. Null when nothing matches. */
    public static Double parse(String reply, String pattern) {
        Matcher m = Pattern.compile(pattern == null ? "(\\d+)" : pattern).matcher(reply);
        if (!m.find()) {
            return null;
        }
        String g = m.groupCount() >= 1 ? m.group(1) : m.group();
        try {
            return Double.parseDouble(g.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean loosely(String a, String b) {
        return a.trim().replaceAll("\\s+", " ").equalsIgnoreCase(b.trim().replaceAll("\\s+", " "));
    }
}
