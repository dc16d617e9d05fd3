package dev.flywheel.core.job;

import dev.flywheel.core.error.FlywheelException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A reference to a named configuration: {@code name} (its newest version) or {@code name@version}. */
public record ConfigRef(String name, long version) {

    /** Names are path segments in /v1/configs/{name}, so they keep to a URL-safe alphabet. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern REF = Pattern.compile("(" + NAME.pattern() + ")(?:@([1-9][0-9]{0,17}))?");

    /** 0 = the newest version. */
    public static final long LATEST = 0;

    public static boolean isValidName(String name) {
        return NAME.matcher(name).matches();
    }

    public static boolean isWellFormed(String ref) {
        return REF.matcher(ref).matches();
    }

    public static ConfigRef parse(String field, String ref) {
        Matcher m = REF.matcher(ref);
        if (!m.matches()) {
            throw FlywheelException.invalid(field, "must be name or name@version, where name is 1-128 of [A-Za-z0-9._-]");
        }
        return new ConfigRef(m.group(1), m.group(2) == null ? LATEST : Long.parseLong(m.group(2)));
    }

    public boolean isLatest() {
        return version == LATEST;
    }

    @Override
    public String toString() {
        return isLatest() ? name : name + "@" + version;
    }
}
