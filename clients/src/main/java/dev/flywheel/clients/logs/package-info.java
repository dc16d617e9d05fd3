/**
 * The Elasticsearch side of Flywheel: the production log record format and its index template
 * ({@link dev.flywheel.clients.logs.LogIndex}), a non-blocking logger for producing apps
 * ({@link dev.flywheel.clients.logs.InteractionLogger}), a JSONL bulk loader
 * ({@link dev.flywheel.clients.logs.LogLoader}, CLI {@link dev.flywheel.clients.logs.LoadLogsCommand}) and the
 * streaming point-in-time exporter the dataset stage reads from ({@link dev.flywheel.clients.logs.LogExporter}).
 * <p>Everything talks to Elasticsearch through the low-level {@code RestClient} and Jackson: the export hot path
 * slices each hit's {@code _source} out of the response bytes instead of building object trees.
 */
package dev.flywheel.clients.logs;
