package io.sluice.cli;

/**
 * The exit codes of {@code sluice}, stable for scripts (listed by {@code sluice --help} and in docs/cli.md).
 */
public final class ExitCode {
    /** The command did what was asked. */
    public static final int OK = 0;
    /** The server failed, or the operation did not succeed (for example a preflight with errors, a 500, a 503). */
    public static final int FAILED = 1;
    /**
     * The command line is wrong: an unknown command or option, a missing argument, a value of the wrong type, no server
     * to talk to, a malformed server address, a name that would address another resource ({@code .}, {@code ..}).
     */
    public static final int USAGE = 2;
    /** What the command names does not exist (HTTP 404; an unknown context). */
    public static final int NOT_FOUND = 3;
    /**
     * No token, a token the server refused (401), a token no server issues (spaces, line breaks, non-ASCII), or a role
     * that does not allow the operation (403).
     */
    public static final int UNAUTHORIZED = 4;
    /** The server does not offer this yet (HTTP 501), for example backfills. */
    public static final int NOT_AVAILABLE = 5;
    /** The server could not be reached: refused connection, unknown host, timeout. */
    public static final int UNREACHABLE = 6;
    /**
     * The server refused the request as it stands: a conflict (409) or invalid input (400, 422), each detail listed, or
     * a request over its limits (413, 414, 431).
     */
    public static final int INVALID = 7;

    /** For {@code --help}: code and meaning, in picocli's exit code list format. */
    static final String[] HELP_LIST = {
        "0:ok",
        "1:failed (server error, operation did not succeed)",
        "2:usage error (unknown command or option, missing argument, no server given)",
        "3:not found (HTTP 404, unknown context)",
        "4:unauthorized or forbidden (HTTP 401, 403)",
        "5:not available on this server (HTTP 501)",
        "6:server unreachable",
        "7:conflict or invalid input (HTTP 400, 409, 413, 414, 422)",
    };

    private ExitCode() {
    }
}
