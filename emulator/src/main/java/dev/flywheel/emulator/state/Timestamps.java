package dev.flywheel.emulator.state;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** The two timestamp styles NeMo uses (nemo-api.md §1.2). */
public final class Timestamps {
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

    private Timestamps() {}

    /** Entity Store / Customizer / Evaluator style: naive, microseconds, no zone ({@code 2025-04-08T07:05:42.895214}). */
    public static String now() {
        return LocalDateTime.ofInstant(Instant.now(), ZoneOffset.UTC).format(MICROS);
    }

    /** Data Store style: whole seconds with {@code Z}. */
    public static String nowZ() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
