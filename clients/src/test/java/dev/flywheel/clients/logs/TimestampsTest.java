package dev.flywheel.clients.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

class TimestampsTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    @Test
    void epochSecondsAreDetectedAndConverted() {
        assertThat(Timestamps.parse(F.numberNode(1_718_000_000L)))
                .isEqualTo(new Timestamps.Normalized(1_718_000_000_000L, Timestamps.Unit.SECONDS));
    }

    @Test
    void epochMillisAreKept() {
        assertThat(Timestamps.parse(F.numberNode(1_718_000_000_123L)))
                .isEqualTo(new Timestamps.Normalized(1_718_000_000_123L, Timestamps.Unit.MILLISECONDS));
    }

    @Test
    void fractionalSecondsKeepTheirMilliseconds() {
        assertThat(Timestamps.parse(F.numberNode(1_718_000_000.123d)))
                .isEqualTo(new Timestamps.Normalized(1_718_000_000_123L, Timestamps.Unit.SECONDS));
    }

    @Test
    void stringsAreNumbersOrIso8601() {
        assertThat(Timestamps.parse(F.textNode("1718000000")).detectedUnit()).isEqualTo(Timestamps.Unit.SECONDS);
        assertThat(Timestamps.parse(F.textNode("2024-06-10T06:13:20Z")))
                .isEqualTo(new Timestamps.Normalized(1_718_000_000_000L, Timestamps.Unit.ISO_8601));
        assertThatThrownBy(() -> Timestamps.parse(F.textNode("yesterday"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Timestamps.parse(F.booleanNode(true))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theThresholdSeparatesYear5138SecondsFrom1973Millis() {
        assertThat(Timestamps.fromEpochNumber(Timestamps.SECONDS_THRESHOLD - 1).detectedUnit())
                .isEqualTo(Timestamps.Unit.SECONDS);
        assertThat(Timestamps.fromEpochNumber(Timestamps.SECONDS_THRESHOLD).detectedUnit())
                .isEqualTo(Timestamps.Unit.MILLISECONDS);
    }
}
