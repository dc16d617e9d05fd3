package dev.flywheel.cli.watch;

import java.io.PrintStream;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the rows of {@link ProgressView} go. On a terminal they are redrawn in place (one live line each); when
 * the output is a file or a pipe, a row is printed with a timestamp whenever its text (not its clock) changes,
 * so logs stay short and readable.
 */
public interface Screen {

    void show(List<ProgressView.Row> rows);

    /** A message between updates (reconnecting, ...). */
    void note(String message);

    /** Leaves the last state on screen; later output goes below it. */
    void finish();

    static Screen forOutput(PrintStream out, boolean tty, int columns, Clock clock) {
        return tty ? new Live(out, columns) : new Plain(out, clock);
    }

    /** ANSI redraw: cursor up over the previous frame, then each line cleared and rewritten. */
    final class Live implements Screen {
        private final PrintStream out;
        private final int columns;
        private int drawn;

        Live(PrintStream out, int columns) {
            this.out = out;
            this.columns = Math.max(20, columns);
        }

        @Override
        public synchronized void show(List<ProgressView.Row> rows) {
            StringBuilder frame = new StringBuilder();
            if (drawn > 0) {
                frame.append("\033[").append(drawn).append('A');
            }
            for (ProgressView.Row row : rows) {
                String line = row.line();
                // A wrapped line would break the cursor arithmetic, so cut it to the terminal's width.
                if (line.length() > columns - 1) {
                    line = line.substring(0, columns - 2) + "…";
                }
                frame.append('\r').append("\033[2K").append(line).append('\n');
            }
            for (int i = rows.size(); i < drawn; i++) { // the frame shrank: clear what is left of the old one
                frame.append("\033[2K\n");
            }
            int extra = Math.max(0, drawn - rows.size());
            if (extra > 0) {
                frame.append("\033[").append(extra).append('A');
            }
            drawn = rows.size();
            out.print(frame);
            out.flush();
        }

        @Override
        public synchronized void note(String message) {
            out.print("\r\033[2K" + message + "\n");
            drawn = 0; // the note scrolls the old frame up; the next frame is drawn below it
            out.flush();
        }

        @Override
        public synchronized void finish() {
            drawn = 0;
            out.flush();
        }
    }

    /** Timestamped lines, one per change of a row's text. */
    final class Plain implements Screen {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
        private final PrintStream out;
        private final Clock clock;
        private final Map<String, String> last = new HashMap<>();

        Plain(PrintStream out, Clock clock) {
            this.out = out;
            this.clock = clock;
        }

        @Override
        public synchronized void show(List<ProgressView.Row> rows) {
            String time = TIME.format(clock.instant());
            for (ProgressView.Row row : rows) {
                if (!row.text().equals(last.put(row.key(), row.text()))) {
                    out.println(time + " " + row.line().stripLeading());
                }
            }
            out.flush();
        }

        @Override
        public synchronized void note(String message) {
            out.println(TIME.format(clock.instant()) + " " + message);
            out.flush();
        }

        @Override
        public void finish() {
            out.flush();
        }
    }
}
