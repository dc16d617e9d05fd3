package dev.flywheel.clients.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.CandidateSummary;
import dev.flywheel.api.v1.Customization;
import dev.flywheel.api.v1.CustomizerConfig;
import dev.flywheel.api.v1.DataSplitConfig;
import dev.flywheel.api.v1.Dataset;
import dev.flywheel.api.v1.EmbeddingConfig;
import dev.flywheel.api.v1.Evaluation;
import dev.flywheel.api.v1.IclConfig;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.JobError;
import dev.flywheel.api.v1.LlmJudge;
import dev.flywheel.api.v1.LlmJudgeConfig;
import dev.flywheel.api.v1.LoggingConfig;
import dev.flywheel.api.v1.LoraConfig;
import dev.flywheel.api.v1.NimConfig;
import dev.flywheel.api.v1.NmpConfig;
import dev.flywheel.api.v1.SharedDeployment;
import dev.flywheel.api.v1.SimilarityConfig;
import dev.flywheel.api.v1.TimelineEvent;
import dev.flywheel.api.v1.TrainingConfig;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Supplier;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/**
 * ProtoDocuments against the JSON-text conversion it replaced ({@link JsonPath}): the same stored documents, every
 * message reads back equal, and every stored value the JSON path could read is read to the same field value.
 */
class ProtoDocumentsTest {

    /** Extended JSON shows key order and the BSON type of every number (Int32, Int64, Double), which equals() ignores in part. */
    static final JsonWriterSettings EXACT = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();

