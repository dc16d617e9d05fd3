package dev.flywheel.emulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.QueryParams;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NeMo's list envelope (nemo-api.md §1.4): {@code filter[field]=value} deep-object filters (dotted fields reach into
 * nested objects), {@code sort} with {@code -} for descending, 1-based {@code page} and {@code page_size}
 * (default 1000, as observed on {@code GET /v1/models}).
 */
public final class ListEnvelope {
    public static final int DEFAULT_PAGE_SIZE = 1000;

    private ListEnvelope() {}

    public static ObjectNode of(List<? extends JsonNode> items, QueryParams q) {
        Map<String, String> filters = new LinkedHashMap<>();
        for (String name : q.names()) {
            if (name.startsWith("filter[") && name.endsWith("]")) {
                filters.put(name.substring(7, name.length() - 1), q.get(name));
            }
        }
        List<JsonNode> kept = new ArrayList<>();
        for (JsonNode item : items) {
            boolean ok = true;
            for (Map.Entry<String, String> f : filters.entrySet()) {
                JsonNode v = at(item, f.getKey());
                if (v == null || v.isNull() || !(v.isValueNode() ? v.asText() : Json.write(v)).equals(f.getValue())) {
                    ok = false;
                    break;
                }
            }
            if (ok) {
                kept.add(item);
            }
        }
        String sort = q.get("sort");
        if (sort != null && !sort.isBlank()) {
            boolean desc = sort.startsWith("-");
            String field = desc ? sort.substring(1) : sort;
            Comparator<JsonNode> cmp = Comparator.comparing(n -> {
                JsonNode v = at(n, field);
                return v == null || v.isNull() ? "" : v.asText();
            });
            kept.sort(desc ? cmp.reversed() : cmp);
        }
        int page = parsePositive(q, "page", 1);
        int pageSize = parsePositive(q, "page_size", DEFAULT_PAGE_SIZE);
        int from = Math.min(kept.size(), (page - 1) * pageSize);
        int to = Math.min(kept.size(), from + pageSize);
        List<JsonNode> slice = kept.subList(from, to);

        ObjectNode out = Json.obj();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        slice.forEach(data::add);
        ObjectNode p = out.putObject("pagination");
        p.put("page", page);
        p.put("page_size", pageSize);
        p.put("current_page_size", slice.size());
        p.put("total_pages", Math.max(1, (kept.size() + pageSize - 1) / pageSize));
        p.put("total_results", kept.size());
        if (sort != null) {
            out.put("sort", sort);
        } else {
            out.putNull("sort");
        }
        ObjectNode f = out.putObject("filter");
        filters.forEach(f::put);
        return out;
    }

    private static int parsePositive(QueryParams q, String name, int dflt) {
        String v = q.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            int i = Integer.parseInt(v);
            if (i >= 1) {
                return i;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the 422
        }
        throw ApiException.unprocessable(List.of("query", name), "Input should be a valid integer greater than 0",
                "int_parsing");
    }

    static JsonNode at(JsonNode node, String dotted) {
        JsonNode cur = node;
        for (String part : dotted.split("\\.")) {
            if (cur == null) {
                return null;
            }
            cur = cur.get(part);
        }
        return cur;
    }
}
