package dev.flywheel.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code flywheel}: the command line of Flywheel. Job and configuration commands talk gRPC to a server
 * ({@code --server}, {@code FLYWHEEL_SERVER} or {@code ~/.flywheel/cli.properties}); {@code server} and
 * {@code demo} start one on the embedded stack in this process.
 */
@Command(name = "flywheel", mixinStandardHelpOptions = true, version = "flywheel 0.1.0",
        description = "Turns production LLM logs into datasets, evaluates and fine-tunes smaller candidate models through NVIDIA NeMo, "
                + "and reports which one can replace the production model.",
        subcommands = {JobsCommand.class, ConfigsCommand.class, AdminCommand.class, LogsCommand.class, ServerCommand.class, DemoCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"",
                "Connection (jobs, configs): --server (default localhost:8080), --tls, --ca-cert,",
                "--token, --timeout (default 30s); or the environment variables FLYWHEEL_SERVER,",
                "FLYWHEEL_TLS, FLYWHEEL_CA_CERT, FLYWHEEL_TOKEN, FLYWHEEL_TIMEOUT; or the keys server,",
                "tls, ca_cert, token, timeout in ~/.flywheel/cli.properties ($FLYWHEEL_HOME).",
                "",
                "Exit status: 0 ok; 1 the server answered an error; 2 bad flags or arguments;",
                "3 server unreachable or no answer within the deadline; with --exit-status,",
                "4 the job failed, 5 it was cancelled."})
public final class FlywheelCli {

    public static void main(String[] args) {
        int status = run(args, CliContext.system());
        System.exit(status);
    }

    /** Runs one command line; returns the exit status. Tests call this in-process. */
    public static int run(String[] args, CliContext context) {
        CommandLine cli = new CommandLine(new FlywheelCli(), new ContextFactory(context));
        cli.setOut(new PrintWriter(context.out(), true));
        cli.setErr(new PrintWriter(context.err(), true));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, arguments) -> {
            context.err().println("flywheel: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, cli.getErr());
            context.err().println("see: flywheel " + String.join(" ", commandPath(e.getCommandLine())) + " --help");
            return ExitCodes.USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // Something we did not foresee: one line, not a stack trace (FLYWHEEL_DEBUG=1 shows it).
            context.err().println("flywheel: " + e);
            if (context.env().containsKey("FLYWHEEL_DEBUG")) {
                e.printStackTrace(context.err());
            }
            return ExitCodes.RPC_ERROR;
        });
        return cli.execute(args);
    }

    private static java.util.List<String> commandPath(CommandLine command) {
        java.util.LinkedList<String> path = new java.util.LinkedList<>();
        for (CommandLine c = command; c != null && c.getParent() != null; c = c.getParent()) {
            path.addFirst(c.getCommandName());
        }
        return path;
    }

    /** Creates commands with the context they write to. */
    private record ContextFactory(CliContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            K instance = CommandLine.defaultFactory().create(type);
            if (instance instanceof RemoteCommand) {
                ((RemoteCommand) instance).context = context;
            } else if (instance instanceof LogsCommand.Load) {
                ((LogsCommand.Load) instance).context = context;
            } else if (instance instanceof DemoCommand) {
                ((DemoCommand) instance).context = context;
            }
            return instance;
        }
    }
}
