package io.isthmus.cli;

import io.isthmus.slowpath.up.PodRecord;
import io.isthmus.slowpath.up.UpState;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code isthmus exec NAMESPACE/POD -- COMMAND...}: runs a command in the network namespace of a
 * pod {@code isthmus up} runs (NAMESPACE defaults to {@code default}), with this terminal, and
 * exits with its exit code.
 */
public final class ExecCommand implements Subcommand {
    private static final String USAGE = "usage: isthmus exec [NAMESPACE/]POD -- COMMAND [ARGS...]";

    @Override
    public String name() {
        return "exec";
    }

    @Override
    public String summary() {
        return "run a command in a pod of 'isthmus up' (exec NS/POD -- CMD...)";
    }

    @Override
    public int run(String[] args) throws Exception {
        if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
            System.out.println(USAGE);
            return 0;
        }
        final int separator = Arrays.asList(args).indexOf("--");
        final int commandStart = separator < 0 ? 1 : separator + 1;
        if (args.length == 0 || (separator >= 0 && separator != 1) || commandStart >= args.length) {
            System.err.println(USAGE);
            return 2;
        }
        final String target = args[0];
        final int slash = target.indexOf('/');
        final String namespace = slash < 0 ? "default" : target.substring(0, slash);
        final String pod = slash < 0 ? target : target.substring(slash + 1);
        final UpState state = UpState.fromEnvironment();
        final Optional<PodRecord> record = state.pod(namespace, pod);
        if (record.isEmpty() || !Files.exists(record.get().netnsPath())) {
            System.err.println("isthmus exec: no pod " + namespace + "/" + pod + " is running"
                    + (state.pods().isEmpty() ? " (is 'isthmus up' running?)" : "; pods: "
                    + String.join(", ", state.pods().stream().map(PodRecord::key).toList())));
            return 1;
        }
        final List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", record.get().netnsName()));
        command.addAll(Arrays.asList(args).subList(commandStart, args.length));
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }
}
