package io.isthmus.cli;

import io.isthmus.policy.compile.PolicySnapshot;
import io.isthmus.policy.explain.Endpoint;
import io.isthmus.policy.explain.Explanation;
import io.isthmus.policy.explain.PolicyExplainer;
import io.isthmus.policy.explain.PolicyModel;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Protocol;
import io.isthmus.slowpath.policy.OfflinePolicySet;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code isthmus policy eval}: NetworkPolicy verdicts offline, over a directory of ordinary
 * Kubernetes YAML (Namespaces, Pods with labels, container ports and status.podIP,
 * NetworkPolicies). Verdicts come from the compiled tables the fast path uses
 * ({@link PolicySnapshot}); the explanation lines come from the explainer, and the two are
 * checked against each other.
 */
public final class PolicyCommand implements Subcommand {
    static final String USAGE = """
            usage: isthmus policy eval -f DIR (--from NS/POD | --from-ip ADDR) (--to NS/POD | --to-ip ADDR) --port PORT[/PROTO] [--node-ip ADDR]...
                   isthmus policy eval -f DIR --matrix --port PORT[/PROTO] [--node-ip ADDR]...
              PROTO is TCP (default), UDP or SCTP. The verdict is for a new connection's first packet; replies of an
              allowed connection are allowed by conntrack. --node-ip names the pods' own node: connections from it into
              a pod are always allowed. Every pod of DIR is treated as local. Exit: 0 verdict printed, 2 bad usage or input.""";

    private final PrintStream out;
    private final PrintStream err;

    public PolicyCommand() {
        this(System.out, System.err);
    }

    PolicyCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public String name() {
        return "policy";
    }

    @Override
    public String summary() {
        return "evaluate NetworkPolicies offline over a YAML directory (eval)";
    }

    private record Options(Path dir, String from, String fromIp, String to, String toIp, Protocol protocol, int port,
                           boolean matrix, List<IpAddress> nodeAddresses) {
    }

    @Override
    public int run(String[] args) {
        final Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("isthmus policy: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        final OfflinePolicySet set;
        try {
            set = OfflinePolicySet.load(options.dir(), options.nodeAddresses());
        } catch (RuntimeException e) {
            err.println("isthmus policy: " + e.getMessage());
            return 2;
        }
        if (!set.errors().isEmpty()) {
            for (String error : set.errors()) {
                err.println("isthmus policy: " + error);
            }
            return 2;
        }
        return options.matrix() ? matrix(set, options) : single(set, options);
    }

    private int matrix(OfflinePolicySet set, Options options) {
        final PolicySnapshot snapshot = set.snapshot();
        final List<String> keys = new ArrayList<>(set.pods().keySet());
        keys.sort(null);
        for (String from : keys) {
            final int src = set.compiler().refOfPod(from);
            for (String to : keys) {
                if (!from.equals(to)) {
                    final boolean allowed = snapshot.allows(src, set.compiler().refOfPod(to), options.protocol().index(), options.port());
                    out.println(from + " " + to + " " + (allowed ? "ALLOW" : "DENY"));
                }
            }
        }
        return 0;
    }

    private int single(OfflinePolicySet set, Options options) {
        final PolicyModel model = set.model();
        final Endpoint source;
        final Endpoint destination;
        final int srcRef;
        final int dstRef;
        try {
            source = endpoint(set, model, options.from(), options.fromIp());
            destination = endpoint(set, model, options.to(), options.toIp());
            srcRef = ref(set, options.from(), options.fromIp());
            dstRef = ref(set, options.to(), options.toIp());
        } catch (IllegalArgumentException e) {
            err.println("isthmus policy: " + e.getMessage());
            return 2;
        }
        final boolean allowed = set.snapshot().allows(srcRef, dstRef, options.protocol().index(), options.port());
        final Explanation explanation = new PolicyExplainer(model).explain(source, destination, options.protocol(), options.port());
        out.println(allowed ? "ALLOW" : "DENY");
        explanation.lines().forEach(out::println);
        if (explanation.allowed() != allowed) {
            err.println("isthmus policy: internal error: the compiled tables say " + (allowed ? "ALLOW" : "DENY")
                    + " but the explanation says otherwise; please report this with DIR");
            return 1;
        }
        return 0;
    }

    private static String podKey(String name) {
        return name.contains("/") ? name : "default/" + name;
    }

    private static Endpoint endpoint(OfflinePolicySet set, PolicyModel model, String pod, String ip) {
        if (pod != null) {
            final PodInfo info = set.pods().get(podKey(pod));
            if (info == null) {
                throw new IllegalArgumentException("no pod " + podKey(pod) + " in the directory");
            }
            return new Endpoint.Pod(info);
        }
        return model.endpointOf(IpAddress.parse(ip));
    }

    private static int ref(OfflinePolicySet set, String pod, String ip) {
        if (pod != null) {
            return set.compiler().refOfPod(podKey(pod));
        }
        final IpAddress address = IpAddress.parse(ip);
        return address.ipv6() ? set.snapshot().refOfIpv6(address.high(), address.low()) : set.snapshot().refOfIpv4(address.ipv4Bits());
    }

    private static Options parse(String[] args) {
        if (args.length == 0 || !args[0].equals("eval")) {
            throw new IllegalArgumentException(args.length == 0 ? "missing verb (eval)" : "unknown verb '" + args[0] + "'");
        }
        Path dir = null;
        String from = null;
        String fromIp = null;
        String to = null;
        String toIp = null;
        String port = null;
        boolean matrix = false;
        final List<IpAddress> nodes = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            final String flag = args[i];
            if (flag.equals("--matrix")) {
                matrix = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + flag + " needs a value");
            }
            final String value = args[++i];
            switch (flag) {
                case "-f", "--filename" -> dir = Path.of(value);
                case "--from" -> from = value;
                case "--from-ip" -> fromIp = address("--from-ip", value).toString();
                case "--to" -> to = value;
                case "--to-ip" -> toIp = address("--to-ip", value).toString();
                case "--port" -> port = value;
                case "--node-ip" -> nodes.add(address("--node-ip", value));
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        if (dir == null) {
            throw new IllegalArgumentException("-f DIR is required");
        }
        if (port == null) {
            throw new IllegalArgumentException("--port PORT[/PROTO] is required");
        }
        if (!matrix && ((from == null) == (fromIp == null) || (to == null) == (toIp == null))) {
            throw new IllegalArgumentException("give one of --from/--from-ip and one of --to/--to-ip, or --matrix");
        }
        if (matrix && (from != null || fromIp != null || to != null || toIp != null)) {
            throw new IllegalArgumentException("--matrix takes no --from/--to");
        }
        final int slash = port.indexOf('/');
        final Protocol protocol = slash < 0 ? Protocol.TCP : Protocol.ofApiName(port.substring(slash + 1).toUpperCase(Locale.ROOT));
        if (protocol == null) {
            throw new IllegalArgumentException("--port " + port + ": protocol must be TCP, UDP or SCTP");
        }
        final int number;
        try {
            number = Integer.parseInt(slash < 0 ? port : port.substring(0, slash));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port " + port + ": not a port number");
        }
        if (number < 1 || number > 65535) {
            throw new IllegalArgumentException("--port " + port + ": not in 1..65535");
        }
        return new Options(dir, from, fromIp, to, toIp, protocol, number, matrix, nodes);
    }

    private static IpAddress address(String flag, String text) {
        final IpAddress address = IpAddress.parse(text);
        if (address == null) {
            throw new IllegalArgumentException(flag + " " + text + ": not an IP address");
        }
        return address;
    }
}
