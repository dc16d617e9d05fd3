package dev.flywheel.core.dataset;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Interns tool labels (first tool name, or {@code no_tool}) as small ints so the record index stores four bytes
 * per record instead of a string. Grows with the number of distinct tools, not with the number of records.
 */
final class LabelDictionary {

    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> names = new ArrayList<>();

    int idOf(String label) {
        return ids.computeIfAbsent(label, l -> {
            names.add(l);
            return names.size() - 1;
        });
    }

    String name(int id) {
        return names.get(id);
    }

    int size() {
        return names.size();
    }
}
