package dev.flywheel.core.dataset;

import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * What {@link DatasetBuilder#build()} produced: the four JSONL files (eval, ICL eval, train, validation) and the
 * manifest describing how they were made ({@code manifestFile} is the manifest written as JSON next to them).
 */
public record DatasetResult(List<DatasetFile> files, DatasetManifest manifest, Path manifestFile) {

    public DatasetResult {
        files = List.copyOf(files);
    }

    /** The file of a dataset kind at a repository path, e.g. {@code file("train", "validation/val_data.jsonl")}. */
    public DatasetFile file(String dataset, String path) {
        return files.stream()
                .filter(f -> f.dataset().equals(dataset) && f.path().equals(path))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException(dataset + ":" + path));
    }
}
