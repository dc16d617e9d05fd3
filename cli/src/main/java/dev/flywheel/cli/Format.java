package dev.flywheel.cli;

import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Small text helpers shared by the tables, the live view and the JSON output. */
public final class Format {

    /** The HTTP API's JSON: snake_case names, defaults omitted. */
    private static final JsonFormat.Printer JSON = JsonFormat.printer().preservingProtoFieldNames();
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private Format() {}

    public static String json(Message message) {
        try {
            return JSON.print(message);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e); // only Any with unknown types fails; our messages have none
        }
    }

    /** The same JSON on one line (one job per line when watching with -o json). */
    public static String compactJson(Message message) {
        try {
            return JSON.omittingInsignificantWhitespace().print(message);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "4.2s", "3m07s", "1h02m". */
    public static String duration(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    public static boolean isSet(Timestamp t) {
        return t.getSeconds() != 0 || t.getNanos() != 0;
    }

    public static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    public static String when(Timestamp t) {
        return isSet(t) ? WHEN.format(instant(t)) : "-";
    }

    /** "meta/llama-3.2-1b-instruct" → "llama-3.2-1b-instruct". */
    public static String shortModel(String model) {
        int slash = model.lastIndexOf('/');
        return slash < 0 ? model : model.substring(slash + 1);
    }

    public static String percent(double p) {
        return String.format(Locale.ROOT, "%3.0f%%", Math.max(0, Math.min(100, p)));
    }

    public static String blankAsDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    /** A plain text table: columns padded to their widest cell, two spaces apart, no trailing blanks. */
    public static String table(List<String> header, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        int[] widths = new int[header.size()];
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == 0 ? "" : "  ").append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), widths[i]));
            }
            out.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return out.toString();
    }

    static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
