package dev.flywheel.clients.logs;

/**
 * Field names of a log record, one document per LLM interaction:
 * <pre>{@code
 * {"client_id": "...", "workload_id": "...", "timestamp": 1718000000123,
 *  "request": {OpenAI chat-completions request}, "response": {OpenAI ChatCompletion},
 *  ...any other top-level field (free-form metadata, stored but not indexed)}
 * }</pre>
 */
public final class LogFields {

    public static final String CLIENT_ID = "client_id";
    public static final String WORKLOAD_ID = "workload_id";
    /** Unix epoch in milliseconds (seconds are accepted on input and converted, see {@link Timestamps}). */
    public static final String TIMESTAMP = "timestamp";
    public static final String REQUEST = "request";
    public static final String RESPONSE = "response";

    /** Default index name, as in the reference. */
    public static final String DEFAULT_INDEX = "flywheel";

    private LogFields() {
    }
}
