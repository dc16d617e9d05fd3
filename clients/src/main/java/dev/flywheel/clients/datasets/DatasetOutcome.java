package dev.flywheel.clients.datasets;

import dev.flywheel.clients.logs.ExportSummary;
import dev.flywheel.core.dataset.DatasetManifest;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * What one run of the dataset step produced and published.
 *
 * @param namespace the NeMo namespace ({@code nmp_namespace}) of the repos and dataset entities
 * @param from      the window's lower bound used (null: none)
 * @param to        the window's upper bound used: the given one, or "now" at the start of the run — pass it back
 *                  when resuming so that the same records are exported
 * @param export    what the export did (records, bytes, pages, the records' time span, whether it hit the cap)
 * @param manifest  the dataset builder's manifest: counts at every step, splits, labels, ICL choices, file hashes
 * @param datasets  the three published datasets, in the order eval, icl, train
 */
public record DatasetOutcome(String namespace, Instant from, Instant to, ExportSummary export,
                             DatasetManifest manifest, List<PublishedDataset> datasets) {

    public DatasetOutcome {
        datasets = List.copyOf(datasets);
    }

    /** The dataset of a kind ({@code eval}, {@code icl}, {@code train}). */
    public PublishedDataset dataset(String kind) {
        return datasets.stream().filter(d -> d.kind().equals(kind)).findFirst()
                .orElseThrow(() -> new NoSuchElementException(kind));
    }

    /** Whether this run changed nothing on the platform (a repeated step: every file and entity was in place). */
    public boolean unchanged() {
        return datasets.stream().allMatch(d -> d.repoAdopted() && d.registration() == Registration.UNCHANGED
                && d.files().stream().noneMatch(PublishedFile::uploaded));
    }

    /** How the Entity Store dataset came to be as it is. */
    public enum Registration {
        /** This run created it. */
        CREATED,
        /** It existed pointing elsewhere (or was created concurrently) and this run updated it. */
        UPDATED,
        /** It existed with the same {@code files_url}: nothing was written. */
        UNCHANGED
    }

    /**
     * One dataset: a Data Store repo plus its Entity Store registration.
     *
     * @param kind         {@code eval}, {@code icl} or {@code train}
     * @param name         the deterministic name {@code fw-<jobtag>-<kind>-a<attempt>}
     * @param filesUrl     {@code hf://datasets/<namespace>/<name>}: what the Customizer and the Entity Store use
     * @param records      JSONL lines over all files (train: train + validation)
     * @param files        the files, with hashes and whether this run uploaded them
     * @param repoAdopted  the repo existed already (409 on create)
     * @param registration what happened to the Entity Store entity
     */
    public record PublishedDataset(String kind, String name, String filesUrl, long records, List<PublishedFile> files,
                                   boolean repoAdopted, Registration registration) {

        public PublishedDataset {
            files = List.copyOf(files);
        }

        /** A file by its path in the repo. */
        public PublishedFile file(String path) {
            return files.stream().filter(f -> f.path().equals(path)).findFirst()
                    .orElseThrow(() -> new NoSuchElementException(name + "/" + path));
        }
    }

    /**
     * One file in a dataset repo.
     *
     * @param path     path in the repo ({@code eval_data.jsonl}, {@code training/train_data.jsonl}, ...)
     * @param uri      {@code hf://datasets/<namespace>/<name>/<path>}: what an Evaluator task references
     * @param records  JSONL lines
     * @param bytes    size
     * @param sha256   lowercase hex SHA-256 of the content
     * @param uploaded true if this run committed it; false if the repo already held identical content
     */
    public record PublishedFile(String path, String uri, long records, long bytes, String sha256, boolean uploaded) {
    }
}