    static Timestamp ts(long seconds, int nanos) {
        return Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos).build();
    }

    /** A job with every field set, nested candidates, evaluations and customizations, edge values and unicode. */
    static Job richJob() {
        return Job.newBuilder()
                .setId("65f0c0ffee0000000000abcd")
                .setClientId("client-ü-日本-😀")
                .setWorkloadId("workload \"quoted\" \\ back\\slash\t\n\u2028 <script>&")
                .setJobType("llm_job")
                .setRequestId("req-\u0000-nul")
                .setConfigName("team-config")
                .setConfigVersion(Long.MAX_VALUE)
                .setStatus("running")
                .setVersion(42)
                .setCreatedAt(ts(1_700_000_000L, 123_000_000))
                .setUpdatedAt(ts(1_700_000_001L, 123_456_000))
                .setStartedAt(ts(1_700_000_002L, 123_456_789))
                .setFinishedAt(ts(253402300799L, 999_999_999)) // the last representable instant
                .setStage("evaluate")
                .setProgress(66.66666666666667)
                .setQueuePosition(Integer.MAX_VALUE)
                .setNumRecords(Long.MIN_VALUE)
                .addDatasets(Dataset.newBuilder().setName("flywheel-eval-1").setKind("base-dataset").setNumRecords(100)
                        .setUri("hf://datasets/ns/flywheel-eval-1").setContentHash("sha256:00ff"))
                .addDatasets(Dataset.newBuilder().setName("flywheel-train-1").setKind("train-dataset")
                        .setNumRecords(9_007_199_254_740_993L))
                .addCandidates(CandidateModel.newBuilder()
                        .setModelName("meta/llama-3.2-1b-instruct")
                        .setStatus("running-evals")
                        .setDeploymentStatus("ready")
                        .addEvaluations(Evaluation.newBuilder()
                                .setEvalType("base-eval")
                                .putScores("similarity", 0.325)
                                .putScores("function_name_and_args_accuracy", Double.MIN_VALUE)
                                .putScores("max", Double.MAX_VALUE)
                                .putScores("nan", Double.NaN)
                                .putScores("up", Double.POSITIVE_INFINITY)
                                .putScores("down", Double.NEGATIVE_INFINITY)
                                .putScores("métrique.ü 😀", -1e-300)
                                .putScores("", 1.0)
                                .setProgress(100)
                                .setStatus("completed")
                                .setNmpUri("http://nemo/v1/evaluation/jobs/eval-1")
                                .setStartedAt(ts(0, 0)) // the epoch is a set Timestamp, not a missing one
                                .setFinishedAt(ts(-62135596800L, 0)) // the first representable instant
                                .setRuntimeSeconds(1e-9)
                                .setError("")
                                .setJobId("eval-1")
                                .setKey("job/cand/base"))
                        .addEvaluations(Evaluation.newBuilder().setEvalType("icl-eval").setProgress(12.5))
                        .addCustomizations(Customization.newBuilder()
                                .setStatus("running")
                                .setProgress(33.3)
                                .setEpochsCompleted(2)
                                .setStepsCompleted(Integer.MIN_VALUE)
                                .setNmpUri("http://nemo/v1/customization/jobs/cust-1")
                                .setCustomizedModel("ns/model@cust-1")
                                .setStartedAt(ts(1_700_000_100L, 1))
                                .setFinishedAt(ts(1_700_000_200L, 999_999_999))
                                .setRuntimeSeconds(3600.5)
                                .setError("оШИБКА")
                                .setJobId("cust-1")
                                .setJobName("flywheel-cust")
                                .setConfigName("llama@v1"))
                        .setRuntimeSeconds(12.75)
                        .setStartedAt(ts(1_700_000_010L, 0))
                        .setError("none")
                        .setGpus(8)
                        .setDeploymentName("dep-1")
                        .setAdmission("admitted")
                        .setQueuePosition(-1))
                .addCandidates(CandidateModel.newBuilder().setModelName("meta/llama-3.1-8b-instruct").setStatus("queued")
                        .setQueuePosition(3))
                .setLlmJudge(LlmJudge.newBuilder().setModelName("judge").setType("remote").setDeploymentStatus("ready")
                        .setError("e"))
                .setConfig(richConfig())
                .setFrom(ts(1_600_000_000L, 500_000_000))
                .setTo(ts(1_700_000_000L, 0))
                .setError(JobError.newBuilder().setCode("NEMO_UNAVAILABLE").setStage("evaluate").setMessage("503 ☹"))
                .addTimeline(TimelineEvent.newBuilder().setAt(ts(1_700_000_000L, 0)).setType("created").setMessage("made"))
                .addTimeline(TimelineEvent.newBuilder().setType("stage_started"))
                .addTimeline(TimelineEvent.newBuilder().setAt(ts(1_700_000_003L, 7)).setMessage("only a message"))
                .setCancelRequested(true)
                .setWorkloadType("tool_calling")
                .addSharedDeployments(SharedDeployment.newBuilder().setName("judge-dep").setModelName("judge")
                        .setRole("judge").setGpus(2))
                .setCandidateSummary(CandidateSummary.newBuilder().setCompleted(1).setFailed(0).setCancelled(1))
                .build();
    }

    /** A configuration with every field set, optional fields at zero or empty (which are stored, being present). */
    static JobConfig richConfig() {
        return JobConfig.newBuilder()
                .setJobType("") // present though empty
                .setNmpConfig(NmpConfig.newBuilder().setNemoBaseUrl("http://nemo:8000").setNimBaseUrl("http://nim:8000")
                        .setDatastoreBaseUrl("http://datastore:3000").setNmpNamespace("dwfbp"))
                .addNims(NimConfig.newBuilder().setModelName("meta/llama-3.2-1b-instruct").setTag("1.8.3")
                        .setContextLength(8192).setGpus(1).setPvcSize("25Gi").setRegistryBase("nvcr.io/nim")
                        .setCustomizationEnabled(true).setModelType("llm")
                        .setCustomizerConfigs(CustomizerConfig.newBuilder().setTarget("meta/llama-3.2-1b-instruct@2.0")
                                .setGpus(1).setNumNodes(1).setTensorParallelSize(1).setDataParallelSize(1)
                                .setUseSequenceParallel(false).setMicroBatchSize(1).setTrainingPrecision("bf16-mixed")
                                .setMaxSeqLength(4096)))
                .addNims(NimConfig.newBuilder().setModelName("").setContextLength(0).setGpus(0)
                        .setCustomizationEnabled(false).setCustomizerConfigs(CustomizerConfig.getDefaultInstance()))
                .setLlmJudgeConfig(LlmJudgeConfig.newBuilder().setDeploymentType("remote")
                        .setUrl("https://integrate.api.nvidia.com/v1/chat/completions").setModelName("meta/llama-3.3-70b")
                        .setContextLength(Integer.MAX_VALUE).setGpus(Integer.MIN_VALUE).setPvcSize("").setTag("t")
                        .setRegistryBase("r"))
                .setTrainingConfig(TrainingConfig.newBuilder().setTrainingType("sft").setFinetuningType("lora")
                        .setEpochs(0).setBatchSize(16).setLearningRate(1e-4))
                .setLoraConfig(LoraConfig.newBuilder().setAdapterDim(32).setAdapterDropout(0.0))
                .setDataSplitConfig(DataSplitConfig.newBuilder().setEvalSize(0).setValRatio(0.1).setMinTotalRecords(50)
                        .setRandomSeed(Long.MIN_VALUE).setLimit(1000).setParseFunctionArguments(false))
                .setIclConfig(IclConfig.newBuilder().setMaxContextLength(32768).setReservedTokens(4096)
                        .setMaxExamples(3).setMinExamples(1).setExampleSelection("semantic_similarity")
                        .setSimilarityConfig(SimilarityConfig.newBuilder().setRelevanceRatio(0.7)
                                .setEmbeddingNimConfig(EmbeddingConfig.newBuilder().setDeploymentType("local")
                                        .setUrl("http://embed").setModelName("nvidia/llama-3.2-nv-embedqa-1b-v2")
                                        .setTag("1.5.0").setGpus(1).setPvcSize("25Gi").setRegistryBase("nvcr.io/nim")
                                        .setContextLength(512))))
                .setLoggingConfig(LoggingConfig.newBuilder().setLevel(""))
                .build();
    }

    static void assertStoredAsTheJsonPathStoredIt(Message message) {
        Document expected = JsonPath.toDocument(message);
        Document actual = ProtoDocuments.toDocument(message);
        assertThat(actual.toJson(EXACT)).isEqualTo(expected.toJson(EXACT));
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void aRichJobAndConfigAreStoredExactlyAsTheJsonPathStoredThem() {
        assertStoredAsTheJsonPathStoredIt(richJob());
        assertStoredAsTheJsonPathStoredIt(richJob().toBuilder().clearId().build()); // as MongoJobStore stores it
        assertStoredAsTheJsonPathStoredIt(richConfig());
        assertStoredAsTheJsonPathStoredIt(Job.getDefaultInstance());
        assertStoredAsTheJsonPathStoredIt(JobConfig.getDefaultInstance());
        Document stored = ProtoDocuments.toDocument(richJob());
        // spot checks of the shape, so that a change in both paths would show up here too
        assertThat(stored.get("config_version")).isEqualTo(String.valueOf(Long.MAX_VALUE));
        assertThat(stored.get("queue_position")).isEqualTo(Integer.MAX_VALUE);
        assertThat(stored.get("finished_at")).isEqualTo("9999-12-31T23:59:59.999999999Z");
        assertThat(stored.get("created_at")).isEqualTo("2023-11-14T22:13:20.123Z");
        Document scores = stored.getList("candidates", Document.class).get(0)
                .getList("evaluations", Document.class).get(0).get("scores", Document.class);
        assertThat(scores.get("nan")).isEqualTo("NaN");
        assertThat(scores.get("down")).isEqualTo("-Infinity");
        assertThat(scores.get("similarity")).isEqualTo(0.325);
        assertThat(ProtoDocuments.toDocument(richConfig()).get("job_type")).isEqualTo("");
    }

    @Test
    void aRichJobAndConfigReadBackEqualWithEitherReader() {
        for (Message message : List.of(richJob(), richConfig(), Job.getDefaultInstance())) {
            Document stored = ProtoDocuments.toDocument(message);
            assertThat(ProtoDocuments.fromDocument(stored, message.newBuilderForType()).build()).isEqualTo(message);
            // the reader before this change reads the new documents too, so going back a version is safe
            assertThat(JsonPath.fromDocument(stored, message.newBuilderForType()).build()).isEqualTo(message);
        }
    }

    @Test
    void aJobAsMongoJobStoreStoresItReadsBack() {
        Job job = richJob().toBuilder().clearId().build();
        Document stored = ProtoDocuments.toDocument(job);
        stored.put("_id", new ObjectId());
        stored.put("version", job.getVersion()); // MongoJobStore stores the version as a number
        stored.put("schema_version", 1);
        stored.put("request_fingerprint", "fp");
        assertThat(ProtoDocuments.fromDocument(stored, Job.newBuilder()).build()).isEqualTo(job);
    }

    @Test
    void aDocumentWrittenByAnEarlierVersionLoadsAsItDidBefore() {
        // As an older version stored it: keys of fields removed since, camelCase keys, numbers in other BSON types
        // than today's writer uses, Timestamps with an offset or fewer digits.
        Document old = Document.parse("""
                {"_id": {"$oid": "65f0c0ffee0000000000abcd"}, "schema_version": 1, "request_fingerprint": "fp",
                 "client_id": "c", "workloadId": "w", "status": "pending", "version": {"$numberLong": "3"},
                 "config_version": 2, "num_records": {"$numberLong": "12"}, "queue_position": {"$numberLong": "4"},
                 "progress": 50, "created_at": "2024-01-02T04:04:05+01:00", "updated_at": "2024-01-02T03:04:05.1Z",
                 "legacy_priority": {"level": 3, "tags": ["a", {"b": null}]}, "retired_flag": null,
                 "datasets": [{"name": "d", "num_records": "7", "dropped": true}],
                 "candidates": [{"model_name": "m", "runtimeSeconds": 1.5, "gpus": 1.0,
                                 "evaluations": [{"eval_type": "base-eval", "scores": {"similarity": 1, "x": "0.5"}}]}],
                 "config": {"data_split_config": {"random_seed": 5, "eval_size": "100", "val_ratio": "0.25"}},
                 "timeline": [], "shared_deployments": null}
                """);
        Job expected = JsonPath.fromDocument(old, Job.newBuilder()).build();
        Job actual = ProtoDocuments.fromDocument(old, Job.newBuilder()).build();
        assertThat(actual).isEqualTo(expected);
        assertThat(actual.getWorkloadId()).isEqualTo("w");
        assertThat(actual.getVersion()).isEqualTo(3);
        assertThat(actual.getQueuePosition()).isEqualTo(4);
        assertThat(actual.getCreatedAt()).isEqualTo(ts(1704164645L, 0));
        assertThat(actual.getCandidates(0).getEvaluations(0).getScoresMap()).containsEntry("x", 0.5);
        assertThat(actual.getConfig().getDataSplitConfig().getEvalSize()).isEqualTo(100);
    }

    /**
     * Stored values in other shapes than today's writer makes, field by field: wherever the JSON path read one, the
     * new reader reads it to the same message. (Where the JSON path failed, the new reader may fail or be more lenient.)
     */
    @Test
    void everyValueTheJsonPathCouldReadIsReadTheSame() {
        List<Object[]> jobCases = List.of(
                cases("client_id", "x", "", 5, 5L, 5.5, 1e20, -0.0, true, null, List.of("a"), List.of(), new Document(),
                        new Date(0), new ObjectId(), new Decimal128(5)),
                cases("queue_position", 5, -5, 5L, 2147483648L, 5.0, 5.5, 1e2, "5", "5.0", "1e2", " 5", "x", true, null,
                        List.of(5), new Decimal128(5)),
                cases("num_records", "5", "-9223372036854775808", "9223372036854775808", "1e3", "1.0", "1.5", "0x10", 5,
                        5L, 5.0, 1e20, 9.2e18, null, true, new Decimal128(5)),
                cases("progress", 1.5, 2, 2L, Long.MAX_VALUE, "1.5", "1e400", "1e-400", "NaN", "Infinity", "-Infinity",
                        "nan", "-0.0", -0.0, "1d", "0x1p3", 1e308, null, true, new Decimal128(5)),
                cases("cancel_requested", true, false, "true", "false", "TRUE", 1, 0, null),
                cases("created_at", "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123456789Z",
                        "2024-01-02T04:04:05+01:00", "2024-01-02T03:04:05.1Z", "2024-01-02T03:04:05", "0001-01-01T00:00:00Z",
                        "9999-12-31T23:59:59.999999999Z", "10000-01-01T00:00:00Z", "x", 5, null, new Document("seconds", 5)),
                cases("error", new Document("code", "C"), new Document("code", "C").append("unknown", 1),
                        new Document("message", 5), new Document(), "x", 5, null, List.of()),
                cases("timeline", List.of(new Document("type", "t")), List.of(), new Document("type", "t"), "x", null,
                        List.of(new Document("at", "2024-01-02T03:04:05Z")), List.of(new Document("at", 5)),
                        listOf(new Document("type", "t"), null), listOf((Object) null)),
                cases("datasets", List.of(new Document("num_records", 5).append("name", 7))),
                cases("candidates", List.of(new Document("evaluations", List.of(new Document("scores",
                        new Document("a", 1).append("b", "2.5").append("c", "NaN").append("d", 3L)))))),
                cases("candidates", List.of(new Document("evaluations", List.of(new Document("scores",
                        new Document("a", null)))))),
                cases("candidates", List.of(new Document("evaluations", List.of(new Document("scores", List.of()))))),
                cases("shared_deployments", List.of(new Document("gpus", "2")), null),
                cases("config", new Document("data_split_config", new Document("random_seed", "5").append("eval_size", 5L)),
                        new Document("job_type", null), new Document("job_type", ""), new Document("nims", null)),
                cases("sharedDeployments", List.of(new Document("modelName", "m"))),
                cases("numRecords", 5, "6"));
        for (Object[] c : jobCases) {
            for (int i = 1; i < c.length; i++) {
                assertReadsAsTheJsonPathReadIt(new Document((String) c[0], c[i]), Job::newBuilder);
            }
        }
        List<Object[]> allKindsCases = List.of(
                cases("f_uint32", 5, 0, -1, 2147483648L, 4294967295L, 4294967296L, "4294967295", "-1", 5.0, null),
                cases("f_fixed32", -1, 4294967295L, "7"),
                cases("f_uint64", "18446744073709551615", "18446744073709551616", "-1", -1L, 5, 5L, "1.8e19", 1.8e19,
                        "+5", null),
                cases("f_sint64", "-5", -5, "x"),
                cases("f_fixed64", "18446744073709551615", 5L),
                cases("f_float", 1.1, 1.100000023841858, 3.4028235e38, 3.4028236e38, 3.40282357e38, 1e39, -1e39,
                        Double.MIN_VALUE, "1.1", "NaN", "Infinity", "-Infinity", 5, 5L, -0.0, "1e39", null),
                cases("f_double", 1.1, "1.1", "-0", 5, null),
                cases("f_bytes", "YWJj", "YWI=", "YWI", "YR==", "YQ", "YQ=", "YWJj\n", "-_8", "+/8=", "!!", "YW Jj", "", 5, null),
                cases("f_color", "RED", "BLUE", "NOPE", "", 1, 3, 99, -1, "1", "99", 1.0, 1.5, true, null),
                cases("r_color", List.of("RED", "NOPE", 2, 99), List.of("NOPE"), listOf("RED", null), List.of()),
                cases("f_timestamp", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000000001Z", "x", null),
                cases("f_duration", "1.5s", "-0.000001s", "1s", "0s", "315576000000s", "315576000001s", "1.5", 1.5,
                        "1m", null),
                cases("f_value", null, 5, 5L, 5.5, "x", true, new Document("a", listOf(1, "b", null)), List.of(),
                        new Document()),
                cases("r_value", listOf(null, 1, "x"), List.of()),
                cases("f_struct", new Document("a", 1).append("b", new Document("c", null)), new Document(), null, 5),
                cases("f_list_value", List.of(1, "a", List.of()), List.of(), null, "x"),
                cases("f_null_value", null, "NULL_VALUE", 0, 1, "x"),
                cases("f_int64_wrapper", "5", 5, 5.0, null, "x"),
                cases("f_uint32_wrapper", 4294967295L, -1),
                cases("f_float_wrapper", 1.1, "NaN", -0.0),
                cases("f_double_wrapper", -0.0, "Infinity", 1e308),
                cases("f_bytes_wrapper", "YWJj", "-_8"),
                cases("f_bool_wrapper", true, "false"),
                cases("f_string_wrapper", "s", 5),
                cases("f_field_mask", "a,b.cD", "", "fooBar", 5, null),
                cases("f_empty", new Document(), new Document("x", 1), null),
                cases("m_int32_string", new Document("1", "a").append("-2", "b"), new Document("1e0", "a"),
                        new Document("x", "a"), new Document("2147483648", "a"), new Document("1", 5), new Document("1", null)),
                cases("m_uint32_color", new Document("4294967295", "RED").append("0", 2), new Document("-1", "RED"),
                        new Document("1", "NOPE"), new Document("1", null)),
                cases("m_uint64_bytes", new Document("18446744073709551615", "YWJj"), new Document("1", "-_8")),
                cases("m_bool_timestamp", new Document("true", "1970-01-01T00:00:00Z").append("false", "1970-01-01T00:00:01Z"),
                        new Document("TRUE", "1970-01-01T00:00:00Z"), new Document("1", "1970-01-01T00:00:00Z")),
                cases("m_sint64_float", new Document("-9223372036854775808", 1.5), new Document("5", "NaN")),
                cases("m_fixed32_value", new Document("1", null).append("2", List.of())),
                cases("m_string_int64", new Document("a", 5).append("b", "6").append("c", "1e2")),
                cases("m_string_uint32", new Document("a", 4294967295L), new Document("a", -1)),
                cases("c_string", "s", 5),
                cases("c_color", "RED", "NOPE"),
                cases("o_int32", 0, "0", null),
                cases("o_double", 0.0, -0.0, "0"),
                cases("fInt32", 7),
                cases("rColor", List.of("RED")));
        for (Object[] c : allKindsCases) {
            for (int i = 1; i < c.length; i++) {
                assertReadsAsTheJsonPathReadIt(new Document((String) c[0], c[i]), () -> DynamicMessage.newBuilder(AllKinds.TYPE));
            }
        }
    }

    private static Object[] cases(String key, Object... values) {
        Object[] c = new Object[values.length + 1];
        c[0] = key;
        System.arraycopy(values, 0, c, 1, values.length);
        return c;
    }

    /** A list that may hold nulls (List.of cannot). */
    private static List<Object> listOf(Object... items) {
        return new ArrayList<>(java.util.Arrays.asList(items));
    }

    private static void assertReadsAsTheJsonPathReadIt(Document stored, Supplier<Message.Builder> builders) {
        Message before;
        try {
            before = JsonPath.fromDocument(stored, builders.get()).build();
        } catch (IllegalStateException e) {
            // what the JSON path refused is refused still, rather than read as a guess
            assertThatThrownBy(() -> ProtoDocuments.fromDocument(stored, builders.get()))
                    .as("the JSON path refused %s", stored.toJson(EXACT)).isInstanceOf(IllegalStateException.class);
            return;
        }
        Message now;
        try {
            now = ProtoDocuments.fromDocument(stored, builders.get()).build();
        } catch (RuntimeException e) {
            throw new AssertionError("the JSON path read " + stored.toJson(EXACT) + " as " + before + " but now: " + e, e);
        }
        String key = stored.keySet().iterator().next();
        FieldDescriptor field = before.getDescriptorForType().findFieldByName(key);
        if (field != null && field.getType() == FieldDescriptor.Type.DOUBLE && isNegativeZero(stored.get(key))) {
            // the one difference: the JSON path read -0.0 as 0.0 (see whereTheNewReaderDiffersItKeepsMore)
            before = before.toBuilder().setField(field, -0.0).build();
        }
        assertThat(now).as("read %s", stored.toJson(EXACT)).isEqualTo(before);
    }

    private static boolean isNegativeZero(Object value) {
        return value instanceof Double && Double.doubleToRawLongBits((Double) value) == Double.doubleToRawLongBits(-0.0);
    }

    @Test
    void whereTheNewReaderDiffersItKeepsMore() {
        // -0.0 stays -0.0 (the JSON parser went through BigDecimal, which has no negative zero)
        Document negativeZero = new Document("progress", -0.0);
        assertThat(ProtoDocuments.fromDocument(negativeZero, Job.newBuilder()).getProgress()).isEqualTo(-0.0);
        assertThat(JsonPath.fromDocument(negativeZero, Job.newBuilder()).getProgress()).isEqualTo(0.0);
        Job job = Job.newBuilder().setProgress(-0.0).build();
        assertThat(ProtoDocuments.fromDocument(ProtoDocuments.toDocument(job), Job.newBuilder()).build()).isEqualTo(job);
        // a Timestamp stored as a BSON date (someone editing a document by hand) loads
        Document date = new Document("created_at", new Date(1_700_000_000_123L));
        assertThat(ProtoDocuments.fromDocument(date, Job.newBuilder()).getCreatedAt()).isEqualTo(ts(1_700_000_000L, 123_000_000));
        assertThatThrownBy(() -> JsonPath.fromDocument(date, Job.newBuilder())).isInstanceOf(IllegalStateException.class);
        // a BSON double NaN in a double field
        Document nan = new Document("progress", Double.NaN);
        assertThat(ProtoDocuments.fromDocument(nan, Job.newBuilder()).getProgress()).isNaN();
    }

    @Test
    void aValueThatCannotBeReadNamesTheField() {
        assertThatThrownBy(() -> ProtoDocuments.fromDocument(new Document("progress", "fast"), Job.newBuilder()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("flywheel.v1.Job.progress");
        Document nested = new Document("candidates", List.of(new Document("evaluations",
                List.of(new Document("started_at", "yesterday")))));
        assertThatThrownBy(() -> ProtoDocuments.fromDocument(nested, Job.newBuilder()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("flywheel.v1.Evaluation.started_at");
    }
}
