package io.isthmus.cli;

import io.isthmus.cli.conntrack.DumpFilter;
import io.isthmus.cli.conntrack.DumpFormat;
import io.isthmus.cli.conntrack.FlushOptions;
import io.isthmus.conntrack.ConntrackConfig;
import io.isthmus.conntrack.ConntrackCounter;
import io.isthmus.conntrack.reader.ConntrackReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code isthmus conntrack}: reads the live shared conntrack table from outside the fast path,
 * through a read-only mapping ({@link ConntrackReader}), so it never slows the writers.
 * {@code flush} is not done here: it asks the table's owner through the header mailbox and
 * waits (bounded) for the owner to carry it out and acknowledge; with no owner alive it
 * refuses and leaves the table alone.
 */
public final class ConntrackCommand implements Subcommand {

    static final String USAGE = """
        usage: isthmus conntrack [--table PATH] COMMAND [OPTIONS]
          dump [--json] [--proto P] [--src A] [--dst A] [--sport N] [--dport N] [--state S]
                        one line per connection (conntrack -L style), or one JSON object per line
          count         number of connections
          stats         table counters (inserts, deletes, early drops, refused, searched, ...)
          flush [--proto P] [--backend A] [--port N] [--timeout-s N]
                        ask the running fast path to remove connections (all, or those whose
                        reply source -- the backend after DNAT -- matches); waits up to N s
                        (default 5) and prints how many it removed
          --table PATH  the shared table (default: the running isthmus up session's, found from
                        ISTHMUS_UP_STATE as 'isthmus status' finds it; else /dev/shm/isthmus-conntrack)""";

    private final PrintStream out;
    private final PrintStream err;

    public ConntrackCommand() {
        this(System.out, System.err);
    }

    public ConntrackCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public String name() {
        return "conntrack";
    }

    @Override
    public String summary() {
        return "show, count or flush the live connection table (dump, count, stats, flush)";
    }

    @Override
    public int run(String[] args) throws Exception {
        Path table = null; // --table, else the running up session's, else the agent's default
        String verb = null;
        final List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--table")) {
                if (i + 1 == args.length) {
                    return usage("--table needs a path");
                }
                table = Path.of(args[++i]);
            } else if (args[i].equals("-h") || args[i].equals("--help")) {
                out.println(USAGE);
                return 0;
            } else if (verb == null && !args[i].startsWith("-")) {
                verb = args[i];
            } else {
                rest.add(args[i]);
            }
        }
        if (verb == null) {
            return usage("which command? dump, count, stats or flush");
        }
        if (table == null) {
            table = io.isthmus.slowpath.up.UpState.fromEnvironment().runningConntrackTable().orElse(ConntrackConfig.DEFAULT_PATH);
        }
        try (ConntrackReader reader = ConntrackReader.open(table)) {
            return switch (verb) {
                case "dump", "list", "-L" -> dump(reader, rest);
                case "count" -> noOptions(verb, rest) ? count(reader) : 2;
                case "stats" -> noOptions(verb, rest) ? stats(reader) : 2;
                case "flush" -> flush(reader, rest);
                default -> usage("unknown command '" + verb + "'");
            };
        } catch (NoSuchFileException e) {
            err.println("isthmus conntrack: no conntrack table at " + table + " (is the fast path running? use --table PATH)");
            return 1;
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        } catch (IOException e) {
            err.println("isthmus conntrack: " + e.getMessage());
            return 1;
        }
    }

    private int usage(String problem) {
        err.println("isthmus conntrack: " + problem);
        err.println(USAGE);
        return 2;
    }

    private boolean noOptions(String verb, List<String> rest) {
        if (rest.isEmpty()) {
            return true;
        }
        usage(verb + " takes no options, got " + rest);
        return false;
    }

    private int dump(ConntrackReader reader, List<String> options) {
        final DumpFilter filter = new DumpFilter();
        boolean json = false;
        for (int i = 0; i < options.size(); i++) {
            final String option = options.get(i);
            if (option.equals("--json")) {
                json = true;
                continue;
            }
            if (i + 1 == options.size()) {
                throw new IllegalArgumentException(option.startsWith("--") ? option + " needs a value" : "unexpected '" + option + "'");
            }
            final String value = options.get(++i);
            switch (option) {
                case "--proto", "-p" -> filter.proto(value);
                case "--src", "-s" -> filter.src(value);
                case "--dst", "-d" -> filter.dst(value);
                case "--sport" -> filter.sport(value);
                case "--dport" -> filter.dport(value);
                case "--state" -> filter.state(value);
                default -> throw new IllegalArgumentException("unknown dump option '" + option + "'");
            }
        }
        final boolean asJson = json;
        final int[] shown = {0};
        reader.forEach(System.currentTimeMillis(), record -> {
            if (filter.matches(record)) {
                out.println(asJson ? DumpFormat.json(record) : DumpFormat.text(record));
                shown[0]++;
            }
        });
        out.flush();
        err.println("isthmus conntrack: " + shown[0] + " flow entries have been shown.");
        return 0;
    }

    private int count(ConntrackReader reader) {
        out.println(reader.count());
        return 0;
    }

    private int stats(ConntrackReader reader) {
        final Map<ConntrackCounter, Long> counters = reader.counters();
        final StringBuilder line = new StringBuilder();
        line.append("entries=").append(reader.count()).append(" capacity=").append(reader.capacity());
        for (Map.Entry<ConntrackCounter, Long> counter : counters.entrySet()) {
            line.append(' ').append(counter.getKey().label().replace('-', '_')).append('=').append(counter.getValue());
        }
        final String owner = reader.ownerProblem(System.currentTimeMillis());
        line.append(" owner=").append(owner == null ? "pid " + reader.ownerPid() : "none");
        out.println(line);
        return 0;
    }

    private int flush(ConntrackReader reader, List<String> options) throws IOException, InterruptedException {
        final FlushOptions parsed = FlushOptions.parse(options);
        final String problem = reader.ownerProblem(System.currentTimeMillis());
        if (problem != null) {
            err.println("isthmus conntrack: cannot flush " + reader.path() + ": " + problem
                + ". Only the running fast path removes connections; nothing was flushed.");
            return 1;
        }
        final ConntrackReader.FlushOutcome outcome = reader.flush(parsed.filter(), parsed.timeoutMs());
        if (!outcome.acknowledged()) {
            err.println("isthmus conntrack: the owner (pid " + reader.ownerPid() + ") did not acknowledge the flush"
                + (outcome.generation() == 0 ? " (another flush held the mailbox)" : " request " + outcome.generation())
                + " within " + parsed.timeoutMs() / 1000 + " s; it may still carry it out");
            return 1;
        }
        out.println("flushed " + outcome.removed() + " connection" + (outcome.removed() == 1 ? "" : "s")
            + " (request " + outcome.generation() + ", acknowledged by pid " + reader.ownerPid() + ")");
        return 0;
    }
}
