package dev.flywheel.emulator.sim;

/**
 * How good a simulated model is, as a probability-like skill in [0.05, 0.97]:
 * <ul>
 *   <li>base: {@code 0.30 + 0.30 * log10(billions)} (1b 0.30, 3b 0.44, 8b 0.57, 70b 0.85);</li>
 *   <li>in-context examples close part of the gap to 1: {@code + (1 - s) * 0.35 * (1 - e^(-n/3))};</li>
 *   <li>LoRA training closes more of it, growing with records × epochs and saturating:
 *       {@code + (1 - s) * 0.75 * (1 - e^(-records*epochs/300))}.</li>
 * </ul>
 */
public final class SkillModel {
    private SkillModel() {}

    public static double base(String modelName) {
        return clamp(0.30 + 0.30 * Math.log10(ModelSize.billions(modelName)));
    }

    public static double withIcl(double skill, int examples) {
        if (examples <= 0) {
            return skill;
        }
        return clamp(skill + (1 - skill) * 0.35 * (1 - Math.exp(-examples / 3.0)));
    }

    public static double withLora(double skill, long trainingRecords, int epochs) {
        double exposure = Math.max(0, trainingRecords) * (double) Math.max(1, epochs);
        return clamp(skill + (1 - skill) * 0.75 * (1 - Math.exp(-exposure / 300.0)));
    }

    static double clamp(double s) {
        return Math.max(0.05, Math.min(0.97, s));
    }
}
