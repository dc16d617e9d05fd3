package dev.flywheel.emulator.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.http.ApiException;
import dev.flywheel.emulator.http.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole fault configuration: request-level {@link FaultRule}s plus job-level faults — customization or
 * evaluation jobs failing when they reach a percentage, deployments and customization jobs stuck in {@code pending}
 * with {@code NotEnoughResources}. Immutable; {@link Faults} holds the live one.
 *
 * <p>JSON form (PUT {@code /emulator/faults}):
 * <pre>{"rules": [{"kind": "error", "method": "POST", "path": "/v1/evaluation/jobs", "status": 503, "count": 1}],
 *  "customization_fail_at_percent": 50, "evaluation_fail_at_percent": null,
 *  "deployment_stuck_pending": false, "customization_stuck_pending": false}</pre>
 */
public record FaultPlan(List<FaultRule> rules, Integer customizationFailAtPercent, Integer evaluationFailAtPercent,
                        boolean deploymentStuckPending, boolean customizationStuckPending) {

    public FaultPlan {
        rules = List.copyOf(rules);
    }

    public static FaultPlan none() {
        return new FaultPlan(List.of(), null, null, false, false);
    }

    public FaultPlan withRule(FaultRule r) {
        List<FaultRule> l = new ArrayList<>(rules);
        l.add(r);
        return new FaultPlan(l, customizationFailAtPercent, evaluationFailAtPercent, deploymentStuckPending,
                customizationStuckPending);
    }

    public FaultPlan withCustomizationFailAt(Integer percent) {
        return new FaultPlan(rules, percent, evaluationFailAtPercent, deploymentStuckPending,
                customizationStuckPending);
    }

    public FaultPlan withEvaluationFailAt(Integer percent) {
        return new FaultPlan(rules, customizationFailAtPercent, percent, deploymentStuckPending,
                customizationStuckPending);
    }

    public FaultPlan withDeploymentStuckPending(boolean stuck) {
        return new FaultPlan(rules, customizationFailAtPercent, evaluationFailAtPercent, stuck,
                customizationStuckPending);
    }

    public FaultPlan withCustomizationStuckPending(boolean stuck) {
        return new FaultPlan(rules, customizationFailAtPercent, evaluationFailAtPercent, deploymentStuckPending,
                stuck);
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.obj();
        ArrayNode arr = n.putArray("rules");
        rules.forEach(r -> arr.add(r.toJson()));
        putInt(n, "customization_fail_at_percent", customizationFailAtPercent);
        putInt(n, "evaluation_fail_at_percent", evaluationFailAtPercent);
        n.put("deployment_stuck_pending", deploymentStuckPending);
        n.put("customization_stuck_pending", customizationStuckPending);
        return n;
    }

    public static FaultPlan fromJson(JsonNode n) {
        List<FaultRule> rules = new ArrayList<>();
        JsonNode arr = n.path("rules");
        for (int i = 0; i < arr.size(); i++) {
            rules.add(FaultRule.fromJson(arr.get(i), i));
        }
        return new FaultPlan(rules, percent(n, "customization_fail_at_percent"),
                percent(n, "evaluation_fail_at_percent"), n.path("deployment_stuck_pending").asBoolean(false),
                n.path("customization_stuck_pending").asBoolean(false));
    }

    private static Integer percent(JsonNode n, String f) {
        JsonNode v = n.get(f);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToInt() || v.asInt() < 0 || v.asInt() > 100) {
            throw ApiException.unprocessable(List.of("body", f), "must be an integer in [0, 100]", "value_error");
        }
        return v.asInt();
    }

    private static void putInt(ObjectNode n, String f, Integer v) {
        if (v == null) {
            n.putNull(f);
        } else {
            n.put(f, v);
        }
    }
}
