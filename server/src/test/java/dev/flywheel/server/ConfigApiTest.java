package dev.flywheel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.DataSplitConfig;
import dev.flywheel.api.v1.DeleteConfigRequest;
import dev.flywheel.api.v1.GetConfigRequest;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.ListConfigsRequest;
import dev.flywheel.api.v1.NamedConfig;
import dev.flywheel.api.v1.NimConfig;
import dev.flywheel.api.v1.PutConfigRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

class ConfigApiTest extends TestServer {

    private static JobConfig eightB() {
        return JobConfig.newBuilder()
                .addNims(NimConfig.newBuilder().setModelName("meta/llama-3.1-8b-instruct").setGpus(1))
                .setDataSplitConfig(DataSplitConfig.newBuilder().setLimit(500))
                .build();
    }

    @Test
    void jobsRunWithTheNamedConfigurationAndPinItsVersion() {
        String name = unique("prod");
        NamedConfig v1 = configs.putConfig(PutConfigRequest.newBuilder().setName(name).setConfig(eightB()).build());
        assertThat(v1.getRef()).isEqualTo(name + "@1");
        NamedConfig v2 = configs.putConfig(PutConfigRequest.newBuilder().setName(name)
                .setConfig(eightB().toBuilder().setDataSplitConfig(DataSplitConfig.newBuilder().setLimit(600))).build());

        String client = unique("c");
        Job latest = grpc.createJob(CreateJobRequest.newBuilder().setClientId(client).setWorkloadId("w")
                .setConfigName(name).setDataSplitConfig(DataSplitConfig.newBuilder().setEvalSize(50)).build());
        assertThat(latest.getConfigName()).isEqualTo(name);
        assertThat(latest.getConfigVersion()).isEqualTo(2);
        assertThat(latest.getConfig().getNimsList()).extracting(NimConfig::getModelName).containsExactly("meta/llama-3.1-8b-instruct");
        assertThat(latest.getConfig().getDataSplitConfig().getLimit()).isEqualTo(600);
        assertThat(latest.getConfig().getDataSplitConfig().getEvalSize()).isEqualTo(50);
        assertThat(latest.getConfig().getNmpConfig().getNmpNamespace()).as("default underneath").isEqualTo("dfwbp");

        Job pinned = grpc.createJob(CreateJobRequest.newBuilder().setClientId(client).setWorkloadId("w")
                .setConfigName(name + "@1").build());
        assertThat(pinned.getConfigVersion()).isEqualTo(1);
        assertThat(pinned.getConfig().getDataSplitConfig().getLimit()).isEqualTo(500);

        assertThat(configs.getConfig(GetConfigRequest.newBuilder().setName(name).build()).getInUse()).isTrue();
        assertThatThrownBy(() -> configs.deleteConfig(DeleteConfigRequest.newBuilder().setName(name + "@1").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
        assertThat(configs.listConfigs(ListConfigsRequest.newBuilder().setName(name).build()).getConfigsList())
                .extracting(NamedConfig::getVersion).containsExactly(1L, 2L);
        assertThat(v2.getVersion()).isEqualTo(2);
    }

    @Test
    void unusedVersionsCanBeDeleted() {
        String name = unique("tmp");
        configs.putConfig(PutConfigRequest.newBuilder().setName(name).setConfig(eightB()).build());
        assertThat(configs.deleteConfig(DeleteConfigRequest.newBuilder().setName(name).build()).getDeletedList())
                .containsExactly(name + "@1");
        assertThatThrownBy(() -> configs.getConfig(GetConfigRequest.newBuilder().setName(name).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void invalidConfigurationsAreRefusedWithThePath() {
        AggregatedHttpResponse response = postJson("/v1/configs", """
                {"name": "bad-one", "config": {"nims": [{"model_name": "m", "gpus": 0}],
                                                "data_split_config": {"val_ratio": 3}}}""");
        JobApiHttpTest.assertBadRequest(response, "config.nims[0].gpus");
        JobApiHttpTest.assertBadRequest(response, "config.data_split_config.val_ratio");
        JobApiHttpTest.assertBadRequest(postJson("/v1/configs", "{\"name\": \"x\", \"config\": {\"llm_judge_config\": {\"api_key\": \"s\"}}}"),
                "api_key");
        JobApiHttpTest.assertBadRequest(postJson("/v1/configs", "{\"name\": \"../x\", \"config\": {}}"), "name");
    }

    @Test
    void overHttpJson() {
        String name = unique("http");
        AggregatedHttpResponse put = postJson("/v1/configs",
                "{\"name\":\"" + name + "\",\"config\":{\"nmp_config\":{\"nmp_namespace\":\"team-a\"}}}");
        assertThat(put.status().code()).as(put.contentUtf8()).isEqualTo(200);
        assertThat(json(put).path("ref").asText()).isEqualTo(name + "@1");
        assertThat(json(http.get("/v1/configs/" + name + "@1").aggregate().join()).path("config").path("nmp_config")
                .path("nmp_namespace").asText()).isEqualTo("team-a");
        assertThat(http.delete("/v1/configs/" + name).aggregate().join().status().code()).isEqualTo(200);
    }

    @Test
    void jobTypeMustMatchTheConfiguration() {
        String name = unique("emb");
        configs.putConfig(PutConfigRequest.newBuilder().setName(name)
                .setConfig(JobConfig.newBuilder().setJobType("embedding_job")).build());
        assertThatThrownBy(() -> grpc.createJob(CreateJobRequest.newBuilder().setClientId(unique("c")).setWorkloadId("w")
                .setJobType("llm_job").setConfigName(name).build()))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("job_type");
    }
}
