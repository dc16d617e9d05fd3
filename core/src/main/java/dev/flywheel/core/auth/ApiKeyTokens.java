package dev.flywheel.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The API key format and its hashing. A key reads {@code fw_<id>_<secret>}: the id (12 hex characters) finds the
 * stored record, the secret (32 random bytes, base64url) is checked against it. Only {@code salt} and
 * {@code SHA-256(salt || secret)} are stored. A single fast hash is enough here because the secret is 256 random
 * bits, not a password: there is nothing to guess, so a slow KDF would only slow every request down.
 */
public final class ApiKeyTokens {

    public static final String PREFIX = "fw_";
    private static final Pattern FORMAT = Pattern.compile("fw_([0-9a-f]{12})_([A-Za-z0-9_-]{43})");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new key: what is shown once ({@code token}) and what is stored ({@code id}, {@code salt}, {@code hash}). */
    public record NewKey(String id, String token, String salt, String hash) {
        @Override
        public String toString() {
            return "NewKey[" + id + "]";
        }
    }

    /** A token split into the id and the secret. */
    public record Parsed(String id, String secret) {
        @Override
        public String toString() {
            return "Parsed[" + id + "]";
        }
    }

    private ApiKeyTokens() {}

    public static NewKey generate() {
        byte[] id = new byte[6];
        byte[] secret = new byte[32];
        byte[] salt = new byte[16];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        RANDOM.nextBytes(salt);
        String idHex = HexFormat.of().formatHex(id);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        String saltHex = HexFormat.of().formatHex(salt);
        return new NewKey(idHex, PREFIX + idHex + "_" + secretText, saltHex, hash(saltHex, secretText));
    }

    /** The id and secret of a well-formed token; empty for anything else (never an exception on hostile input). */
    public static Optional<Parsed> parse(String token) {
        if (token == null || token.length() != 3 + 12 + 1 + 43) {
            return Optional.empty();
        }
        var m = FORMAT.matcher(token);
        return m.matches() ? Optional.of(new Parsed(m.group(1), m.group(2))) : Optional.empty();
    }

    /** Whether {@code secret} hashes to {@code expectedHash} with {@code salt}, in constant time. */
    public static boolean matches(String secret, String salt, String expectedHash) {
        return MessageDigest.isEqual(hash(salt, secret).getBytes(StandardCharsets.US_ASCII),
                expectedHash.getBytes(StandardCharsets.US_ASCII));
    }

    static String hash(String saltHex, String secret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(HexFormat.of().parseHex(saltHex));
            return HexFormat.of().formatHex(sha.digest(secret.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
