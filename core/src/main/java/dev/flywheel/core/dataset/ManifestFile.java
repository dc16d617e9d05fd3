package dev.flywheel.core.dataset;

import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Writes the manifest as pretty JSON ({@code manifest.json}) next to the dataset files. */
final class ManifestFile {

    static final String NAME = "manifest.json";

    private ManifestFile() {}

    static Path write(Path workDir, DatasetManifest manifest) {
        Path file = workDir.resolve(NAME);
        try {
            DatasetJson.MAPPER.writer(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), manifest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }
}
