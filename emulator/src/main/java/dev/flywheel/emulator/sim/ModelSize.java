package dev.flywheel.emulator.sim;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses a model's parameter count from its name: {@code meta/llama-3.2-1b-instruct} is 1 billion. */
public final class ModelSize {
    /** A number followed by {@code b}, not preceded by a digit or dot (so {@code 3.2-1b} yields 1, not 2). */
    private static final Pattern SIZE = Pattern.compile("(?i)(?<![\\d.])(\\d+(?:\\.\\d+)?)b(?![a-z])");
    /** Used when the name carries no size. */
    public static final double UNKNOWN_BILLIONS = 8.0;

    private ModelSize() {}

    public static double billions(String modelName) {
        if (modelName == null) {
            return UNKNOWN_BILLIONS;
        }
        String base = modelName.contains("@") ? modelName.substring(0, modelName.indexOf('@')) : modelName;
        Matcher m = SIZE.matcher(base);
        double found = -1;
        while (m.find()) {
            found = Double.parseDouble(m.group(1)); // the last size mentioned wins (e.g. "mixtral-8x7b")
        }
        return found > 0 ? found : UNKNOWN_BILLIONS;
    }
}
