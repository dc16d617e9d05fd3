package dev.flywheel.cli;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import dev.flywheel.api.v1.CancelJobRequest;
import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.CreateJobRequest;
import dev.flywheel.api.v1.DeleteJobRequest;
import dev.flywheel.api.v1.DeleteJobResponse;
import dev.flywheel.api.v1.Evaluation;
import dev.flywheel.api.v1.GetJobRequest;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.ListJobsRequest;
import dev.flywheel.api.v1.ListJobsResponse;
import dev.flywheel.cli.watch.Comparison;
import dev.flywheel.cli.watch.ProgressView;
import dev.flywheel.cli.watch.WatchRun;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flywheel jobs ...}: create, get, list, watch, cancel and delete jobs. */
@Command(name = "jobs", description = "Create, inspect, watch, cancel and delete flywheel jobs.",
        subcommands = {JobsCommand.Create.class, JobsCommand.Get.class, JobsCommand.ListJobs.class, JobsCommand.Watch.class,
                JobsCommand.Cancel.class, JobsCommand.Delete.class})
final class JobsCommand {

    /** Options shared by the commands that follow a job to its end. */
    static final class WatchOptions {
        @Option(names = "--exit-status", description = "Exit 4 when the job failed, 5 when it was cancelled.")
        boolean exitStatus;

        @Option(names = "--plain", description = "Timestamped lines even on a terminal.")
        boolean plain;

        @Option(names = "--min-score", paramLabel = "SCORE", defaultValue = "0.75",
                description = "Score (0-1) a candidate needs to be named as the replacement (default 0.75).")
        double minScore;

        @Option(names = "--reconnect-for", paramLabel = "DURATION", defaultValue = "5m", converter = RemoteCommand.DurationConverter.class,
                description = "How long to keep reconnecting a dropped stream (default 5m).")
        Duration reconnectFor;

        int watch(CliContext context, Connection connection, String id, boolean json) throws InterruptedException {
            Job end = new WatchRun(context, json, plain, minScore, reconnectFor).follow(connection, id);
            return exitStatus ? WatchRun.exitStatus(end) : ExitCodes.OK;
        }
    }

    @Command(name = "create", description = "Create a job (flags, or -f with the job request as YAML or JSON; flags win).")
    static final class Create extends RemoteCommand {
        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "The job request (.yaml, .yml or .json).")
        Path file;
        @Option(names = "--client-id") String clientId;
        @Option(names = "--workload-id") String workloadId;
        @Option(names = "--job-type", description = "llm_job (default) or embedding_job.") String jobType;
        @Option(names = "--config", paramLabel = "NAME[@VERSION]", description = "Named job configuration.") String config;
        @Option(names = "--eval-size") Integer evalSize;
        @Option(names = "--val-ratio") Double valRatio;
        @Option(names = "--min-total-records") Integer minTotalRecords;
        @Option(names = "--limit") Integer limit;
        @Option(names = "--random-seed") Long randomSeed;
        @Option(names = "--parse-function-arguments", arity = "0..1", fallbackValue = "true") Boolean parseFunctionArguments;
        @Option(names = "--from", paramLabel = "RFC3339", description = "Only records logged at or after this time.") String from;
        @Option(names = "--to", paramLabel = "RFC3339", description = "Only records logged before this time.") String to;
        @Option(names = "--request-id", description = "Idempotency key (default: a new random one, printed).") String requestId;
        @Option(names = "--watch", description = "Follow the job to its end, then print the comparison.") boolean watch;
        @picocli.CommandLine.Mixin WatchOptions watchOptions = new WatchOptions();

