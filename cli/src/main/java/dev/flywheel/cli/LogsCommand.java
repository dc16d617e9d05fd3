package dev.flywheel.cli;

import dev.flywheel.clients.logs.LoadLogsCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flywheel logs load}: the bulk loader of logged interactions into Elasticsearch. */
@Command(name = "logs", description = "Load logged LLM interactions into Elasticsearch.", subcommands = LogsCommand.Load.class)
final class LogsCommand {

    @Command(name = "load", description = "Bulk-load a JSONL file of log records {client_id, workload_id, timestamp, request, "
            + "response} or conversations {\"messages\", \"tools\"}, one per line. Exit 0 when the file was processed (rejected "
            + "lines are listed with their reasons), 1 when it could not be.")
    static final class Load implements Callable<Integer> {
        CliContext context;
        @Parameters(paramLabel = "FILE.jsonl") Path file;
        @Option(names = "--client-id", description = "Set client_id on every record (required for lines without one).") String clientId;
        @Option(names = "--workload-id", description = "Set workload_id on every record (required for lines without one).") String workloadId;
        @Option(names = "--es-url", description = "Elasticsearch URL (env ELASTICSEARCH_URL; default http://localhost:9200).") String esUrl;
        @Option(names = "--index", description = "Index name (default flywheel).") String index;
        @Option(names = "--batch-size", description = "Documents per bulk request (default 1000).") Integer batchSize;

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>(List.of(file.toString()));
            add(args, "--client-id", clientId);
            add(args, "--workload-id", workloadId);
            add(args, "--es-url", esUrl);
            add(args, "--index", index);
            add(args, "--batch-size", batchSize == null ? null : batchSize.toString());
            return LoadLogsCommand.run(args.toArray(String[]::new), context.out(), context.err(), context.env());
        }

        private static void add(List<String> args, String flag, String value) {
            if (value != null) {
                args.add(flag);
                args.add(value);
            }
        }
    }
}
