package dev.flywheel.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SamplerAndWorkloadTest {

    @Test
    void sampleIsSeededWithoutReplacement() {
        int[] survivors = IntStream.range(0, 1000).toArray();
        int[] a = Sampler.sample(survivors, 100, new Random(5));
        assertThat(a).hasSize(100).doesNotHaveDuplicates();
        assertThat(Sampler.sample(survivors, 100, new Random(5))).containsExactly(a);
    }

    @Test
    void unsetLimitKeepsEverySurvivor() {
        // Reference bug (anchor §11.2 #10): limit null crashed; here it means "no limit".
        int[] sample = Sampler.sample(IntStream.range(0, 10).toArray(), null, new Random(1));
        assertThat(Arrays.stream(sample).sorted().toArray()).containsExactly(IntStream.range(0, 10).toArray());
    }

    @Test
    void oneStrayToolRecordDoesNotFlipAGenericWorkload() {
        // Reference bug (anchor §11.2 #12).
        assertThat(WorkloadClassifier.decide(1, 500, 0.5).type()).isEqualTo(WorkloadType.GENERIC);
        assertThat(WorkloadClassifier.decide(250, 500, 0.5).type()).isEqualTo(WorkloadType.TOOL_CALLING);
        assertThat(WorkloadClassifier.decide(0, 0, 0.5).type()).isEqualTo(WorkloadType.GENERIC);
    }

    @Test
    void uniformBinsMatchTheReference() {
        assertThat(UniformCandidateProvider.uniformBins(3, 2)).containsExactly(2, 1);
        assertThat(UniformCandidateProvider.uniformBins(3, 5)).containsExactly(1, 1, 1, 0, 0);
        assertThat(UniformCandidateProvider.uniformBins(3, 0)).isEmpty();
    }

    @Test
    void tokenCountUsesCl100kPlusTwentyPercent() {
        assertThat(TokenCounter.estimate("hello world")).isEqualTo(2); // 2 tokens, buffer 2*20/100 = 0
        assertThat(TokenCounter.estimate("hello world ".repeat(10).strip())).isEqualTo(20 + 4);
        assertThat(TokenCounter.estimate("")).isZero();
        assertThat(TokenCounter.estimate("a <|endoftext|> b")).as("word-count fallback").isEqualTo(3);
    }
}
