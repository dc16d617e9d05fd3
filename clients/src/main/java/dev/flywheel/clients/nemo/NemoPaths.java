package dev.flywheel.clients.nemo;

import java.nio.charset.StandardCharsets;

/**
 * Builds URL paths from NeMo names.
 *
 * <p>Why not a general URL encoder: NeMo names legitimately contain {@code @}, {@code +} and {@code .}
 * ({@code llama-3.2-1b-instruct@v1.0.0+dfw}, {@code run1@cust-…}) and NeMo expects them raw in paths — all are legal
 * path characters (RFC 3986 pchar), and a form encoder would turn {@code +} into {@code %2B} or, worse, a server would
 * read it as a space. Everything outside the unreserved set plus {@code @ + : ! $ & ' ( ) * , ; =} is percent-encoded,
 * so a stray {@code /}, {@code ?}, {@code #} or space can never change the route.
 */
public final class NemoPaths {

    private static final String RAW = "-._~@+:!$&'()*,;=";

    private NemoPaths() {
    }

    /** One path segment. */
    public static String segment(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("empty path segment");
        }
        StringBuilder sb = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || RAW.indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    /** {@code prefix + "/" + segment(a) + "/" + segment(b) …}. */
    public static String join(String prefix, String... segments) {
        StringBuilder sb = new StringBuilder(prefix);
        for (String s : segments) {
            sb.append('/').append(segment(s));
        }
        return sb.toString();
    }

    /**
     * A path below {@code prefix} for a {@code "namespace/name"} reference such as a model id
     * ({@code dfwbp/customized-x@cust-123}): split at the first slash, each part encoded as one segment.
     */
    public static String ref(String prefix, String namespacedName) {
        int slash = namespacedName.indexOf('/');
        if (slash <= 0 || slash == namespacedName.length() - 1) {
            throw new IllegalArgumentException("not a namespace/name reference: " + namespacedName);
        }
        return join(prefix, namespacedName.substring(0, slash), namespacedName.substring(slash + 1));
    }
}
