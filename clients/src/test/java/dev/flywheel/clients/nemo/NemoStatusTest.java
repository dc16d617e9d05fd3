package dev.flywheel.clients.nemo;

import dev.flywheel.clients.nemo.NemoStatus.Phase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class NemoStatusTest {

    @ParameterizedTest
    @CsvSource({
            "created,WAITING,WAITING", "pending,WAITING,WAITING", "running,WAITING,RUNNING",
            "ready,SUCCEEDED,UNKNOWN", "completed,UNKNOWN,SUCCEEDED", "failed,FAILED,FAILED",
            "cancelling,CANCELLING,CANCELLING", "cancelled,CANCELLED,CANCELLED", "unknown,UNKNOWN,UNKNOWN",
            "deployed,UNKNOWN,UNKNOWN"})
    void mapsEveryWireValue(String wire, Phase deployment, Phase job) {
        NemoStatus s = NemoStatus.parse(wire);
        assertThat(s.forDeployment()).isEqualTo(deployment);
        assertThat(s.forJob()).isEqualTo(job);
    }

    @Test
    void parsingNeverThrows() {
        assertThat(NemoStatus.parse(null)).isEqualTo(NemoStatus.UNKNOWN);
        assertThat(NemoStatus.parse("")).isEqualTo(NemoStatus.UNKNOWN);
        assertThat(NemoStatus.parse("READY")).isEqualTo(NemoStatus.READY);
        assertThat(NemoStatus.parse("something-new")).isEqualTo(NemoStatus.UNRECOGNIZED);
        assertThat(NemoStatus.parse("unrecognized")).isEqualTo(NemoStatus.UNRECOGNIZED);
    }

    @Test
    void failedDeploymentIsTerminal() { // the reference polled a failed deployment for an hour
        assertThat(NemoStatus.FAILED.forDeployment().isTerminal()).isTrue();
        assertThat(NemoStatus.PENDING.forDeployment().isTerminal()).isFalse();
        assertThat(NemoStatus.CANCELLING.forJob().isTerminal()).isFalse();
        assertThat(NemoStatus.COMPLETED.wire()).isEqualTo("completed");
    }
}
