package io.isthmus.cli;

import io.isthmus.slowpath.ingress.IngressSettings;
import io.isthmus.slowpath.ingress.controller.IngressProblem;
import io.isthmus.slowpath.ingress.controller.OfflineIngresses;
import io.isthmus.slowpath.ingress.match.HostNames;
import io.isthmus.slowpath.ingress.match.RouteMatch;
import io.isthmus.slowpath.ingress.proxy.IngressProxy;
import io.isthmus.slowpath.ingress.tls.CertificateStore;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code isthmus ingress}: the Ingress controller's offline front ends, over a directory of
 * ordinary Kubernetes YAML.
 *
 * <ul>
 *   <li>{@code route}: which backend a request goes to, as the proxy would choose it.</li>
 *   <li>{@code serve}: the real proxy, routing by the directory's Ingresses to the pod addresses
 *       of its EndpointSlices, until interrupted (demos and {@code benchmarks/ingress/run.sh}).</li>
 * </ul>
 */
public final class IngressCommand implements Subcommand {
    static final String USAGE = """
            usage: isthmus ingress route -f DIR --host HOST --path PATH [--controller NAME]
                   isthmus ingress serve -f DIR [--http-port N] [--https-port N] [--bind ADDR] [--threads N] [--controller NAME]
              route prints the chosen backend as NAMESPACE/SERVICE:PORT (the port as the Ingress writes it) or 404.
              Ingresses are served when their class's controller is NAME (default isthmus.io/ingress-controller),
              or all of them when DIR holds no IngressClass. serve listens until interrupted (HTTPS only with --https-port).
              The proxy runs on io_uring (epoll where the kernel refuses it); ISTHMUS_JAVA_OPTS=-Disthmus.ingress.transport=epoll chooses epoll.
              Exit: 0 answered, 1 failure at run time, 2 bad usage or bad YAML.""";

    private final PrintStream out;
    private final PrintStream err;

    public IngressCommand() {
        this(System.out, System.err);
    }

    IngressCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public String name() {
        return "ingress";
    }

    @Override
    public String summary() {
        return "Ingress routing offline over a YAML directory (route, serve)";
    }

    private record Options(String verb, Path dir, String host, String path, String controller,
                           int httpPort, int httpsPort, String bind, int threads) {
    }

    @Override
    public int run(String[] args) throws Exception {
        final Options options = CliArgs.parseOrExplain(err, "ingress", USAGE, () -> parse(args));
        if (options == null) {
            return CliArgs.USAGE_EXIT;
        }
        final OfflineIngresses ingresses;
        try {
            ingresses = OfflineIngresses.load(options.dir(), options.controller());
        } catch (OfflineIngresses.InvalidManifests e) {
            e.errors().forEach(error -> err.println("isthmus ingress: " + error));
            return 2;
        } catch (RuntimeException e) {
            err.println("isthmus ingress: " + e.getMessage());
            return 2;
        }
        for (IngressProblem problem : ingresses.compiled().problems()) {
            err.println("isthmus ingress: warning: " + problem);
        }
        return options.verb().equals("route") ? route(ingresses, options) : serve(ingresses, options);
    }

    private int route(OfflineIngresses ingresses, Options options) {
        String path = options.path();
        final int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        final RouteMatch match = ingresses.compiled().routes().match(HostNames.ofAuthority(options.host()), path);
        out.println(match == null ? "404" : match.route().backend().ref().toString());
        return 0;
    }

    private int serve(OfflineIngresses ingresses, Options options) throws Exception {
        ingresses.compiled().warnings().forEach(w -> err.println("isthmus ingress: warning: " + w));
        final IngressSettings settings = IngressSettings.defaults()
                .withController(options.controller())
                .withPorts(options.bind(), options.httpPort(), options.httpsPort())
                .withThreads(options.threads());
        final CertificateStore certificates = CertificateStore.build(ingresses.compiled().tls(), ingresses.inputs().secrets(), err::println);
        final CountDownLatch stop = new CountDownLatch(1);
        try (IngressProxy proxy = IngressProxy.start(settings)) {
            proxy.publish(ingresses.compiled().routes(), certificates);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "ingress-serve-stop"));
            err.println("isthmus ingress: serving " + ingresses.compiled().served().size() + " Ingresses on " + proxy.describeListeners()
                    + " (" + proxy.transport() + ")");
            stop.await();
        }
        return 0;
    }

    private static Options parse(String[] args) {
        if (args.length == 0 || !(args[0].equals("route") || args[0].equals("serve"))) {
            throw new IllegalArgumentException(args.length == 0 ? "missing verb (route, serve)" : "unknown verb '" + args[0] + "'");
        }
        Path dir = null;
        String host = null;
        String path = null;
        String controller = IngressSettings.DEFAULT_CONTROLLER;
        int httpPort = 8080;
        int httpsPort = -1;
        String bind = "0.0.0.0";
        int threads = 0;
        for (int i = 1; i < args.length; i++) {
            final String flag = args[i];
            final String value = CliArgs.value(args, ++i, flag);
            switch (flag) {
                case "-f", "--filename" -> dir = Path.of(value);
                case "--host" -> host = value;
                case "--path" -> path = value;
                case "--controller" -> controller = value;
                case "--http-port" -> httpPort = port(flag, value);
                case "--https-port" -> httpsPort = port(flag, value);
                case "--bind" -> bind = value;
                case "--threads" -> threads = number(flag, value, 1, 64);
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        if (dir == null) {
            throw new IllegalArgumentException("-f DIR is required");
        }
        if (args[0].equals("route")) {
            if (host == null || path == null) {
                throw new IllegalArgumentException("--host HOST and --path PATH are required");
            }
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("--path " + path + ": must start with '/'");
            }
        }
        return new Options(args[0], dir, host, path, controller, httpPort, httpsPort, bind, threads);
    }

    private static int port(String flag, String value) {
        return number(flag, value, 0, 65535);
    }

    private static int number(String flag, String value, int min, int max) {
        try {
            final int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw new IllegalArgumentException(flag + " " + value + ": not in " + min + ".." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " " + value + ": not a number");
        }
    }
}
