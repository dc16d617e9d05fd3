package dev.flywheel.emulator.state;

import java.math.BigInteger;
import java.util.Random;

/**
 * NeMo-style ids: a semantic prefix and 22 base58 characters of a uuid4 ({@code cust-BTkGbfifLfEAjV2THu3tas}).
 * Drawn from a seeded generator so a run with a given seed and call order repeats its ids.
 */
public final class Ids {
    private static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private final Random random;

    public Ids(long seed) {
        this.random = new Random(seed ^ 0x5DEECE66DL);
    }

    public synchronized String next(String prefix) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        b[6] = (byte) ((b[6] & 0x0f) | 0x40); // uuid4 version bits, as the real ids are base58(uuid4)
        b[8] = (byte) ((b[8] & 0x3f) | 0x80);
        BigInteger n = new BigInteger(1, b);
        StringBuilder sb = new StringBuilder();
        BigInteger base = BigInteger.valueOf(58);
        while (n.signum() > 0) {
            BigInteger[] qr = n.divideAndRemainder(base);
            sb.append(ALPHABET.charAt(qr[1].intValue()));
            n = qr[0];
        }
        while (sb.length() < 22) {
            sb.append('1');
        }
        return prefix + "-" + sb.reverse().substring(0, 22);
    }

    /** 40 hex characters, the shape of a git commit id. */
    public synchronized String sha1Hex() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            sb.append(Character.forDigit(random.nextInt(16), 16));
        }
        return sb.toString();
    }

    /** 32 hex characters, used in tool call ids ({@code chatcmpl-tool-<32hex>}). */
    public synchronized String hex32() {
        return sha1Hex().substring(0, 32);
    }
}
