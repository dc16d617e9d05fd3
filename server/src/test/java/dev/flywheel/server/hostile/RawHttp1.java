package dev.flywheel.server.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for what no well-behaved client sends: bytes that are not valid in a request line
 * or header, a Content-Length that lies, Content-Length with Transfer-Encoding, a missing Host. Reads exactly one
 * final response (skipping 1xx), by Content-Length, chunked, or to the close.
 */
final class RawHttp1 {

    private static final int MAX_BODY = 64 * 1024;

    private final int port;

    RawHttp1(int port) {
        this.port = port;
    }

    /**
     * Sends {@code request} as is. With {@code halfClose} our side of the connection is shut down after it, the way a
     * client that gives up mid-body looks to the server.
     */
    Answer exchange(byte[] request, boolean halfClose, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int[] status = {0};
        ByteArrayOutputStream sofar = new ByteArrayOutputStream();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
                if (halfClose) {
                    socket.shutdownOutput();
                }
            } catch (SocketException e) {
                // The server may answer (e.g. 431) and close while a huge request is still being written.
            }
            return read(new Bounded(socket, deadline), status, sofar);
        } catch (SocketTimeoutException e) {
            if (status[0] != 0) {
                // the response started and is still going (an event stream): a live stream, not a hang
                return Answer.streaming(status[0], sofar.toByteArray());
            }
            return Answer.of(Answer.Kind.HANG, "no response in " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return Answer.of(Answer.Kind.RESET, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Reads from the socket until an overall deadline, however slowly the bytes trickle in. */
    private static final class Bounded extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;

        Bounded(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        private void arm() throws IOException {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("deadline");
            }
            socket.setSoTimeout((int) Math.max(1, left));
        }

        @Override
        public int read() throws IOException {
            arm();
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            arm();
            return in.read(b, off, len);
        }
    }

    private static Answer read(InputStream in, int[] statusSeen, ByteArrayOutputStream sofar) throws IOException {
        while (true) {
            String head;
            try {
                head = readHead(in);
            } catch (SocketException e) {
                return Answer.of(Answer.Kind.RESET, "reset without a response (" + e.getMessage() + ")");
            }
            if (head == null) {
                return Answer.of(Answer.Kind.RESET, "closed without a response");
            }
            String[] lines = head.split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            int status;
            try {
                status = Integer.parseInt(statusLine[1]);
            } catch (RuntimeException e) {
                return Answer.of(Answer.Kind.RESET, "not an HTTP response: " + Hostile.abbreviate(lines[0], 80));
            }
            if (status >= 100 && status < 200) {
                continue; // 100 Continue and friends; the final response follows
            }
            statusSeen[0] = status;
            long length = -1;
            boolean chunked = false;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                    chunked = true;
                }
            }
            byte[] body;
            if (status == 204 || status == 304) {
                body = new byte[0];
            } else if (chunked) {
                body = readChunked(in, sofar);
            } else if (length >= 0) {
                body = readFixed(in, length);
            } else {
                body = readToClose(in);
            }
            return Answer.http(status, body, "");
        }
    }

    /** The status line and headers, or null when the connection closed before any byte came. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new IOException("closed inside the response head");
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] readFixed(InputStream in, long length) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        long left = length;
        byte[] buf = new byte[8192];
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                break;
            }
            if (body.size() < MAX_BODY) {
                body.write(buf, 0, n);
            }
            left -= n;
        }
        return body.toByteArray();
    }

    private static byte[] readChunked(InputStream in, ByteArrayOutputStream body) throws IOException {
        while (true) {
            String sizeLine = readLine(in);
            if (sizeLine == null) {
                break;
            }
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (true) { // trailers up to the empty line
                    String trailer = readLine(in);
                    if (trailer == null || trailer.isEmpty()) {
                        return body.toByteArray();
                    }
                }
            }
            byte[] chunk = readFixed(in, size);
            if (body.size() < MAX_BODY) {
                body.write(chunk);
            }
            readLine(in);
        }
        return body.toByteArray();
    }

    private static byte[] readToClose(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                if (body.size() < MAX_BODY) {
                    body.write(buf, 0, n);
                }
            }
        } catch (SocketException e) {
            // a reset after the response is the end of it
        }
        return body.toByteArray();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
}
