package dev.flywheel.cli.watch;

import dev.flywheel.api.v1.CandidateModel;
import dev.flywheel.api.v1.Evaluation;
import dev.flywheel.cli.Format;
import dev.flywheel.api.v1.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The end of a watch: every candidate's base, ICL and customized scores per metric side by side, the best score
 * of each metric marked with {@code *}, and which candidate can replace the production model.
 *
 * <p>The verdict: the first candidate, in the configuration's order (list candidates smallest first), whose best
 * score on the workload's main metric reaches {@code minScore} — {@code function_name_and_args_accuracy} for
 * tool-calling workloads, the judge's {@code similarity} otherwise (1–10, so it is divided by 10 first).
 */
public final class Comparison {

    static final String[] EVAL_TYPES = {"base-eval", "icl-eval", "customized-eval"};
    public static final double DEFAULT_MIN_SCORE = 0.75;

    private Comparison() {}

    public static String render(Job job, double minScore) {
        String nl = System.lineSeparator();
        StringBuilder out = new StringBuilder();
        out.append("job ").append(job.getId()).append(": ").append(job.getStatus());
        if (job.hasError()) {
            out.append(" (").append(job.getError().getCode()).append(": ").append(job.getError().getMessage()).append(')');
        }
        out.append(nl);
        if (job.getNumRecords() > 0) {
            out.append(job.getNumRecords()).append(" records, workload ").append(Format.blankAsDash(job.getWorkloadType())).append(nl);
        }
        TreeSet<String> others = new TreeSet<>();
        for (CandidateModel c : job.getCandidatesList()) {
            for (Evaluation e : c.getEvaluationsList()) {
                others.addAll(e.getScoresMap().keySet());
            }
        }
        List<String> metrics = new ArrayList<>(); // the main metric first: the verdict is about it
        if (others.remove(mainMetric(job))) {
            metrics.add(mainMetric(job));
        }
        metrics.addAll(others);
        if (metrics.isEmpty()) {
            return out.append("no scores").append(nl).toString();
        }
        List<List<String>> rows = new ArrayList<>();
        for (String metric : metrics) {
            double best = Double.NEGATIVE_INFINITY;
            for (CandidateModel c : job.getCandidatesList()) {
                for (Evaluation e : c.getEvaluationsList()) {
                    best = Math.max(best, e.getScoresMap().getOrDefault(metric, Double.NEGATIVE_INFINITY));
                }
            }
            for (CandidateModel c : job.getCandidatesList()) {
                List<String> row = new ArrayList<>(List.of(c.getModelName(), c.getStatus(), metric));
                for (String type : EVAL_TYPES) {
                    Double score = score(c, type, metric);
                    row.add(score == null ? "-" : String.format(Locale.ROOT, "%.3f%s", score, score == best ? "*" : " "));
                }
                rows.add(row);
            }
        }
        out.append(nl).append(Format.table(List.of("candidate", "status", "metric", "base", "icl", "customized"), rows));
        out.append("* best of each metric; scores compare each candidate's answers with the production model's").append(nl);
        out.append(verdict(job, minScore)).append(nl);
        return out.toString();
    }

    /** One line naming the candidate that can replace the production model, or saying that none can yet. */
    public static String verdict(Job job, double minScore) {
        String metric = mainMetric(job);
        double scale = metric.equals("similarity") ? 10 : 1;
        String bestName = null;
        String bestType = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (CandidateModel c : job.getCandidatesList()) {
            String type = null;
            double score = Double.NEGATIVE_INFINITY;
            for (String t : EVAL_TYPES) {
                Double s = score(c, t, metric);
                if (s != null && s > score) {
                    score = s;
                    type = t;
                }
            }
            if (type == null) {
                continue;
            }
            if (score / scale >= minScore) {
                return String.format(Locale.ROOT, "can replace the production model: %s (%s, %s %.3f >= %s)", c.getModelName(),
                        type.replace("-eval", ""), metric, score, fmt(minScore * scale));
            }
            if (score > bestScore) {
                bestScore = score;
                bestName = c.getModelName();
                bestType = type;
            }
        }
        if (bestName == null) {
            return "no candidate was scored on " + metric;
        }
        return String.format(Locale.ROOT, "no candidate reaches %s %s yet; closest: %s (%s, %.3f)", metric, fmt(minScore * scale),
                bestName, bestType.replace("-eval", ""), bestScore);
    }

    static String mainMetric(Job job) {
        return job.getWorkloadType().equals("tool_calling") ? "function_name_and_args_accuracy" : "similarity";
    }

    private static Double score(CandidateModel c, String evalType, String metric) {
        for (Evaluation e : c.getEvaluationsList()) {
            if (e.getEvalType().equals(evalType) && e.getScoresMap().containsKey(metric)) {
                return e.getScoresMap().get(metric);
            }
        }
        return null;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.format(Locale.ROOT, "%.2f", d);
    }
}
