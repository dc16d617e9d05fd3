package dev.flywheel.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.flywheel.core.dataset.EpochTimestamps.EpochTimestamp;
import dev.flywheel.core.dataset.EpochTimestamps.Unit;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class EpochTimestampsTest {

    @Test
    void epochSecondsAreDetectedAndScaled() {
        assertThat(EpochTimestamps.normalize(1_712_345_678L))
                .isEqualTo(new EpochTimestamp(1_712_345_678_000L, Unit.SECONDS));
    }

    @Test
    void epochMillisAreKept() {
        assertThat(EpochTimestamps.normalize(1_712_345_678_901L))
                .isEqualTo(new EpochTimestamp(1_712_345_678_901L, Unit.MILLISECONDS));
    }

    @Test
    void fractionalSecondsKeepMillisecondPrecision() {
        assertThat(EpochTimestamps.read(DecimalNode.valueOf(new BigDecimal("1712345678.9016"))))
                .contains(new EpochTimestamp(1_712_345_678_902L, Unit.SECONDS));
    }

    @Test
    void numericStringsAreAcceptedOtherTextIsNot() {
        assertThat(EpochTimestamps.read(TextNode.valueOf("1712345678"))).get()
                .extracting(EpochTimestamp::detected).isEqualTo(Unit.SECONDS);
        assertThat(EpochTimestamps.read(TextNode.valueOf("2024-04-05T00:00:00Z"))).isEmpty();
        assertThat(EpochTimestamps.read(null)).isEmpty();
    }

    @Test
    void boundaryIsOneHundredBillion() {
        assertThat(EpochTimestamps.read(LongNode.valueOf(99_999_999_999L)).get().detected()).isEqualTo(Unit.SECONDS);
        assertThat(EpochTimestamps.read(LongNode.valueOf(100_000_000_000L)).get().detected())
                .isEqualTo(Unit.MILLISECONDS);
    }
}
