package dev.flywheel.core.dataset;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Second-pass access to records: reads a row's bytes back from the spool, parses and normalises them. */
final class SpooledRecords {

    private final Spool spool;
    private final RecordIndex index;
    private final LabelDictionary labels;
    private final RecordFormatter formatter;

    SpooledRecords(Spool spool, RecordIndex index, LabelDictionary labels, RecordFormatter formatter) {
        this.spool = spool;
        this.index = index;
        this.labels = labels;
        this.formatter = formatter;
    }

    /** The normalised record of a row (tool-call arguments parsed when the job says so). */
    ObjectNode read(int row) {
        byte[] bytes = spool.read(index.offset(row), index.length(row));
        try {
            return formatter.normalize(DatasetJson.parse(bytes));
        } catch (IOException e) {
            // The same bytes parsed in the first pass; failing now means the spool was damaged.
            throw new UncheckedIOException("spooled record " + row + " no longer parses", e);
        }
    }

    /** A row's record as spooled: the exported JSON bytes. */
    byte[] bytes(int row) {
        return spool.read(index.offset(row), index.length(row));
    }

    /** Bytes of a row's spooled record. */
    int length(int row) {
        return index.length(row);
    }

    String label(int row) {
        return labels.name(index.label(row));
    }

    long recordId(int row) {
        return index.fetchIndex(row);
    }

    /** The given rows (the train split) as an ICL pool. */
    IclPool pool(int[] rows) {
        return new IclPool() {
            @Override
            public int size() {
                return rows.length;
            }

            @Override
            public long recordId(int position) {
                return SpooledRecords.this.recordId(rows[position]);
            }

            @Override
            public String toolLabel(int position) {
                return label(rows[position]);
            }

            @Override
            public ObjectNode record(int position) {
                return read(rows[position]);
            }
        };
    }
}
