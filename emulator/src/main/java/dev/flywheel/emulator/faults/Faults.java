package dev.flywheel.emulator.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The live fault configuration, changed at runtime by tests ({@code emulator.faults().set(...)}) or the admin
 * endpoint. Rule chances are drawn from a seeded generator and {@code count} budgets are consumed here, so a given
 * seed and request sequence injects the same faults.
 */
public final class Faults {
    /** The faults one request suffers: a total delay and at most one action (error, lost answer, hang). */
    public record Decision(long latencyMs, FaultRule action) {
        public static final Decision NONE = new Decision(0, null);
    }

    private final Random random;
    private FaultPlan plan = FaultPlan.none();
    private int[] used = new int[0];

    public Faults(long seed, FaultPlan initial) {
        this.random = new Random(seed ^ 0xFA17L);
        set(initial);
    }

    public synchronized FaultPlan plan() {
        return plan;
    }

    public synchronized void set(FaultPlan p) {
        plan = p == null ? FaultPlan.none() : p;
        used = new int[plan.rules().size()];
    }

    public void clear() {
        set(FaultPlan.none());
    }

    /** Adds one rule to the current plan (resets the other rules' counts). */
    public synchronized void add(FaultRule rule) {
        set(plan.withRule(rule));
    }

    public synchronized Decision decide(String host, String method, String path) {
        long latency = 0;
        FaultRule action = null;
        List<FaultRule> rules = plan.rules();
        for (int i = 0; i < rules.size(); i++) {
            FaultRule r = rules.get(i);
            if (!r.matches(host, method, path) || (r.count() >= 0 && used[i] >= r.count())) {
                continue;
            }
            if (r.kind() != FaultRule.Kind.LATENCY && action != null) {
                continue;
            }
            if (r.rate() < 1.0 && random.nextDouble() >= r.rate()) {
                continue;
            }
            used[i]++;
            if (r.kind() == FaultRule.Kind.LATENCY) {
                latency += r.latencyMs();
            } else {
                action = r;
            }
        }
        return latency == 0 && action == null ? Decision.NONE : new Decision(latency, action);
    }

    /** Remaining budget per rule (-1 = unlimited), for the admin view. */
    public synchronized List<Integer> remaining() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < plan.rules().size(); i++) {
            int c = plan.rules().get(i).count();
            out.add(c < 0 ? -1 : Math.max(0, c - used[i]));
        }
        return out;
    }
}
