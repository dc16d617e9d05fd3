package dev.flywheel.core.dataset;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code uniform_distribution}: the same seeded example set for every evaluation record.
 *
 * <p>Tool-calling: the pool is grouped by first tool name (groups in order of first appearance in the train
 * split) and {@code max_examples} is spread over the groups with the reference's {@code uniform_bins} (floor/ceil
 * shares; with more tools than slots the trailing tools get none). Generic: {@code max_examples} from the whole
 * pool. Unlike the reference, which always took the shortest records (anchor §11.2 #14), the members of each
 * group are drawn at random from the job seed; shortest-first ordering still happens later, in the fitting.
 */
public final class UniformCandidateProvider implements IclCandidateProvider {

    /** The factory to register for {@link IclSettings#UNIFORM}. */
    public static final Factory FACTORY = UniformCandidateProvider::new;

    private final List<Integer> candidates;

    private UniformCandidateProvider(IclPool pool, WorkloadType workload, IclSettings settings, long seed) {
        Random random = SeededRandom.forStage(seed, "icl-uniform");
        int max = Math.max(0, settings.maxExamples());
        List<Integer> chosen = new ArrayList<>();
        if (workload == WorkloadType.TOOL_CALLING) {
            Map<String, List<Integer>> groups = new LinkedHashMap<>();
            for (int p = 0; p < pool.size(); p++) {
                groups.computeIfAbsent(pool.toolLabel(p), k -> new ArrayList<>()).add(p);
            }
            int[] bins = uniformBins(max, groups.size());
            int g = 0;
            for (List<Integer> group : groups.values()) {
                chosen.addAll(pick(group, bins[g++], random));
            }
        } else {
            List<Integer> all = new ArrayList<>(pool.size());
            for (int p = 0; p < pool.size(); p++) {
                all.add(p);
            }
            chosen.addAll(pick(all, max, random));
        }
        this.candidates = List.copyOf(chosen);
    }

    @Override
    public List<Integer> candidatesFor(ObjectNode evalRecord) {
        return candidates;
    }

    /** The reference's {@code uniform_bins}: {@code max} split over {@code tools}, the first ones get the remainder. */
    static int[] uniformBins(int max, int tools) {
        int[] bins = new int[tools];
        if (tools == 0) {
            return bins;
        }
        for (int i = 0; i < tools; i++) {
            bins[i] = max / tools + (i < max % tools ? 1 : 0);
        }
        return bins;
    }

    private static List<Integer> pick(List<Integer> group, int count, Random random) {
        int[] members = group.stream().mapToInt(Integer::intValue).toArray();
        int k = Math.min(count, members.length);
        List<Integer> picked = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(members.length - i);
            int t = members[i];
            members[i] = members[j];
            members[j] = t;
            picked.add(members[i]);
        }
        return picked;
    }
}
