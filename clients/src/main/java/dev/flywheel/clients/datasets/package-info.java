/**
 * The dataset step of a Flywheel job: {@link dev.flywheel.clients.datasets.DatasetPipeline} exports a workload's
 * logs from Elasticsearch, builds the evaluation, ICL and training datasets with
 * {@link dev.flywheel.core.dataset.DatasetBuilder}, and publishes them to the NeMo Data Store and Entity Store
 * idempotently ({@link dev.flywheel.clients.datasets.DatasetOutcome} reports what was made).
 * {@link dev.flywheel.clients.datasets.SemanticSimilarityIcl} is the {@code semantic_similarity} ICL strategy
 * (embeddings + a temporary Elasticsearch kNN index).
 */
package dev.flywheel.clients.datasets;
