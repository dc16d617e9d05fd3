package dev.flywheel.core.dataset;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Chooses, for one evaluation record, the ICL examples worth offering, best first. The token-budget fitting and
 * the injection that follow are the same for every strategy ({@link IclInjector}).
 *
 * <p>{@link UniformCandidateProvider} implements {@code uniform_distribution}. {@code semantic_similarity}
 * (embeddings + Elasticsearch kNN, anchor §5.7) plugs in here: its factory indexes the pool's last user
 * messages, and {@link #candidatesFor} runs the kNN query and applies the relevance/coverage mix.
 */
public interface IclCandidateProvider {

    /**
     * Pool positions ({@link IclPool}) ranked best first; may be empty. The list is a candidate set: the budget
     * fitting groups it by tool (tool-calling workloads), orders each group by size, and may use fewer.
     *
     * @param evalRecord the evaluation record (already in evaluator shape), not to be mutated
     */
    List<Integer> candidatesFor(ObjectNode evalRecord);

    /** Creates a provider for one dataset build. */
    @FunctionalInterface
    interface Factory {
        IclCandidateProvider create(IclPool pool, WorkloadType workload, IclSettings settings, long seed);
    }
}
