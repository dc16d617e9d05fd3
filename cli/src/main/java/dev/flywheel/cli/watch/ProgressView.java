package dev.flywheel.cli.watch;

import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.Customization;
import dev.flywheel.api.v1.Evaluation;
import dev.flywheel.api.v1.Job;
import dev.flywheel.api.v1.NimConfig;
import dev.flywheel.api.v1.TimelineEvent;
import dev.flywheel.cli.Format;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code flywheel jobs watch} shows of a job: one row for the job, one per stage it has reached and one per
 * candidate model. Pure (job + clock in, rows out), so both the live TTY view and the plain log view use it and
 * tests can check it without a terminal.
 */
public final class ProgressView {

    /**
     * One line. {@code key} identifies the line across updates; {@code text} is everything but the clock, so
     * the plain view can print a line only when something other than time changed.
     */
    public record Row(String key, String text, String elapsed) {
        public String line() {
            return elapsed.isEmpty() ? text : text + "  " + elapsed;
        }
    }

    /** The stages in the order the engine runs them; a stage not listed here is shown where it appears. */
    static final List<String> STAGE_ORDER = List.of("initialize", "create_datasets", "wait_for_llm_as_judge", "candidates",
            "finalize", "cleanup");

    private ProgressView() {}

    public static List<Row> rows(Job job, Instant now) {
        List<Row> rows = new ArrayList<>();
        rows.add(jobRow(job, now));
        rows.addAll(stageRows(job, now));
        int width = 0;
        for (CandidateModel c : job.getCandidatesList()) {
            width = Math.max(width, Format.shortModel(c.getModelName()).length());
        }
        for (int i = 0; i < job.getCandidatesCount(); i++) {
            rows.add(candidateRow(job, i, width, now));
        }
        return rows;
    }

