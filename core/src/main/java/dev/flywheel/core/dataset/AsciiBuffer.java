package dev.flywheel.core.dataset;

import java.util.Arrays;

/**
 * A growable byte buffer for text that is ASCII by construction — the {@code ensure_ascii} output of
 * {@link PythonJson} — so that characters and bytes are the same and a dataset line goes to its file without a
 * {@code String} and a UTF-8 encoding step in between. Reused from line to line; not thread-safe.
 */
final class AsciiBuffer {

    private byte[] bytes;
    private int length;

    AsciiBuffer(int initialCapacity) {
        bytes = new byte[Math.max(16, initialCapacity)];
    }

    /** The backing array; valid up to {@link #length()}. */
    byte[] array() {
        return bytes;
    }

    int length() {
        return length;
    }

    void clear() {
        length = 0;
    }

    /** Drops everything from {@code newLength} on (undoes appends after a {@link #length()} mark). */
    void truncate(int newLength) {
        length = newLength;
    }

    /**
     * Makes room for {@code more} bytes and returns the backing array, for writers that fill it directly from
     * {@link #length()} on and then call {@link #setLength}.
     */
    byte[] reserve(int more) {
        ensure(more);
        return bytes;
    }

    void setLength(int newLength) {
        length = newLength;
    }

    void append(char asciiChar) {
        ensure(1);
        bytes[length++] = (byte) asciiChar;
    }

    /** Appends text whose characters are all ASCII (callers guarantee it). */
    void append(String ascii) {
        int n = ascii.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[length++] = (byte) ascii.charAt(i);
        }
    }

    void append(AsciiBuffer other) {
        ensure(other.length);
        System.arraycopy(other.bytes, 0, bytes, length, other.length);
        length += other.length;
    }

    /** Replaces {@code count} bytes at {@code at} with {@code ascii}, moving whatever follows. */
    void replace(int at, int count, String ascii) {
        int delta = ascii.length() - count;
        ensure(Math.max(0, delta));
        System.arraycopy(bytes, at + count, bytes, at + ascii.length(), length - at - count);
        for (int i = 0; i < ascii.length(); i++) {
            bytes[at + i] = (byte) ascii.charAt(i);
        }
        length += delta;
    }

    /** A copy of the content as text (tests, diagnostics). */
    @Override
    public String toString() {
        return new String(bytes, 0, length, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length + more, bytes.length * 2));
        }
    }
}
