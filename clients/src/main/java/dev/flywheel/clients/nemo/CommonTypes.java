package dev.flywheel.clients.nemo;

import java.util.List;
import java.util.Map;

/**
 * Wire types shared by the NeMo services: the list envelope, pagination, delete answers (nemo-api.md §1.4, §2.1).
 * Records ignore fields they do not name (NeMo adds fields between releases) and reject answers that lack a field
 * we rely on ({@link #require}).
 */
public final class CommonTypes {

    private CommonTypes() {
    }

    /** Throws when a field we need is missing; Jackson reports it as an unreadable answer. */
    static <T> T require(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("missing required field '" + field + "'");
        }
        return value;
    }

    static <T> List<T> list(List<T> value) {
        return value == null ? List.of() : value;
    }

    static <K, V> Map<K, V> map(Map<K, V> value) {
        return value == null ? Map.of() : value;
    }

    /** {@code {"object": "list", "data": [...], "pagination": {...}, "sort": ..., "filter": {...}}}. */
    public record Page<T>(String object, List<T> data, Pagination pagination, String sort, Map<String, Object> filter) {
        public Page {
            data = list(require(data, "data"));
            filter = map(filter);
        }

        /** Whether a later page may hold more (pagination absent: stop when a page is empty). */
        public boolean hasMore() {
            if (data.isEmpty()) {
                return false;
            }
            return pagination == null || pagination.page() < pagination.totalPages();
        }
    }

    public record Pagination(int page, int pageSize, int currentPageSize, int totalPages, int totalResults) {
    }

    /** {@code {"id"?, "deleted_at"?, "message"?}}; some deletes answer 204 with no body. */
    public record DeleteResponse(String id, String deletedAt, String message) {
    }

    /**
     * The answer to an idempotent create: the resource, and whether it was already there ("adopted") rather than
     * made by this call.
     */
    public record Created<T>(T value, boolean adopted) {
    }
}
