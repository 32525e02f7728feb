package io.isthmus.cli;

import java.io.PrintStream;
import java.util.function.Supplier;

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

    /**
     * The options {@code parse} reads, or null when it refused them (then the reason and the usage
     * are printed to {@code err}, and the caller returns {@link #USAGE_EXIT}).
     */
    static <T> T parseOrExplain(PrintStream err, String command, String usage, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            err.println("isthmus " + command + ": " + e.getMessage());
            err.println(usage);
            return null;
        }
    }
}
