package dev.flywheel.core.dataset;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * The reference's {@code estimate_tokens}: tiktoken {@code cl100k_base} token count plus a 20 % buffer (integer
 * arithmetic), 0 for empty text. Like tiktoken's {@code encode}, text containing a special token such as
 * {@code <|endoftext|>} cannot be encoded; the reference then falls back to the whitespace word count, and so do
 * we.
 */
final class TokenCounter {

    private static final Encoding CL100K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    private static final int BUFFER_PERCENT = 20;

    private TokenCounter() {}

    static int estimate(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        int tokens;
        try {
            tokens = CL100K.countTokens(text);
        } catch (RuntimeException specialTokenInText) {
            String trimmed = text.strip();
            tokens = trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
        }
        return tokens + tokens * BUFFER_PERCENT / 100;
    }
}
