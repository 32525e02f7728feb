package io.isthmus.cli;

import io.isthmus.slowpath.log.LogSetup;
import io.isthmus.slowpath.log.ShutdownSafeLogManager;

import java.util.Arrays;
import java.util.List;

/** The entry point of {@code ./isthmus}: dispatches to a {@link Subcommand}. */
public final class Main {

    /** Every verb, in the order {@code isthmus help} lists them. Add new verbs here. */
    static List<Subcommand> subcommands() {
        return List.of(
                new AgentCommand(),
                new FastpathCommand(),
                new ConntrackCommand(),
                new PolicyCommand(),
                new DnsCommand(),
                new IngressCommand(),
                new InstallCniCommand(),
                new PktgenCommand(),
                new SlowpathCommand(),
                new UpCommand(),
                new StatusCommand(),
                new ExecCommand(),
                new DownCommand()
        );
    }

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.manager") == null) { // before anything logs
            System.setProperty("java.util.logging.manager", ShutdownSafeLogManager.CLASS_NAME);
        }
        System.exit(run(args));
    }

    static int run(String[] arguments) {
        final LogSetup.CommandLine commandLine;
        try {
            commandLine = LogSetup.parse(arguments, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("isthmus: " + e.getMessage());
            return 2;
        }
        LogSetup.install(commandLine.settings()); // every log line structured: slowpath README "Logs"
        final String[] args = commandLine.arguments();
        final List<Subcommand> all = subcommands();
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            printHelp(all);
            return args.length == 0 ? 2 : 0;
        }
        for (Subcommand subcommand : all) {
            if (subcommand.name().equals(args[0])) {
                try {
                    return subcommand.run(Arrays.copyOfRange(args, 1, args.length));
                } catch (Exception e) {
                    System.err.println("isthmus " + args[0] + ": " + e.getMessage());
                    if (System.getenv("ISTHMUS_DEBUG") != null) {
                        e.printStackTrace();
                    }
                    return 1;
                }
            }
        }
        System.err.println("isthmus: unknown command '" + args[0] + "'");
        printHelp(all);
        return 2;
    }

    private static void printHelp(List<Subcommand> all) {
        System.err.println("usage: isthmus COMMAND [ARGS...]\n\ncommands:");
        for (Subcommand subcommand : all) {
            System.err.printf("  %-12s %s%n", subcommand.name(), subcommand.summary());
        }
        System.err.println("  help         this list");
        System.err.println("\nglobal options (before COMMAND): --log-level error|warn|info|debug|trace, --log-format logfmt|json"
                + "\n  (or ISTHMUS_LOG_LEVEL, ISTHMUS_LOG_FORMAT)");
    }
}
