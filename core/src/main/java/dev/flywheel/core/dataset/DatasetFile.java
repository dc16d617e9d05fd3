package dev.flywheel.core.dataset;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.nio.file.Path;

/**
 * One written dataset file.
 *
 * @param dataset   {@code eval}, {@code icl} or {@code train}: the reference's {@code flywheel-<dataset>-...} kind
 * @param path      the file's path inside that dataset's repository ({@code eval_data.jsonl},
 *                  {@code training/train_data.jsonl}, {@code validation/val_data.jsonl})
 * @param records   JSONL lines
 * @param bytes     file size
 * @param sha256    lowercase hex SHA-256 of the file's bytes
 * @param localPath where the file is on disk (not part of the manifest's JSON, which must not depend on it)
 */
public record DatasetFile(String dataset, String path, long records, long bytes, String sha256,
                          @JsonIgnore Path localPath) {

    public static final String EVAL = "eval";
    public static final String ICL = "icl";
    public static final String TRAIN = "train";
}
