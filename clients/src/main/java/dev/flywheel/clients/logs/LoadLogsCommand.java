package dev.flywheel.clients.logs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.elasticsearch.client.RestClient;

/**
 * {@code flywheel logs load FILE.jsonl [--client-id ID] [--workload-id ID] [--es-url URL] [--index NAME]
 * [--batch-size N]}: bulk-loads a JSONL file of log records or {@code {"messages","tools"}} conversations (see
 * {@link LogLoader}), drawing a progress bar on stderr and printing a summary with rejected lines per reason.
 * The URL comes from {@code --es-url}, else {@code ELASTICSEARCH_URL}, else {@value EsHttp#DEFAULT_URL}.
 * Exit status: 0 when the file was processed (even with rejected lines, which the summary lists), 1 when it
 * could not be (unreadable file, Elasticsearch unusable), 2 on a usage error.
 */
public final class LoadLogsCommand {

    static final String USAGE = """
            usage: flywheel logs load FILE.jsonl [--client-id ID] [--workload-id ID] [--es-url URL]
                                                 [--index NAME] [--batch-size N]
              FILE.jsonl      log records {client_id, workload_id, timestamp, request, response, ...}
                              or conversations {"messages": [...], "tools": [...]}, one per line
              --client-id     set client_id on every record (required for lines without one)
              --workload-id   set workload_id on every record (required for lines without one)
              --es-url        Elasticsearch URL (default: $ELASTICSEARCH_URL, else http://localhost:9200)
              --index         index name (default: flywheel)
              --batch-size    documents per bulk request (default: 1000)
            """;

    private LoadLogsCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.getenv()));
    }

    /** The command without {@code System.exit}: returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        Args parsed;
        try {
            parsed = Args.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (parsed.help) {
            out.print(USAGE);
            return 0;
        }
        if (!Files.isReadable(parsed.file)) {
            err.println("error: cannot read " + parsed.file);
            return 1;
        }
        String url = EsHttp.resolveUrl(parsed.esUrl, env);
        try (RestClient client = EsHttp.client(url)) {
            LogLoader.Options options = new LogLoader.Options(parsed.clientId, parsed.workloadId, parsed.batchSize, err);
            LoadReport report = new LogLoader(client, parsed.index).load(parsed.file, options);
            out.printf("loaded %s into %s/%s%n", parsed.file, url, parsed.index);
            out.print(report.summary());
            return 0;
        } catch (IOException | RuntimeException e) {
            Throwable cause = EsHttp.unwrap(e);
            err.println("error: loading " + parsed.file + " into " + url + "/" + parsed.index + " failed: " + cause);
            return 1;
        }
    }

    /** Parsed command line; accepts {@code --opt value} and {@code --opt=value}. */
    static final class Args {
        Path file;
        String clientId;
        String workloadId;
        String esUrl;
        String index = LogFields.DEFAULT_INDEX;
        int batchSize = 1000;
        boolean help;

        static Args parse(String[] argv) {
            Args a = new Args();
            for (int i = 0; i < argv.length; i++) {
                String arg = argv[i];
                if (arg.equals("-h") || arg.equals("--help")) {
                    a.help = true;
                    return a;
                }
                if (!arg.startsWith("--")) {
                    if (a.file != null) {
                        throw new IllegalArgumentException("more than one file given: " + a.file + ", " + arg);
                    }
                    a.file = Path.of(arg);
                    continue;
                }
                String name = arg;
                String value;
                int eq = arg.indexOf('=');
                if (eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                } else {
                    if (i + 1 >= argv.length) {
                        throw new IllegalArgumentException(arg + " needs a value");
                    }
                    value = argv[++i];
                }
                switch (name) {
                    case "--client-id" -> a.clientId = value;
                    case "--workload-id" -> a.workloadId = value;
                    case "--es-url" -> a.esUrl = value;
                    case "--index" -> a.index = value;
                    case "--batch-size" -> {
                        try {
                            a.batchSize = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--batch-size must be a number: " + value);
                        }
                        if (a.batchSize <= 0) {
                            throw new IllegalArgumentException("--batch-size must be positive");
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            }
            if (a.file == null) {
                throw new IllegalArgumentException("no input file");
            }
            return a;
        }
    }
}