    private static Row jobRow(Job job, Instant now) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "job %s  %-10s %s", job.getId(), job.getStatus(),
                Format.percent(job.getProgress())));
        if (job.getQueuePosition() > 0) {
            text.append("  queued #").append(job.getQueuePosition());
        }
        if (job.hasError()) {
            text.append("  ").append(job.getError().getCode()).append(": ").append(job.getError().getMessage());
        }
        Instant start = Format.isSet(job.getStartedAt()) ? Format.instant(job.getStartedAt()) : Format.instant(job.getCreatedAt());
        return new Row("job", text.toString(), elapsed(start, job.hasFinishedAt() ? job.getFinishedAt() : null, now));
    }

    private static List<Row> stageRows(Job job, Instant now) {
        // When each stage started, from the timeline (it is bounded, so early stages may be missing from it).
        Map<String, Instant> started = new LinkedHashMap<>();
        for (TimelineEvent e : job.getTimelineList()) {
            if (e.getType().equals("stage_started")) {
                started.putIfAbsent(e.getMessage(), Format.instant(e.getAt()));
            }
        }
        if (Format.isSet(job.getStartedAt())) {
            started.putIfAbsent("initialize", Format.instant(job.getStartedAt()));
        }
        List<String> reached = new ArrayList<>();
        int current = STAGE_ORDER.indexOf(job.getStage());
        for (int i = 0; i <= current; i++) { // the stages before the current one were reached, even if trimmed
            reached.add(STAGE_ORDER.get(i));
        }
        for (String stage : started.keySet()) {
            if (!reached.contains(stage)) {
                reached.add(stage);
            }
        }
        if (!job.getStage().isEmpty() && !reached.contains(job.getStage())) {
            reached.add(job.getStage());
        }
        boolean terminal = isTerminal(job.getStatus());
        List<Row> rows = new ArrayList<>();
        int width = "wait_for_llm_as_judge".length(); // fixed, so a new stage does not reflow the others
        for (String stage : reached) {
            width = Math.max(width, stage.length());
        }
        for (int i = 0; i < reached.size(); i++) {
            String stage = reached.get(i);
            boolean isCurrent = stage.equals(job.getStage());
            String state;
            if (job.hasError() && job.getError().getStage().equals(stage)) {
                state = job.getStatus().equals("cancelled") || job.getStatus().equals("cancelling") ? "cancelled" : "failed";
            } else if (isCurrent && !terminal) {
                state = job.getStatus().equals("cancelling") ? "cancelling" : "running";
            } else {
                state = "done";
            }
            StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "  %-" + width + "s  %-10s", stage, state));
            if (stage.equals("create_datasets") && job.getNumRecords() > 0) {
                text.append(" ").append(job.getNumRecords()).append(" records");
                if (!job.getWorkloadType().isEmpty()) {
                    text.append(", ").append(job.getWorkloadType());
                }
            }
            if (stage.equals("wait_for_llm_as_judge") && job.hasLlmJudge()) {
                text.append(" judge ").append(Format.shortModel(job.getLlmJudge().getModelName()));
                if (!job.getLlmJudge().getDeploymentStatus().isEmpty()) {
                    text.append(' ').append(job.getLlmJudge().getDeploymentStatus());
                }
            }
            Instant from = started.get(stage);
            Instant to = null;
            for (int j = i + 1; j < reached.size() && to == null; j++) {
                to = started.get(reached.get(j));
            }
            String clock = "";
            if (from != null) {
                Instant end = to != null ? to : (terminal && job.hasFinishedAt() ? Format.instant(job.getFinishedAt()) : now);
                clock = Format.duration(Duration.between(from, end));
            }
            rows.add(new Row("stage:" + stage, text.toString().stripTrailing(), clock));
        }
        return rows;
    }

    private static Row candidateRow(Job job, int index, int nameWidth, Instant now) {
        CandidateModel c = job.getCandidates(index);
        NimConfig nim = index < job.getConfig().getNimsCount() ? job.getConfig().getNims(index) : NimConfig.getDefaultInstance();
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "  %-" + nameWidth + "s  %-13s %s",
                Format.shortModel(c.getModelName()), c.getStatus(), Format.percent(candidateProgress(c, nim))));
        if (c.getQueuePosition() > 0) {
            text.append("  queued #").append(c.getQueuePosition());
        }
        if (!c.getDeploymentStatus().isEmpty() && !isTerminal(c.getStatus())) {
            text.append("  deployment ").append(c.getDeploymentStatus());
        }
        for (Evaluation e : c.getEvaluationsList()) {
            if (!e.getEvalType().equals("customized-eval")) {
                text.append("  ").append(shortEval(e.getEvalType())).append(' ').append(stepState(e.getStatus(), e.getProgress()));
            }
        }
        for (Customization t : c.getCustomizationsList()) {
            text.append("  train ").append(stepState(t.getStatus(), t.getProgress()));
            if (!isDone(t.getStatus()) && (t.getEpochsCompleted() > 0 || t.getStepsCompleted() > 0)) {
                int epochs = job.getConfig().getTrainingConfig().getEpochs();
                text.append(" epoch ").append(t.getEpochsCompleted()).append(epochs > 0 ? "/" + epochs : "")
                        .append(" step ").append(t.getStepsCompleted());
            }
        }
        for (Evaluation e : c.getEvaluationsList()) {
            if (e.getEvalType().equals("customized-eval")) {
                text.append("  ").append(shortEval(e.getEvalType())).append(' ').append(stepState(e.getStatus(), e.getProgress()));
            }
        }
        if (!c.getError().isEmpty()) {
            text.append("  error: ").append(c.getError());
        }
        String clock = Format.isSet(c.getStartedAt())
                ? elapsed(Format.instant(c.getStartedAt()), c.hasFinishedAt() ? c.getFinishedAt() : null, now) : "";
        return new Row("candidate:" + index, text.toString(), clock);
    }

    /**
     * A candidate's progress: the mean of its steps (base eval, ICL eval and, when customization is on,
     * training and the customized eval); a completed candidate is at 100, a failed one where it stopped.
     */
    static double candidateProgress(CandidateModel c, NimConfig nim) {
        if (c.getStatus().equals("completed")) {
            return 100;
        }
        boolean customize = !nim.hasCustomizationEnabled() || nim.getCustomizationEnabled() || c.getCustomizationsCount() > 0;
        int steps = customize ? 4 : 2;
        double sum = 0;
        for (Evaluation e : c.getEvaluationsList()) {
            sum += isDone(e.getStatus()) ? 100 : e.getProgress();
        }
        for (Customization t : c.getCustomizationsList()) {
            sum += isDone(t.getStatus()) ? 100 : t.getProgress();
        }
        return Math.min(100, sum / steps);
    }

    private static String shortEval(String evalType) {
        switch (evalType) {
            case "base-eval": return "base";
            case "icl-eval": return "icl";
            case "customized-eval": return "customized";
            default: return evalType;
        }
    }

    private static String stepState(String status, double progress) {
        if (isDone(status)) {
            return "done";
        }
        if (status.equals("failed") || status.equals("cancelled") || status.equals("error")) {
            return status;
        }
        return Format.percent(progress).trim();
    }

    private static boolean isDone(String status) {
        return status.equals("completed");
    }

    public static boolean isTerminal(String status) {
        return status.equals("completed") || status.equals("failed") || status.equals("cancelled");
    }

    private static String elapsed(Instant from, com.google.protobuf.Timestamp finished, Instant now) {
        Instant end = finished != null && Format.isSet(finished) ? Format.instant(finished) : now;
        return Format.duration(Duration.between(from, end));
    }
}
