package dev.flywheel.clients.nemo;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NemoNamesTest {

    private static final String JOB = "665f1c2e9b1e8a3d4c5b6a79"; // a Mongo ObjectId

    @Test
    void deterministicAndReadable() {
        String a = NemoNames.resource(JOB, "base", "meta/llama-3.2-1b-instruct", 1);
        assertThat(a).isEqualTo(NemoNames.resource(JOB, "base", "meta/llama-3.2-1b-instruct", 1));
        assertThat(a).matches("fw-[0-9a-f]{8}-base-meta-llama-3-2-1b-instruct-a1");
        assertThat(NemoNames.isValidName(a)).isTrue();
    }

    @Test
    void differsByJobStageCandidateAndAttempt() {
        Set<String> names = new HashSet<>();
        for (String job : new String[]{JOB, "665f1c2e9b1e8a3d4c5b6a7a"}) {
            for (String stage : new String[]{"base", "icl", "cust"}) {
                for (String cand : new String[]{"meta/llama-3.2-1b-instruct", "meta/llama-3.2-3b-instruct"}) {
                    for (int attempt = 1; attempt <= 2; attempt++) {
                        names.add(NemoNames.resource(job, stage, cand, attempt));
                    }
                }
            }
        }
        assertThat(names).hasSize(24);
    }

    @Test
    void objectIdsFromTheSameSecondGetDifferentTags() {
        // Same 4-byte timestamp prefix: a prefix-based tag would collide.
        assertThat(NemoNames.jobTag("665f1c2e0000000000000001")).isNotEqualTo(NemoNames.jobTag("665f1c2e0000000000000002"));
        assertThat(NemoNames.jobTag("job42")).isEqualTo("job42");
        assertThat(NemoNames.jobTag(JOB)).hasSize(8);
    }

    @Test
    void deploymentNamesStayShortAndDistinct() {
        String a = NemoNames.deployment(JOB, "nim", "nvidia/llama-3.3-nemotron-super-49b-v1-instruct", 1);
        String b = NemoNames.deployment(JOB, "nim", "nvidia/llama-3.3-nemotron-super-49b-v1-instruct-fp8", 1);
        assertThat(a).hasSizeLessThanOrEqualTo(NemoNames.MAX_DEPLOYMENT_NAME_LENGTH).endsWith("-a1");
        assertThat(b).hasSizeLessThanOrEqualTo(NemoNames.MAX_DEPLOYMENT_NAME_LENGTH);
        assertThat(a).isNotEqualTo(b);
        assertThat(NemoNames.isValidName(a)).isTrue();
        assertThat(a).doesNotContain("/");
    }

    @Test
    void longCandidatesFitDnsLabel() {
        String name = NemoNames.resource(JOB, "customized", "x".repeat(200), 999);
        assertThat(name).hasSizeLessThanOrEqualTo(63);
        assertThat(NemoNames.isValidName(name)).isTrue();
    }

    @Test
    void customizationConfigUsesNemoVersionConvention() {
        String c = NemoNames.customizationConfig(JOB, "meta/llama-3.2-1b-instruct", 2);
        assertThat(c).matches("fw-[0-9a-f]{8}-meta-llama-3-2-1b-instruct@v1\\.0\\.0\\+a2");
    }

    @Test
    void outputModelIsNamespacedAndUniquePerJob() {
        String m1 = NemoNames.outputModel("dfwbp", JOB, "meta/llama-3.2-1b-instruct", 1);
        String m2 = NemoNames.outputModel("dfwbp", "other-job-id-xyz", "meta/llama-3.2-1b-instruct", 1);
        assertThat(m1).startsWith("dfwbp/fw-").contains("-cust-").doesNotContain("@");
        assertThat(m1).isNotEqualTo(m2); // the reference's customized-<model> collided across runs
    }

    @Test
    void datasets() {
        assertThat(NemoNames.dataset(JOB, "train", 1)).matches("fw-[0-9a-f]{8}-train-a1");
    }

    @Test
    void slugs() {
        assertThat(NemoNames.slug("meta/llama-3.2-1b-instruct")).isEqualTo("meta-llama-3-2-1b-instruct");
        assertThat(NemoNames.slug("01-ai/Yi-34B")).isEqualTo("m01-ai-yi-34b");
        assertThat(NemoNames.slug("///")).startsWith("m").hasSize(7);
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> NemoNames.resource(JOB, "Bad-Stage", "m", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NemoNames.resource(JOB, "base", "m", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NemoNames.resource("", "base", "m", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namespaces() {
        assertThat(NemoNames.isValidNamespace("dfwbp")).isTrue();
        assertThat(NemoNames.isValidNamespace("xlam-tutorial-ns")).isTrue();
        assertThat(NemoNames.isValidNamespace("a/b")).isFalse();
        assertThat(NemoNames.isValidNamespace("")).isFalse();
    }
}
