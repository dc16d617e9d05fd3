package dev.flywheel.clients.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.clients.datasets.KnnIndex.Hit;
import dev.flywheel.core.dataset.WorkloadType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The relevance/coverage mix and the user-text extraction of {@link SemanticSimilarityIcl}, without servers. */
class SemanticSelectionTest {

    private static final List<Hit> HITS = List.of(
            new Hit(10, "refund", 0.99), new Hit(11, "refund", 0.98), new Hit(12, "refund", 0.97),
            new Hit(13, "refund", 0.96), new Hit(20, "status", 0.90), new Hit(30, "address", 0.80),
            new Hit(21, "status", 0.70));

    @Test
    void toolCallingTakesTheMostRelevantThenCoversOtherTools() {
        // int(3 x 0.7) = 2 by relevance, then the best hit of a tool not yet covered
        assertThat(SemanticSimilarityIcl.select(HITS, WorkloadType.TOOL_CALLING, 3, 0.7)).containsExactly(10, 11, 20);
        // int(5 x 0.4) = 2 by relevance, then status and address for coverage, then the best remaining score
        assertThat(SemanticSimilarityIcl.select(HITS, WorkloadType.TOOL_CALLING, 5, 0.4))
                .containsExactly(10, 11, 20, 30, 12);
        // ratio 1: pure relevance; ratio 0: coverage first
        assertThat(SemanticSimilarityIcl.select(HITS, WorkloadType.TOOL_CALLING, 3, 1.0)).containsExactly(10, 11, 12);
        assertThat(SemanticSimilarityIcl.select(HITS, WorkloadType.TOOL_CALLING, 3, 0.0)).containsExactly(10, 20, 30);
    }

    @Test
    void sortsByScoreAndCopesWithFewHits() {
        List<Hit> shuffled = List.of(HITS.get(5), HITS.get(0), HITS.get(4));
        assertThat(SemanticSimilarityIcl.select(shuffled, WorkloadType.TOOL_CALLING, 5, 0.7)).containsExactly(10, 20, 30);
        assertThat(SemanticSimilarityIcl.select(List.of(), WorkloadType.TOOL_CALLING, 3, 0.7)).isEmpty();
        assertThat(SemanticSimilarityIcl.select(HITS, WorkloadType.TOOL_CALLING, 0, 0.7)).isEmpty();
    }

    @Test
    void genericTakesHitsInScoreOrder() {
        assertThat(SemanticSimilarityIcl.select(HITS, WorkloadType.GENERIC, 3, 0.7)).containsExactly(10, 11, 12);
    }

    @Test
    void lastUserMessageTextIsWhatGetsEmbedded() throws Exception {
        ObjectMapper m = new ObjectMapper();
        assertThat(SemanticSimilarityIcl.lastUserText(m.readTree("""
                {"request": {"messages": [{"role": "user", "content": "first"}, {"role": "assistant", "content": "x"},
                 {"role": "user", "content": "second"}, {"role": "tool", "content": "y"}]}}"""))).isEqualTo("second");
        assertThat(SemanticSimilarityIcl.lastUserText(m.readTree("""
                {"request": {"messages": [{"role": "user", "content": [{"type": "text", "text": "a"},
                 {"type": "image_url", "image_url": {"url": "u"}}, {"type": "text", "text": "b"}]}]}}""")))
                .isEqualTo("a\nb");
        assertThat(SemanticSimilarityIcl.lastUserText(m.readTree("""
                {"request": {"messages": [{"role": "system", "content": "s"}]}}"""))).isEmpty();
        assertThat(SemanticSimilarityIcl.lastUserText(m.readTree("{}"))).isEmpty();
    }
}
