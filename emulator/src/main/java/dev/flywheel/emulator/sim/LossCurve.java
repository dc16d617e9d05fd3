package dev.flywheel.emulator.sim;

/**
 * Training and validation loss of a simulated fine-tuning run: exponential decay from a start near 1.8 to a floor
 * that is lower for runs that will end with a higher skill, with small deterministic noise. Validation loss follows
 * the same curve a little higher.
 */
public final class LossCurve {
    private final long seed;
    private final String job;
    private final double start;
    private final double floor;
    private final int totalSteps;

    public LossCurve(long seed, String job, double finalSkill, int totalSteps) {
        this.seed = seed;
        this.job = job;
        this.start = 1.6 + 0.4 * Hashing.unit(seed, job, "start");
        this.floor = 0.03 + 0.3 * (1 - finalSkill);
        this.totalSteps = Math.max(1, totalSteps);
    }

    private double curve(int step) {
        return floor + (start - floor) * Math.exp(-4.0 * (step + 1) / totalSteps);
    }

    public double trainLoss(int step) {
        double noise = (Hashing.unit(seed, job, "train", step) - 0.5) * 0.08;
        return round4(Math.max(0.001, curve(step) * (1 + noise)));
    }

    public double valLoss(int step) {
        double noise = (Hashing.unit(seed, job, "val", step) - 0.5) * 0.04;
        return round4(Math.max(0.001, curve(step) * 1.08 * (1 + noise) + 0.01));
    }

    static double round4(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