        @Override
        protected int run(Connection connection) throws InterruptedException {
            CreateJobRequest.Builder request = file != null ? RequestFiles.read(file, CreateJobRequest.newBuilder()) : CreateJobRequest.newBuilder();
            if (clientId != null) request.setClientId(clientId);
            if (workloadId != null) request.setWorkloadId(workloadId);
            if (jobType != null) request.setJobType(jobType);
            if (config != null) request.setConfigName(config);
            var split = request.getDataSplitConfigBuilder();
            if (evalSize != null) split.setEvalSize(evalSize);
            if (valRatio != null) split.setValRatio(valRatio);
            if (minTotalRecords != null) split.setMinTotalRecords(minTotalRecords);
            if (limit != null) split.setLimit(limit);
            if (randomSeed != null) split.setRandomSeed(randomSeed);
            if (parseFunctionArguments != null) split.setParseFunctionArguments(parseFunctionArguments);
            if (from != null) request.setFrom(timestamp("--from", from));
            if (to != null) request.setTo(timestamp("--to", to));
            if (requestId != null) {
                request.setRequestId(requestId);
            } else if (request.getRequestId().isEmpty()) {
                request.setRequestId(UUID.randomUUID().toString());
            }
            Job job = connection.jobs().createJob(request.build());
            if (json()) {
                context.out().println(watch ? Format.compactJson(job) : Format.json(job));
            } else {
                context.out().println("created job " + job.getId() + " (" + job.getStatus() + ", request id " + job.getRequestId() + ")");
            }
            return watch ? watchOptions.watch(context, connection, job.getId(), json()) : ExitCodes.OK;
        }

