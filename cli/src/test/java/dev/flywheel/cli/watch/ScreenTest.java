package dev.flywheel.cli.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScreenTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void plainPrintsARowOnlyWhenItsTextChanges() {
        Screen screen = Screen.forOutput(out, false, 80, Clock.fixed(Jobs.T0, ZoneOffset.UTC));
        screen.show(List.of(new ProgressView.Row("a", "job running", "1.0s"), new ProgressView.Row("b", "  stage x", "")));
        screen.show(List.of(new ProgressView.Row("a", "job running", "2.0s"), new ProgressView.Row("b", "  stage y", "")));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("10:00:00 job running  1.0s\n10:00:00 stage x\n10:00:00 stage y\n");
    }

    @Test
    void liveRedrawsInPlaceAndCutsLinesToTheTerminalWidth() {
        Screen screen = Screen.forOutput(out, true, 20, Clock.systemUTC());
        screen.show(List.of(new ProgressView.Row("a", "first", ""), new ProgressView.Row("b", "second line that is too long", "")));
        screen.show(List.of(new ProgressView.Row("a", "first!", "")));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("\r\033[2Kfirst\n\r\033[2Ksecond line that i…\n");
        // the second frame moves up over the two lines drawn, rewrites one and clears the other
        assertThat(text).endsWith("\033[2A\r\033[2Kfirst!\n\033[2K\n\033[1A");
    }
}
