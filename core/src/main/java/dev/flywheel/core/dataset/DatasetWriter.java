package dev.flywheel.core.dataset;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The second pass: reads the selected records back one at a time and writes the reference's four files —
 * {@code eval/eval_data.jsonl}, {@code icl/eval_data.jsonl}, {@code train/training/train_data.jsonl},
 * {@code train/validation/val_data.jsonl} — recording which ICL examples each evaluation line got.
 */
final class DatasetWriter {

    /** Files in a fixed order, plus the ICL assignments. */
    record Written(List<DatasetFile> files, List<DatasetManifest.IclAssignment> assignments) {}

    private final Path root;
    private final SpooledRecords records;
    private final RecordFormatter formatter;
    private final ParallelLines lines;

    DatasetWriter(Path root, SpooledRecords records, RecordFormatter formatter, ParallelLines lines) {
        this.root = root;
        this.records = records;
        this.formatter = formatter;
        this.lines = lines;
    }

    Written write(int[] evalRows, int[] trainRows, int[] valRows, IclCandidateProvider provider,
                  IclInjector injector) {
        List<DatasetFile> files = new ArrayList<>();
        List<DatasetManifest.IclAssignment> assignments = new ArrayList<>(evalRows.length);
        try (JsonlFileWriter eval = new JsonlFileWriter(root, DatasetFile.EVAL, "eval_data.jsonl");
             JsonlFileWriter icl = new JsonlFileWriter(root, DatasetFile.ICL, "eval_data.jsonl")) {
            for (int line = 0; line < evalRows.length; line++) {
                ObjectNode evalLine = formatter.evaluatorLine(records.read(evalRows[line]));
                eval.writeLine(PythonJson.dumps(evalLine));
                IclInjector.Injection injection = injector.inject(evalLine, provider.candidatesFor(evalLine));
                // The reference formats ICL records for the evaluator again; injection only touches the system
                // message, so this is a no-op kept for parity.
                icl.writeLine(PythonJson.dumps(formatter.evaluatorLine(injection.record())));
                assignments.add(new DatasetManifest.IclAssignment(line, records.recordId(evalRows[line]),
                        injection.budgetTokens(), injection.exampleTokens(), injection.exampleRecordIds()));
            }
            files.add(eval.finish());
            files.add(icl.finish());
        }
        files.add(writeTraining(trainRows, "training/train_data.jsonl"));
        files.add(writeTraining(valRows, "validation/val_data.jsonl"));
        return new Written(files, assignments);
    }

    /**
     * The bulk of the work on large jobs: lines are formatted on {@link #lines}' threads, straight from the spooled
     * bytes ({@link StreamingTrainingLines}), and written in row order.
     */
    private DatasetFile writeTraining(int[] rows, String repoPath) {
        try (JsonlFileWriter out = new JsonlFileWriter(root, DatasetFile.TRAIN, repoPath)) {
            lines.write(rows, records::length, this::trainingLineFormatter, out::writeLine);
            return out.finish();
        }
    }

    private ParallelLines.RowFormatter trainingLineFormatter() {
        StreamingTrainingLines streaming = new StreamingTrainingLines(formatter.workload(),
                formatter.parseFunctionArguments());
        return (row, line) -> {
            byte[] record = records.bytes(row);
            if (!streaming.append(record, 0, record.length, line)) {
                line.append(PythonJson.dumps(formatter.trainingLine(records.read(row))));
            }
        };
    }
}
