package io.isthmus.cli;

import io.isthmus.fastpath.linux.Libc;
import io.isthmus.slowpath.up.Teardown;
import io.isthmus.slowpath.up.UpState;

/**
 * {@code isthmus down}: removes everything {@code isthmus up} made (its session, pods, namespaces,
 * veths, XDP attachments, shared memory, state). Idempotent; works after a crashed {@code up}.
 */
public final class DownCommand implements Subcommand {
    @Override
    public String name() {
        return "down";
    }

    @Override
    public String summary() {
        return "remove everything 'isthmus up' made (idempotent, also after a crash)";
    }

    @Override
    public int run(String[] args) throws Exception {
        if (args.length > 0) {
            System.err.println(args[0].equals("-h") || args[0].equals("--help") ? "usage: isthmus down" : "isthmus down: takes no arguments");
            return args[0].startsWith("-h") || args[0].equals("--help") ? 0 : 2;
        }
        if (Libc.geteuid() != 0) {
            System.err.println("isthmus down: must run as root");
            return 1;
        }
        final UpState state = UpState.fromEnvironment();
        System.out.println(Teardown.down(state, System.out, System.err)
                ? "isthmus down: everything removed" : "isthmus down: nothing to remove (" + state.dir() + " does not exist)");
        return 0;
    }
}
