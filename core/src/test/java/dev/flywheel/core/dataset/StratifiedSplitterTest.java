package dev.flywheel.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StratifiedSplitterTest {

    /** Items 0..n-1 whose label is given by {@code labels[item]}. */
    private static StratifiedSplitter.Result split(int[] labels, int test, long seed) {
        int[] items = IntStream.range(0, labels.length).toArray();
        return StratifiedSplitter.split(items, i -> labels[i], test, new Random(seed));
    }

    @Test
    void exactlyOneSingletonDoesNotCrashAndIsMergedIntoTheLargestClass() {
        // Reference bug (anchor §11.2 #11): labels A×10, B×5, C×1 made a one-member "others" class.
        int[] labels = new int[16];
        Arrays.fill(labels, 0, 10, 0);
        Arrays.fill(labels, 10, 15, 1);
        labels[15] = 2;
        int[] effective = StratifiedSplitter.effectiveLabels(IntStream.range(0, 16).toArray(), i -> labels[i]);
        assertThat(effective[15]).isEqualTo(0);
        StratifiedSplitter.Result result = split(labels, 4, 1);
        assertThat(result.method()).isEqualTo(StratifiedSplitter.Method.STRATIFIED);
        assertThat(result.test()).hasSize(4);
        assertThat(result.rest()).hasSize(12);
    }

    @Test
    void severalSingletonsBecomeOthers() {
        int[] labels = {0, 0, 0, 0, 1, 2, 3};
        int[] effective = StratifiedSplitter.effectiveLabels(IntStream.range(0, 7).toArray(), i -> labels[i]);
        assertThat(effective).containsExactly(0, 0, 0, 0, -1, -1, -1);
    }

    @Test
    void stratifiedKeepsProportions() {
        int[] labels = new int[100];
        Arrays.fill(labels, 0, 60, 0);
        Arrays.fill(labels, 60, 90, 1);
        Arrays.fill(labels, 90, 100, 2);
        StratifiedSplitter.Result result = split(labels, 20, 7);
        long a = Arrays.stream(result.test()).filter(i -> labels[i] == 0).count();
        long b = Arrays.stream(result.test()).filter(i -> labels[i] == 1).count();
        long c = Arrays.stream(result.test()).filter(i -> labels[i] == 2).count();
        assertThat(new long[] {a, b, c}).containsExactly(12, 6, 2);
        assertThat(IntStream.concat(Arrays.stream(result.test()), Arrays.stream(result.rest())).sorted().toArray())
                .containsExactly(IntStream.range(0, 100).toArray());
    }

    @Test
    void fallsBackToRandomWhenTestSizeIsBelowTheClassCount() {
        int[] labels = {0, 0, 1, 1, 2, 2, 3, 3};
        StratifiedSplitter.Result result = split(labels, 2, 3);
        assertThat(result.method()).isEqualTo(StratifiedSplitter.Method.RANDOM);
        assertThat(result.test()).hasSize(2);
    }

    @Test
    void degenerateInputsNeverThrow() {
        assertThat(split(new int[0], 5, 1).test()).isEmpty();
        assertThat(split(new int[] {4}, 5, 1).test()).hasSize(1);
        assertThat(split(new int[] {1, 2}, 0, 1).rest()).hasSize(2);
    }

    @Test
    void sameSeedSameSplit() {
        int[] labels = IntStream.range(0, 50).map(i -> i % 3).toArray();
        assertThat(split(labels, 10, 42).test()).containsExactly(split(labels, 10, 42).test());
        assertThat(split(labels, 10, 42).test()).isNotEqualTo(split(labels, 10, 43).test());
    }
}
