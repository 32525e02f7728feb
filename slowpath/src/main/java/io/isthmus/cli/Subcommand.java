package io.isthmus.cli;

/** One verb of the {@code isthmus} command ({@code isthmus NAME args...}). */
public interface Subcommand {

    /** The verb, as typed: {@code fastpath}, {@code conntrack}, ... */
    String name();

    /** One line for {@code isthmus help}. */
    String summary();

    /**
     * Runs the verb with the arguments after its name. Returns the process exit code: 0 success,
     * 1 failure at run time, 2 bad usage or bad input. Messages for the user go to stderr (errors)
     * and stdout (results); a thrown exception is reported by {@link Main} as an internal error.
     */
    int run(String[] args) throws Exception;
}
