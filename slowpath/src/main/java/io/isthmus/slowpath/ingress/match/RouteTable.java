package io.isthmus.slowpath.ingress.match;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The compiled routes of every Ingress Isthmus serves: which backend a (host, path) goes to.
 *
 * <p>Rules are grouped by host: exact host names, wildcard hosts ({@code *.foo.com}, which match
 * exactly one more label: {@code bar.foo.com}, never {@code foo.com} or {@code a.bar.foo.com}),
 * and rules without a host, which match any host. A request tries its exact host's rules, then
 * its wildcard's, then the host-less rules; within a group the longest matching path wins and
 * Exact beats Prefix at equal length. When nothing matches, the default backend (an Ingress's
 * {@code spec.defaultBackend}) takes the request, or there is no match (the proxy's 404).
 *
 * <pre>
 *   request (host, path)
 *     ├─ exactHosts[host]              → rules sorted longest first → first match wins
 *     ├─ wildcardHosts[host minus 1st label]  → same
 *     ├─ anyHost                        → same
 *     └─ defaultBackend, else no match
 * </pre>
 *
 * <p><b>Thread-safety:</b> immutable. The controller's single compile thread builds a new table
 * with {@link Builder} and publishes it with a volatile write; proxy event loops read whichever
 * table is current, each request once.
 */
public final class RouteTable {
    private static final Comparator<PathRule> LONGEST_FIRST =
            Comparator.comparingInt(PathRule::sortLength).reversed()
                    .thenComparing(rule -> rule.type() == PathType.EXACT ? 0 : 1);
    private static final RouteTable EMPTY = new Builder().build();

    private final Map<String, List<PathRule>> exactHosts;
    private final Map<String, List<PathRule>> wildcardHosts;
    private final List<PathRule> anyHost;
    private final Route defaultBackend;

    private RouteTable(Map<String, List<PathRule>> exactHosts, Map<String, List<PathRule>> wildcardHosts,
                       List<PathRule> anyHost, Route defaultBackend) {
        this.exactHosts = exactHosts;
        this.wildcardHosts = wildcardHosts;
        this.anyHost = anyHost;
        this.defaultBackend = defaultBackend;
    }

    /** A table with no routes: every request is a 404. */
    public static RouteTable empty() {
        return EMPTY;
    }

    /**
     * The route for a request, or null (404). {@code host} is normalized with
     * {@link HostNames#normalize}; {@code path} is the URI's path, without the query.
     */
    public RouteMatch match(String host, String path) {
        final String requestPath = path.isEmpty() ? "/" : path;
        RouteMatch found = matchIn(exactHosts.get(host), requestPath);
        if (found == null && !wildcardHosts.isEmpty()) {
            final int dot = host.indexOf('.');
            if (dot > 0) {
                found = matchIn(wildcardHosts.get(host.substring(dot + 1)), requestPath);
            }
        }
        if (found == null) {
            found = matchIn(anyHost, requestPath);
        }
        if (found == null && defaultBackend != null) {
            found = new RouteMatch(defaultBackend, requestPath, true);
        }
        return found;
    }

    private static RouteMatch matchIn(List<PathRule> rules, String path) {
        if (rules == null) {
            return null;
        }
        for (int i = 0; i < rules.size(); i++) {
            final PathRule rule = rules.get(i);
            if (rule.matches(path)) {
                return new RouteMatch(rule.route(), rule.upstreamPath(path), false);
            }
        }
        return null;
    }

    /** Every backend the table can send to (to warm pools, to report). */
    public List<Backend> backends() {
        final List<Backend> all = new ArrayList<>();
        exactHosts.values().forEach(rules -> rules.forEach(r -> all.add(r.route().backend())));
        wildcardHosts.values().forEach(rules -> rules.forEach(r -> all.add(r.route().backend())));
        anyHost.forEach(r -> all.add(r.route().backend()));
        if (defaultBackend != null) {
            all.add(defaultBackend.backend());
        }
        return all;
    }

    /** One line per rule, hosts sorted: for logs and golden tests. */
    public String describe() {
        final StringBuilder out = new StringBuilder();
        exactHosts.keySet().stream().sorted().forEach(h -> exactHosts.get(h).forEach(r -> out.append(h).append(' ').append(r).append('\n')));
        wildcardHosts.keySet().stream().sorted().forEach(h -> wildcardHosts.get(h).forEach(r -> out.append("*.").append(h).append(' ').append(r).append('\n')));
        anyHost.forEach(r -> out.append("* ").append(r).append('\n'));
        if (defaultBackend != null) {
            out.append("default -> ").append(defaultBackend.backend().ref()).append('\n');
        }
        return out.toString();
    }

    /**
     * Collects rules in precedence order of their Ingresses (oldest first): when two rules have the
     * same host, type and path, the first added is kept and {@link #add} says so.
     *
     * <p><b>Thread-safety:</b> one thread.
     */
    public static final class Builder {
        private final Map<String, List<PathRule>> exactHosts = new HashMap<>();
        private final Map<String, List<PathRule>> wildcardHosts = new HashMap<>();
        private final List<PathRule> anyHost = new ArrayList<>();
        private Route defaultBackend;

        /**
         * Adds {@code rule} under {@code host} (null or "" for any host, {@code *.foo.com} for a
         * wildcard). Returns null, or why the rule was not added (a conflict with an earlier one).
         */
        public String add(String host, PathRule rule) {
            final List<PathRule> group;
            if (host == null || host.isEmpty()) {
                group = anyHost;
            } else if (host.startsWith("*.")) {
                group = wildcardHosts.computeIfAbsent(HostNames.normalize(host.substring(2)), h -> new ArrayList<>());
            } else {
                group = exactHosts.computeIfAbsent(HostNames.normalize(host), h -> new ArrayList<>());
            }
            for (PathRule existing : group) {
                if (existing.type() == rule.type() && existing.path().equals(rule.path()) && existing.isRegex() == rule.isRegex()) {
                    return "host '" + (host == null ? "" : host) + "' path " + rule.type().apiName() + " " + rule.path()
                            + " is already routed by Ingress " + existing.route().ingress() + " (older); ignored";
                }
            }
            group.add(rule);
            return null;
        }

        /** Sets the default backend unless one is set. Returns null, or why it was not taken. */
        public String defaultBackend(Route route) {
            if (defaultBackend != null) {
                return "the default backend is already set by Ingress " + defaultBackend.ingress() + " (older); ignored";
            }
            defaultBackend = route;
            return null;
        }

        public RouteTable build() {
            return new RouteTable(sorted(exactHosts), sorted(wildcardHosts), sortedList(anyHost), defaultBackend);
        }

        private static Map<String, List<PathRule>> sorted(Map<String, List<PathRule>> groups) {
            final Map<String, List<PathRule>> out = new HashMap<>();
            groups.forEach((host, rules) -> out.put(host, sortedList(rules)));
            return Map.copyOf(out);
        }

        private static List<PathRule> sortedList(List<PathRule> rules) {
            final List<PathRule> copy = new ArrayList<>(rules);
            copy.sort(LONGEST_FIRST); // stable: equal keys keep Ingress age order
            return List.copyOf(copy);
        }
    }
}