        private static Timestamp timestamp(String flag, String text) {
            try {
                return Timestamps.parse(text);
            } catch (ParseException e) {
                throw new IllegalArgumentException(flag + ": expected an RFC 3339 time like 2026-01-31T12:00:00Z, got '" + text + "'");
            }
        }
    }

    @Command(name = "get", description = "Show one job.")
    static final class Get extends RemoteCommand {
        @Parameters(paramLabel = "ID") String id;

        @Override
        protected int run(Connection connection) {
            Job job = connection.jobs().getJob(GetJobRequest.newBuilder().setId(id).build());
            context.out().print(json() ? Format.json(job) + System.lineSeparator() : describe(job));
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "List jobs, newest first.")
    static final class ListJobs extends RemoteCommand {
        @Option(names = "--client-id") String clientId;
        @Option(names = "--workload-id") String workloadId;
        @Option(names = "--status", description = "pending, running, cancelling, completed, failed or cancelled.") String status;
        @Option(names = "--page-size", description = "1..1000 (default 50).") Integer pageSize;
        @Option(names = "--page-token", description = "From the previous page.") String pageToken;

        @Override
        protected int run(Connection connection) {
            ListJobsRequest.Builder request = ListJobsRequest.newBuilder();
            if (clientId != null) request.setClientId(clientId);
            if (workloadId != null) request.setWorkloadId(workloadId);
            if (status != null) request.setStatus(status);
            if (pageSize != null) request.setPageSize(pageSize);
            if (pageToken != null) request.setPageToken(pageToken);
            ListJobsResponse page = connection.jobs().listJobs(request.build());
            if (json()) {
                context.out().println(Format.json(page));
                return ExitCodes.OK;
            }
            List<List<String>> rows = new ArrayList<>();
            for (Job job : page.getJobsList()) {
                rows.add(List.of(job.getId(), job.getClientId(), job.getWorkloadId(), job.getStatus(), Format.blankAsDash(job.getStage()),
                        Format.percent(job.getProgress()).trim(), Format.when(job.getCreatedAt())));
            }
            context.out().print(Format.table(List.of("ID", "CLIENT", "WORKLOAD", "STATUS", "STAGE", "PROGRESS", "CREATED"), rows));
            if (!page.getNextPageToken().isEmpty()) {
                context.out().println("more: --page-token " + page.getNextPageToken());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "watch", description = "Follow a job live to its end, then print the comparison of its candidates.")
    static final class Watch extends RemoteCommand {
        @Parameters(paramLabel = "ID") String id;
        @picocli.CommandLine.Mixin WatchOptions watchOptions = new WatchOptions();

        @Override
        protected int run(Connection connection) throws InterruptedException {
            return watchOptions.watch(context, connection, id, json());
        }
    }

    @Command(name = "cancel", description = "Ask a job to stop; it is cancelling at once and cancelled when its resources are released.")
    static final class Cancel extends RemoteCommand {
        @Parameters(paramLabel = "ID") String id;

        @Override
        protected int run(Connection connection) {
            Job job = connection.jobs().cancelJob(CancelJobRequest.newBuilder().setId(id).build());
            context.out().println(json() ? Format.json(job) : "job " + job.getId() + " " + job.getStatus());
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", description = "Remove a finished job and what it created in NeMo.")
    static final class Delete extends RemoteCommand {
        @Parameters(paramLabel = "ID") String id;

        @Override
        protected int run(Connection connection) {
            DeleteJobResponse response = connection.jobs().deleteJob(DeleteJobRequest.newBuilder().setId(id).build());
            if (json()) {
                context.out().println(Format.json(response));
                return ExitCodes.OK;
            }
            context.out().println("deleted job " + response.getId());
            for (String removed : response.getRemovedList()) {
                context.out().println("  removed      " + removed);
            }
            for (String kept : response.getNotRemovedList()) {
                context.out().println("  not removed  " + kept);
            }
            return ExitCodes.OK;
        }
    }

    /** The readable form of one job. */
    static String describe(Job job) {
        String nl = System.lineSeparator();
        StringBuilder out = new StringBuilder();
        List<List<String>> fields = new ArrayList<>();
        fields.add(List.of("id", job.getId()));
        fields.add(List.of("status", job.getStatus() + (job.getCancelRequested() && !job.getStatus().equals("cancelled") ? " (cancel requested)" : "")));
        fields.add(List.of("client / workload", job.getClientId() + " / " + job.getWorkloadId()));
        fields.add(List.of("job type", job.getJobType()));
        if (!job.getConfigName().isEmpty()) {
            fields.add(List.of("config", job.getConfigName() + "@" + job.getConfigVersion()));
        }
        fields.add(List.of("stage", Format.blankAsDash(job.getStage()) + "  " + Format.percent(job.getProgress()).trim()));
        if (job.getQueuePosition() > 0) {
            fields.add(List.of("queue position", String.valueOf(job.getQueuePosition())));
        }
        fields.add(List.of("created", Format.when(job.getCreatedAt())));
        if (job.hasStartedAt()) fields.add(List.of("started", Format.when(job.getStartedAt())));
        if (job.hasFinishedAt()) fields.add(List.of("finished", Format.when(job.getFinishedAt())));
        if (job.getNumRecords() > 0) {
            fields.add(List.of("records", job.getNumRecords() + (job.getWorkloadType().isEmpty() ? "" : ", workload " + job.getWorkloadType())));
        }
        for (var d : job.getDatasetsList()) {
            fields.add(List.of("dataset " + d.getKind(), d.getName() + " (" + d.getNumRecords() + " records)"));
        }
        if (job.hasError()) {
            fields.add(List.of("error", job.getError().getCode() + " in " + job.getError().getStage() + ": " + job.getError().getMessage()));
        }
        for (List<String> f : fields) {
            out.append(String.format(Locale.ROOT, "%-18s %s", f.get(0), f.get(1)).stripTrailing()).append(nl);
        }
        if (job.getCandidatesCount() > 0) {
            List<List<String>> rows = new ArrayList<>();
            for (CandidateModel c : job.getCandidatesList()) {
                rows.add(List.of(c.getModelName(), c.getStatus(), Format.blankAsDash(c.getDeploymentStatus()),
                        scores(c), Format.blankAsDash(c.getError())));
            }
            out.append(nl).append(Format.table(List.of("CANDIDATE", "STATUS", "DEPLOYMENT", "SCORES", "ERROR"), rows));
        }
        if (ProgressView.isTerminal(job.getStatus()) && job.getCandidatesCount() > 0) {
            out.append(nl).append(Comparison.verdict(job, Comparison.DEFAULT_MIN_SCORE)).append(nl);
        }
        return out.toString();
    }

    private static String scores(CandidateModel c) {
        List<String> parts = new ArrayList<>();
        for (Evaluation e : c.getEvaluationsList()) {
            for (var s : new java.util.TreeMap<>(e.getScoresMap()).entrySet()) {
                parts.add(e.getEvalType().replace("-eval", "") + " " + s.getKey() + "=" + String.format(Locale.ROOT, "%.3f", s.getValue()));
            }
        }
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }
}
