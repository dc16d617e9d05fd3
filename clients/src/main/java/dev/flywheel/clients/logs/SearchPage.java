package dev.flywheel.clients.logs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * One page of a point-in-time search, parsed with a streaming parser that never builds object trees: each hit's
 * {@code _source} is located as a byte range of the response body (the parser only tokenises it, skipping string
 * contents), and only the {@code sort} values are decoded. A record is copied out of the body when it is delivered,
 * so a page costs about its response size in memory. This matters because parsing pages is about half the cost of a
 * scan on this hardware.
 */
final class SearchPage {

    private static final JsonFactory FACTORY = new JsonFactory();

    final byte[] body;
    final String pitId;
    final int size;
    /** The {@code size} the page was requested with: fewer hits mean it is the last page. */
    final int requested;
    private final int[] sourceStart;
    private final int[] sourceEnd;
    private final long[] timestamps;
    /** The last hit's {@code sort} array as raw JSON, for the next request's {@code search_after}; null if empty. */
    final byte[] lastSort;

    private SearchPage(byte[] body, String pitId, int size, int requested, int[] sourceStart, int[] sourceEnd, long[] timestamps,
                       byte[] lastSort) {
        this.body = body;
        this.pitId = pitId;
        this.size = size;
        this.requested = requested;
        this.sourceStart = sourceStart;
        this.sourceEnd = sourceEnd;
        this.timestamps = timestamps;
        this.lastSort = lastSort;
    }

    /** A copy of hit {@code i}'s {@code _source} JSON. */
    byte[] source(int i) {
        return Arrays.copyOfRange(body, sourceStart[i], sourceEnd[i]);
    }

    int sourceLength(int i) {
        return sourceEnd[i] - sourceStart[i];
    }

    /** Hit {@code i}'s first sort value: its {@code timestamp} in epoch millis. */
    long timestamp(int i) {
        return timestamps[i];
    }

    /** Where the next page starts: the point-in-time id the response carries (null: none) and its last sort values. */
    record Cursor(String pitId, byte[] lastSort) {}

    private static final byte[] SORT_KEY = "\"sort\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * The cursor of a response without parsing its hits: the pit id from the fields before {@code hits}, the last
     * hit's sort values from the last {@code "sort":[} of the body (Elasticsearch writes a hit's {@code sort} after
     * its {@code _source}, and JSON strings cannot contain that byte sequence since their quotes are escaped).
     * A guess to be confirmed by {@link #parse}; null when the body does not look as expected.
     */
    static Cursor peekCursor(byte[] body) {
        int key = lastIndexOf(body, SORT_KEY);
        if (key < 0) {
            return null;
        }
        int start = key + SORT_KEY.length - 1;
        int end = start;
        while (end < body.length && body[end] != ']') {
            end++;
        }
        if (end == body.length) {
            return null;
        }
        String pitId = null;
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME && !"hits".equals(p.currentName())) {
                    String field = p.currentName();
                    p.nextToken();
                    if ("pit_id".equals(field)) {
                        pitId = p.getText();
                    }
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return new Cursor(pitId, Arrays.copyOfRange(body, start, end + 1));
    }

    private static int lastIndexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = haystack.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Parses a {@code _search} response body.
     *
     * @throws IllegalStateException if shards failed or the search timed out (the page would be incomplete)
     */
    static SearchPage parse(byte[] body, int expectedHits) {
        int capacity = Math.max(expectedHits, 16);
        int[] starts = new int[capacity];
        int[] ends = new int[capacity];
        long[] timestamps = new long[capacity];
        int lastSortStart = -1;
        int lastSortEnd = -1;
        String pitId = null;
        int n = 0;
        try (JsonParser p = FACTORY.createParser(body)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "pit_id" -> pitId = p.getText();
                    case "timed_out" -> {
                        if (value == JsonToken.VALUE_TRUE) {
                            throw new IllegalStateException("the export search timed out; results would be partial");
                        }
                    }
                    case "_shards" -> checkShards(p);
                    case "hits" -> {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String hitsField = p.currentName();
                            p.nextToken();
                            if (!"hits".equals(hitsField)) {
                                p.skipChildren();
                                continue;
                            }
                            expect(p.currentToken(), JsonToken.START_ARRAY);
                            while (p.nextToken() == JsonToken.START_OBJECT) {
                                if (n == starts.length) {
                                    starts = Arrays.copyOf(starts, n * 2);
                                    ends = Arrays.copyOf(ends, n * 2);
                                    timestamps = Arrays.copyOf(timestamps, n * 2);
                                }
                                starts[n] = -1;
                                while (p.nextToken() == JsonToken.FIELD_NAME) {
                                    String hitField = p.currentName();
                                    JsonToken t = p.nextToken();
                                    if ("_source".equals(hitField)) {
                                        starts[n] = (int) p.currentTokenLocation().getByteOffset();
                                        p.skipChildren();
                                        ends[n] = (int) p.currentTokenLocation().getByteOffset() + 1;
                                    } else if ("sort".equals(hitField)) {
                                        lastSortStart = (int) p.currentTokenLocation().getByteOffset();
                                        expect(t, JsonToken.START_ARRAY);
                                        p.nextToken();
                                        timestamps[n] = p.currentToken().isNumeric() ? p.getLongValue() : Long.MIN_VALUE;
                                        while (p.nextToken() != JsonToken.END_ARRAY) {
                                            p.skipChildren();
                                        }
                                        lastSortEnd = (int) p.currentTokenLocation().getByteOffset() + 1;
                                    } else {
                                        p.skipChildren();
                                    }
                                }
                                if (starts[n] < 0) {
                                    throw new IllegalStateException("a hit without _source (is _source disabled?)");
                                }
                                n++;
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable _search response", e);
        }
        byte[] lastSort = lastSortStart < 0 ? null : Arrays.copyOfRange(body, lastSortStart, lastSortEnd);
        return new SearchPage(body, pitId, n, expectedHits, starts, ends, timestamps, lastSort);
    }

    private static void checkShards(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if ("failed".equals(name) && p.getIntValue() > 0) {
                throw new IllegalStateException(p.getIntValue() + " shard(s) failed during the export search");
            }
            p.skipChildren();
        }
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw new IllegalStateException("unexpected _search response: " + actual + " where " + expected
                    + " was expected");
        }
    }
}
