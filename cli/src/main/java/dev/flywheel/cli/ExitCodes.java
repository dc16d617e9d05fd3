package dev.flywheel.cli;

/**
 * The exit statuses of {@code flywheel}, for scripts. Documented in {@code flywheel --help} and the README.
 */
public final class ExitCodes {

    /** The command did what was asked. */
    public static final int OK = 0;
    /** The server answered with an error (the gRPC status and the field at fault are printed). */
    public static final int RPC_ERROR = 1;
    /** Bad flags or arguments; nothing was sent. */
    public static final int USAGE = 2;
    /** The server could not be reached, or did not answer within the deadline. */
    public static final int UNREACHABLE = 3;
    /** With {@code --exit-status}: the job ended {@code failed}. */
    public static final int JOB_FAILED = 4;
    /** With {@code --exit-status}: the job ended {@code cancelled}. */
    public static final int JOB_CANCELLED = 5;

    private ExitCodes() {}
}
