package dev.flywheel.emulator.customizer;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * LoRA adapters produced by completed customization jobs: what they were trained on (which sets their skill) and
 * when they finished (which, with a NIM of the base model, decides when the proxy starts serving them).
 */
public final class AdapterRegistry {
    /** An adapter addressed by {@code ns/name@cust-<id>}. */
    public record Adapter(String id, String baseModel, long trainingRecords, int epochs, long completedAtMillis) {}

    private final Map<String, Adapter> adapters = new ConcurrentHashMap<>();

    public void register(Adapter a) {
        adapters.put(a.id(), a);
    }

    /** Called when the adapter's Entity Store model is deleted: NIMs stop serving it. */
    public void remove(String id) {
        adapters.remove(id);
    }

    public Optional<Adapter> find(String id) {
        return Optional.ofNullable(adapters.get(id));
    }

    public List<Adapter> all() {
        return List.copyOf(adapters.values());
    }
}
