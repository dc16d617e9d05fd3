package dev.flywheel.core.dataset;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The ICL example pool — the train split — as a read-only view for {@link IclCandidateProvider}s. Records are
 * read from the spool on demand (never all at once) and come normalised: tool-call arguments are objects when
 * the job parses them, as the reference's pool records were.
 */
public interface IclPool {

    /** Number of pool records; positions are {@code 0..size()-1}. */
    int size();

    /** Stable id of the record at a position: its index in the fetched stream (0 = newest). */
    long recordId(int position);

    /** First tool name of the record's response, or {@code no_tool}. */
    String toolLabel(int position);

    /** The record itself, read from the spool; callers must not keep many of them. */
    ObjectNode record(int position);
}
