package dev.flywheel.clients.logs;

/** Lets the benchmark (another package) build exactly the exporter's search body without making it public API. */
public final class BenchAccess {

    private BenchAccess() {
    }

    public static byte[] searchBody(ExportQuery query, String pitId, int size, byte[] searchAfter) {
        return LogExporter.searchBody(query, pitId, size, searchAfter);
    }
}
