package dev.flywheel.emulator.sim;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts in-context examples in a system prompt. DFW's injector writes one preamble per example and the phrase
 * "Then you'll respond with:" before each example answer; other styles mark examples with {@code Example N:},
 * {@code ## Example} or {@code <example>}. The largest count of any marker wins.
 */
public final class IclDetector {
    private static final Pattern[] MARKERS = {
        Pattern.compile("(?i)then you'?ll respond with"),
        Pattern.compile("(?im)^\\s*(?:#+\\s*)?example(?:\\s*\\d+)?\\s*[:.\\-]"),
        Pattern.compile("(?i)<example>"),
        Pattern.compile("(?im)^\\s*for example, if the user (?:asks|says)"),
    };

    private IclDetector() {}

    public static int countExamples(String systemPrompt) {
        if (systemPrompt == null || systemPrompt.isEmpty()) {
            return 0;
        }
        int best = 0;
        for (Pattern p : MARKERS) {
            Matcher m = p.matcher(systemPrompt);
            int n = 0;
            while (m.find()) {
                n++;
            }
            best = Math.max(best, n);
        }
        return best;
    }
}
