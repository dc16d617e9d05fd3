package dev.flywheel.core.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.core.error.FieldViolation;
import org.junit.jupiter.api.Test;

/** The log window's ends, as the hostile-input suite found them mishandled. */
class CreateJobValidatorTest {

    private final CreateJobRequest.Builder request = CreateJobRequest.newBuilder().setClientId("c").setWorkloadId("w");

    @Test
    void invalidFromAndToAreViolationsNotExceptions() {
        // Timestamps.compare throws on invalid timestamps; the validator used to compare before checking (a 500).
        Timestamp bad = Timestamp.newBuilder().setSeconds(Long.MIN_VALUE).setNanos(-1).build();
        Timestamp alsoBad = Timestamp.newBuilder().setSeconds(1_700_000_000L).setNanos(Integer.MAX_VALUE).build();
        assertThat(CreateJobValidator.violations(request.setFrom(bad).setTo(alsoBad).build()))
                .extracting(FieldViolation::field, FieldViolation::description)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("from", "is not a valid timestamp"),
                        org.assertj.core.groups.Tuple.tuple("to", "is not a valid timestamp"));
    }

    @Test
    void aWindowBeforeTheUnixEpochIsRefused() {
        // 0001-01-01T00:00:00.999999999Z is a valid protobuf Timestamp, but the HTTP API's JSON printer cannot print
        // it: the stored job failed every GET and every list that included it.
        Timestamp early = Timestamp.newBuilder().setSeconds(-62_135_596_800L).setNanos(999_999_999).build();
        assertThat(CreateJobValidator.violations(request.setFrom(early).build()))
                .extracting(FieldViolation::field, FieldViolation::description)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("from", "must not be before 1970-01-01T00:00:00Z"));
        assertThat(CreateJobValidator.violations(CreateJobRequest.newBuilder().setClientId("c").setWorkloadId("w")
                .setTo(Timestamps.fromSeconds(-1)).build())).extracting(FieldViolation::field).containsExactly("to");
    }

    @Test
    void aValidWindowPasses() {
        assertThat(CreateJobValidator.violations(request.setFrom(Timestamps.fromSeconds(0))
                .setTo(Timestamps.fromSeconds(1_700_000_000L)).build())).isEmpty();
        assertThat(CreateJobValidator.violations(CreateJobRequest.newBuilder().setClientId("c").setWorkloadId("w")
                .setFrom(Timestamps.fromSeconds(100)).setTo(Timestamps.fromSeconds(100)).build()))
                .extracting(FieldViolation::field).containsExactly("to");
    }
}
