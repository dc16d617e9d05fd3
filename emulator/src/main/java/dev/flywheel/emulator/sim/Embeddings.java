package dev.flywheel.emulator.sim;

/**
 * Deterministic embeddings: the normalised sum of one pseudo-random vector per word, so texts sharing words have a
 * high cosine similarity (good enough for ICL example selection by similarity). Dimension 2048 as DFW's index expects.
 */
public final class Embeddings {
    public static final int DIMENSIONS = 2048;

    private Embeddings() {}

    public static double[] embed(long seed, String text) {
        double[] v = new double[DIMENSIONS];
        var tokens = TextOverlap.tokens(text);
        if (tokens.isEmpty()) {
            tokens = java.util.List.of("<empty>");
        }
        for (String t : tokens) {
            for (int k = 0; k < 16; k++) { // each word touches 16 coordinates, sparse and cheap
                int dim = Hashing.pick(DIMENSIONS, seed, "dim", t, k);
                v[dim] += Hashing.unit(seed, "val", t, k) < 0.5 ? -1 : 1;
            }
        }
        double norm = 0;
        for (double x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < v.length; i++) {
            v[i] = norm == 0 ? 0 : Math.round(v[i] / norm * 1e6) / 1e6;
        }
        return v;
    }
}
