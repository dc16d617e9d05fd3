package dev.flywheel.emulator.nim;

import dev.flywheel.emulator.EmulatorContext;
import dev.flywheel.emulator.customizer.AdapterRegistry;
import dev.flywheel.emulator.dms.Deployments;
import dev.flywheel.emulator.entity.EntityStore;
import dev.flywheel.emulator.sim.SkillModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which model ids the NIM proxy serves right now, computed from the deployments and adapters rather than stored, so
 * visibility rules hold by construction: a base model appears a sync lag after its deployment is ready; a LoRA adapter
 * appears a sync lag after both its training completed and a LoRA-capable NIM of its base model is ready, and only
 * while that NIM and the adapter's Entity Store model exist (nemo-api.md §4.6, §5.3, §7.8).
 */
public final class ModelCatalog {
    /** One entry of {@code GET {nim}/v1/models}. {@code parent} is the base model for adapters, else null. */
    public record ServedModel(String id, long createdEpochSeconds, String parent) {}

    private final EmulatorContext ctx;
    private final Deployments deployments;
    private final AdapterRegistry adapters;
    private final EntityStore entities;

    public ModelCatalog(EmulatorContext ctx, Deployments deployments, AdapterRegistry adapters, EntityStore entities) {
        this.ctx = ctx;
        this.deployments = deployments;
        this.adapters = adapters;
        this.entities = entities;
    }

    public List<ServedModel> served() {
        long now = ctx.clock().nowMillis();
        long adapterLag = ctx.clock().realMillis(ctx.timings().adapterSync());
        Map<String, ServedModel> out = new LinkedHashMap<>();
        List<Deployments.Served> ready = deployments.served();
        for (Deployments.Served s : ready) {
            if (now >= s.visibleAtMillis()) {
                out.putIfAbsent(s.modelId(), new ServedModel(s.modelId(), s.readyAtMillis() / 1000, null));
            }
        }
        for (AdapterRegistry.Adapter a : adapters.all()) {
            if (!entities.models().findRef(a.id()).isPresent()) {
                continue;
            }
            for (Deployments.Served s : ready) {
                if (s.loraEnabled() && s.modelId().equals(a.baseModel())
                        && now >= Math.max(a.completedAtMillis(), s.readyAtMillis()) + adapterLag) {
                    out.putIfAbsent(a.id(), new ServedModel(a.id(), a.completedAtMillis() / 1000, a.baseModel()));
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    public boolean isServed(String modelId) {
        return served().stream().anyMatch(m -> m.id().equals(modelId));
    }

    /** Skill of a model id: adapters get their base model's skill raised by training, others their size's skill. */
    public double skill(String modelId) {
        return adapters.find(modelId)
                .map(a -> SkillModel.withLora(SkillModel.base(a.baseModel()), a.trainingRecords(), a.epochs()))
                .orElseGet(() -> SkillModel.base(modelId));
    }
}
