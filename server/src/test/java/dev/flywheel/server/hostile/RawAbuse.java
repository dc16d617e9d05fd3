package dev.flywheel.server.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What is done to a request at the HTTP/1.1 byte level. {@code closeAllowed} marks the cases where the message is
 * incomplete or not HTTP/1.1 at all, so the server may close the connection without an answer (RFC 9112 §8: "A server
 * that receives an incomplete request message ... MAY send an error response prior to closing the connection"; RFC
 * 9113 §5.4.1 for a broken HTTP/2 connection preface); everywhere else an answer (4xx) is required.
 * {@code halfClose}: our side shuts its output after the bytes, so an incomplete message ends instead of waiting.
 */
enum RawAbuse {
    PLAIN(false, false),
    BAD_CONTENT_LENGTH(false, false),
    TWO_CONTENT_LENGTHS(false, false),
    CONTENT_LENGTH_AND_CHUNKED(false, false),
    ODD_TRANSFER_ENCODING(false, false),
    BAD_CHUNKS(true, true),
    LONG_CONTENT_LENGTH(true, true),
    SHORT_CONTENT_LENGTH(false, false),
    NO_HOST(false, false),
    TWO_HOSTS(false, false),
    BAD_HOST(false, false),
    BAD_HEADER_NAME(false, false),
    BAD_HEADER_VALUE(false, false),
    OBSOLETE_LINE_FOLDING(false, false),
    BAD_REQUEST_LINE(false, false),
    NOT_UTF8_PATH(false, false),
    HUGE_URI(false, false),
    HUGE_HEADER(false, false),
    MANY_HEADERS(false, false),
    BARE_LF(false, false),
    EXPECT(false, false),
    GARBAGE(true, true),
    HTTP2_PREFACE_THEN_GARBAGE(true, true);

    final boolean closeAllowed;
    final boolean halfClose;
    /** Over the server's request-head limits: answered 414/431 and closed, which a TCP reset can overtake. */
    final boolean overHeadLimits;

    RawAbuse(boolean closeAllowed, boolean halfClose) {
        this.closeAllowed = closeAllowed;
        this.halfClose = halfClose;
        this.overHeadLimits = name().startsWith("HUGE_") || name().equals("MANY_HEADERS");
    }

    byte[] apply(HttpCalls.Request request, Random r) {
        String method = request.method();
        String path = request.path();
        List<String> headers = new ArrayList<>();
        headers.add("host: 127.0.0.1");
        headers.add("connection: close");
        for (String[] h : request.headers()) {
            headers.add(h[0] + ": " + h[1]);
        }
        byte[] body = request.body();
        String eol = "\r\n";
        String requestLine = method + " " + path + " HTTP/1.1";
        String contentLength = "content-length: " + body.length;
        switch (this) {
            case PLAIN -> { }
            case BAD_CONTENT_LENGTH -> contentLength = "content-length: " + Hostile.pick(r, List.of("abc", "-1", "1,2", "1, 1",
                    "99999999999999999999", "0x10", "", "+5", "1 2", "1.0", "\u00bd"));
            case TWO_CONTENT_LENGTHS -> contentLength = contentLength + eol + "content-length: " + (body.length + 1 + r.nextInt(5));
            case CONTENT_LENGTH_AND_CHUNKED -> {
                headers.add("transfer-encoding: chunked");
                body = chunked(body);
            }
            case ODD_TRANSFER_ENCODING -> {
                contentLength = "transfer-encoding: " + Hostile.pick(r, List.of("chunked, gzip", "xchunked", "chunked\t", "identity",
                        "CHUNKED", "gzip", "chunked, chunked", ""));
                body = chunked(body);
            }
            case BAD_CHUNKS -> {
                contentLength = "transfer-encoding: chunked";
                body = (Hostile.pick(r, List.of("zz\r\nabc\r\n0\r\n\r\n", "ffffffffffffffffffff\r\nabc", "3\r\nabcdef\r\n0\r\n\r\n",
                        "-1\r\n", "3;x=\u0000\r\nabc\r\n0\r\n\r\n", "5\r\nab")).getBytes(StandardCharsets.ISO_8859_1));
            }
            case LONG_CONTENT_LENGTH -> contentLength = "content-length: " + (body.length + 1 + r.nextInt(1000));
            case SHORT_CONTENT_LENGTH -> contentLength = "content-length: " + (body.length == 0 ? 0 : r.nextInt(body.length));
            case NO_HOST -> headers.remove(0);
            case TWO_HOSTS -> headers.add("host: evil.example");
            case BAD_HOST -> headers.set(0, "host: " + Hostile.pick(r, List.of("a b", "\u00ff", "[::1", "", "127.0.0.1:99999",
                    "x".repeat(300), "127.0.0.1/path", "@@")));
            case BAD_HEADER_NAME -> headers.add(Hostile.pick(r, List.of("bad header: x", "x\u0000y: z", "(x): y", ": novalue",
                    "\u00e9: x", "x-a\u007f: y", "x-colon:: y")));
            case BAD_HEADER_VALUE -> headers.add("x-value: " + Hostile.pick(r, List.of("a\u0000b", "a\rb", "\u00ff\u00fe",
                    "a\u007fb", "\u0001")));
            case OBSOLETE_LINE_FOLDING -> headers.add("x-folded: a" + eol + " continued");
            case BAD_REQUEST_LINE -> requestLine = Hostile.pick(r, List.of(method + "  " + path + "  HTTP/1.1",
                    method.toLowerCase() + " " + path + " HTTP/1.1", method + " " + path, method + " " + path + " HTTP/1.1 extra",
                    "FOO " + path + " HTTP/1.1", method + " " + path.substring(1) + " HTTP/1.1", method + " * HTTP/1.1",
                    method + " http://evil.example" + path + " HTTP/1.1", method + " " + path + " HTTP/2.0",
                    method + " " + path + " HTTP/9.9", method + " " + path + " HTTP/1.0", method + " " + path + " http/1.1",
                    method + "\t" + path + "\tHTTP/1.1", " " + method + " " + path + " HTTP/1.1"));
            case NOT_UTF8_PATH -> requestLine = method + " " + path + Hostile.pick(r, List.of("\u00ff", "\u0080\u0081", "\u00c0\u00af",
                    "%00\u0000", "\u00ed\u00a0\u0080")) + " HTTP/1.1";
            case HUGE_URI -> requestLine = method + " " + path + "?q=" + "a".repeat(Hostile.pick(r, List.of(5_000, 20_000, 100_000)))
                    + " HTTP/1.1";
            case HUGE_HEADER -> headers.add("x-huge: " + "v".repeat(Hostile.pick(r, List.of(9_000, 40_000, 100_000))));
            case MANY_HEADERS -> {
                for (int i = Hostile.pick(r, List.of(200, 1_000, 5_000)); i > 0; i--) {
                    headers.add("x-h" + i + ": v");
                }
            }
            case BARE_LF -> eol = "\n";
            case EXPECT -> headers.add("expect: " + Hostile.pick(r, List.of("100-continue", "999-garbage", "")));
            case GARBAGE -> {
                return Hostile.randomBytes(r, 1 + r.nextInt(300));
            }
            case HTTP2_PREFACE_THEN_GARBAGE -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.writeBytes(Hostile.randomBytes(r, 9 + r.nextInt(100)));
                return out.toByteArray();
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((requestLine + eol).getBytes(StandardCharsets.ISO_8859_1));
        for (String h : headers) {
            out.writeBytes((h + eol).getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes((contentLength + eol + eol).getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] chunked(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (body.length > 0) {
            out.writeBytes((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(body);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
