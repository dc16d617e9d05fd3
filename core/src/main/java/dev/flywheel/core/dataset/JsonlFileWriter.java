package dev.flywheel.core.dataset;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Writes one JSONL dataset file the reference's way — lines joined by {@code "\n"}, no trailing newline — while
 * hashing it (SHA-256) and counting lines and bytes, so no second read is needed.
 */
final class JsonlFileWriter implements AutoCloseable {

    private final String dataset;
    private final String repoPath;
    private final Path file;
    private final MessageDigest digest;
    private final OutputStream out;
    private long lines;
    private long bytes;

    JsonlFileWriter(Path root, String dataset, String repoPath) {
        this.dataset = dataset;
        this.repoPath = repoPath;
        this.file = root.resolve(dataset).resolve(repoPath);
        try {
            Files.createDirectories(file.getParent());
            this.digest = MessageDigest.getInstance("SHA-256");
            this.out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16), digest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void writeLine(String json) {
        byte[] line = json.getBytes(StandardCharsets.UTF_8);
        writeLine(line, 0, line.length);
    }

    /** Writes a line that is already UTF-8 bytes (e.g. an {@link AsciiBuffer}'s). */
    void writeLine(byte[] utf8, int offset, int length) {
        try {
            if (lines > 0) {
                out.write('\n');
                bytes++;
            }
            out.write(utf8, offset, length);
            bytes += length;
            lines++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Closes the file and describes it. */
    DatasetFile finish() {
        close();
        return new DatasetFile(dataset, repoPath, lines, bytes, HexFormat.of().formatHex(digest.digest()), file);
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        }
    }
}
