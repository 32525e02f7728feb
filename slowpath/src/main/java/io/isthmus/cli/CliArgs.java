package io.isthmus.cli;

import java.io.PrintStream;

/**
 * What the subcommands share when they read their options: an option's value, and the answer to
 * bad usage (the reason, then the usage text, exit 2).
 *
 * <p><b>Thread-safety:</b> stateless.
 */
final class CliArgs {
    /** The exit code of bad usage. */
    static final int USAGE_EXIT = 2;

    private CliArgs() {
    }

    /** {@code args[i]}, the value of {@code option}; throws naming the option when the arguments end first. */
    static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** Prints {@code isthmus COMMAND: reason} and the usage to {@code err}; returns {@link #USAGE_EXIT}. */
    static int usageError(PrintStream err, String command, String usage, IllegalArgumentException reason) {
        err.println("isthmus " + command + ": " + reason.getMessage());
        err.println(usage);
        return USAGE_EXIT;
    }
}
