package dev.flywheel.emulator.state;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.emulator.http.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every resource a client ever created through the emulator, and whether it is still live. Tests use it to prove a
 * client leaks nothing (all live entries are expected) and creates nothing twice (no {@code key} created twice).
 * Resources the emulator creates on its own behalf (Helm-provisioned targets, inline eval configs) are not recorded,
 * except the Customizer's output model, which a client is expected to clean up.
 */
public final class Ledger {
    /** One recorded resource. {@code key} is the client-visible identity, e.g. {@code ns/name} or a job id. */
    public record Entry(String kind, String id, String key, String createdAt, String deletedAt) {
        public boolean live() {
            return deletedAt == null;
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    public synchronized void created(String kind, String id, String key) {
        entries.add(new Entry(kind, id, key, Timestamps.now(), null));
    }

    /** Marks the live entry of this kind and id as deleted; unknown ids are ignored. */
    public synchronized void deleted(String kind, String id) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (e.kind().equals(kind) && e.id().equals(id) && e.live()) {
                entries.set(i, new Entry(e.kind(), e.id(), e.key(), e.createdAt(), Timestamps.now()));
                return;
            }
        }
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    public List<Entry> live() {
        return entries().stream().filter(Entry::live).toList();
    }

    /** Keys created more than once per kind (deleted-then-recreated counts too), with their counts. */
    public Map<String, Integer> duplicates() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Entry e : entries()) {
            counts.merge(e.kind() + " " + e.key(), 1, Integer::sum);
        }
        counts.values().removeIf(c -> c < 2);
        return counts;
    }

    /** JSON for {@code GET /emulator/ledger}, optionally narrowed to a kind and/or live entries only. */
    public ObjectNode toJson(String kind, Boolean liveOnly) {
        ObjectNode out = Json.obj();
        ArrayNode arr = out.putArray("resources");
        int live = 0;
        int total = 0;
        for (Entry e : entries()) {
            if (kind != null && !kind.equals(e.kind())) {
                continue;
            }
            if (liveOnly != null && liveOnly != e.live()) {
                continue;
            }
            total++;
            if (e.live()) {
                live++;
            }
            ObjectNode n = arr.addObject();
            n.put("kind", e.kind());
            n.put("id", e.id());
            n.put("key", e.key());
            n.put("created_at", e.createdAt());
            if (e.deletedAt() == null) {
                n.putNull("deleted_at");
            } else {
                n.put("deleted_at", e.deletedAt());
            }
            n.put("live", e.live());
        }
        out.put("total", total);
        out.put("live", live);
        ArrayNode dups = out.putArray("duplicates");
        duplicates().forEach((k, c) -> {
            if (kind == null || k.startsWith(kind + " ")) {
                int sp = k.indexOf(' ');
                dups.addObject().put("kind", k.substring(0, sp)).put("key", k.substring(sp + 1)).put("count", c);
            }
        });
        return out;
    }
}
