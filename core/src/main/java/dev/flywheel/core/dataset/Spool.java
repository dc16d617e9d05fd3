package dev.flywheel.core.dataset;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Append-only scratch file holding the raw bytes of every format-valid record, so that the heap only keeps
 * offsets. Records are concatenated without separators (they may contain newlines); the index remembers each
 * one's offset and length. Writing happens during the first pass, positional reads during the second.
 */
final class Spool implements AutoCloseable {

    private final Path file;
    private OutputStream out;
    private FileChannel reader;
    private long written;

    Spool(Path file) {
        this.file = file;
        try {
            this.out = new BufferedOutputStream(Files.newOutputStream(file,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), 1 << 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create spool " + file, e);
        }
    }

    /** Appends a record and returns its offset. */
    long append(byte[] record) {
        try {
            long at = written;
            out.write(record);
            written += record.length;
            return at;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write spool " + file, e);
        }
    }

    /** Ends the write phase; reads are allowed afterwards. */
    void finishWriting() {
        try {
            out.close();
            out = null;
            reader = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reopen spool " + file, e);
        }
    }

    byte[] read(long offset, int length) {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        try {
            while (buffer.hasRemaining()) {
                if (reader.read(buffer, offset + buffer.position()) < 0) {
                    throw new IOException("spool truncated at " + (offset + buffer.position()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spool " + file, e);
        }
        return buffer.array();
    }

    long bytesWritten() {
        return written;
    }

    /** Closes and deletes the scratch file. */
    @Override
    public void close() {
        try {
            if (out != null) {
                out.close();
                out = null;
            }
            if (reader != null) {
                reader.close();
            }
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete spool " + file, e);
        }
    }
}
