package dev.flywheel.cli;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * What a command needs from its surroundings, passed in so tests can run the CLI in-process: output streams, the
 * environment, whether stdout is a terminal (and how wide), and the clock.
 */
public record CliContext(PrintStream out, PrintStream err, Map<String, String> env, boolean tty, int columns, Clock clock) {

    /** The real terminal: a TTY when the JVM has a console (stdin and stdout are terminals). */
    public static CliContext system() {
        Map<String, String> env = System.getenv();
        return new CliContext(System.out, System.err, env, System.console() != null, columns(env), Clock.systemUTC());
    }

    private static int columns(Map<String, String> env) {
        try {
            return Integer.parseInt(env.getOrDefault("COLUMNS", "120").trim());
        } catch (NumberFormatException e) {
            return 120;
        }
    }
}
