package io.isthmus.slowpath.ingress.match;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One path of one Ingress rule, compiled for matching a request path (the part of the URI before
 * {@code ?}, as received, not percent-decoded).
 *
 * <ul>
 *   <li>{@link PathType#EXACT}: the request path equals the path, case-sensitively ({@code /foo}
 *       does not match {@code /foo/}).</li>
 *   <li>{@link PathType#PREFIX} and {@link PathType#IMPLEMENTATION_SPECIFIC}: compared element by
 *       element on {@code /}, a trailing slash ignored on both sides: {@code /foo} and {@code /foo/}
 *       match {@code /foo}, {@code /foo/} and {@code /foo/bar}, never {@code /foobar}; {@code /}
 *       matches every path.</li>
 *   <li>Regex (the Ingress has {@code nginx.ingress.kubernetes.io/use-regex: "true"} or a
 *       {@code rewrite-target}): a Prefix or ImplementationSpecific path is a Java regular
 *       expression, case-insensitive, anchored at the start of the request path only, as nginx's
 *       {@code location ~* "^PATH"} that ingress-nginx writes. Exact paths stay literal.</li>
 * </ul>
 *
 * <p>{@link #sortLength()} orders the rules of one host: longer first, so the first rule that
 * matches is the longest match; at equal length Exact comes first.
 */
public final class PathRule {
    private final PathType type;
    private final String path;
    private final String prefix;      // PREFIX without its trailing slash; "" for "/"
    private final Pattern regex;      // null for literal rules
    private final Route route;

    private PathRule(PathType type, String path, Pattern regex, Route route) {
        this.type = type;
        this.path = path;
        this.prefix = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.regex = regex;
        this.route = route;
    }

    /** A literal rule. Throws IllegalArgumentException when {@code path} does not start with {@code /}. */
    public static PathRule literal(PathType type, String path, Route route) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("path '" + path + "' must start with '/'");
        }
        return new PathRule(type, path, null, route);
    }

    /**
     * A regex rule (Prefix or ImplementationSpecific under use-regex); Exact stays literal.
     * Throws IllegalArgumentException when {@code path} is not a valid regular expression.
     */
    public static PathRule regex(PathType type, String path, Route route) {
        if (type == PathType.EXACT) {
            return literal(type, path, route);
        }
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("regex path must not be empty");
        }
        try {
            return new PathRule(type, path, Pattern.compile(path, Pattern.CASE_INSENSITIVE), route);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("path '" + path + "' is not a valid regular expression: " + e.getDescription());
        }
    }

    public PathType type() {
        return type;
    }

    /** The path as written in the Ingress. */
    public String path() {
        return path;
    }

    public Route route() {
        return route;
    }

    public boolean isRegex() {
        return regex != null;
    }

    /** The length rules are ordered by: a Prefix path's without its trailing slash, else as written. */
    public int sortLength() {
        return type == PathType.EXACT || regex != null ? path.length() : prefix.length();
    }

    /** Whether {@code requestPath} matches this rule. */
    public boolean matches(String requestPath) {
        if (regex != null) {
            return regex.matcher(requestPath).lookingAt();
        }
        if (type == PathType.EXACT) {
            return requestPath.equals(path);
        }
        if (prefix.isEmpty()) {
            return true;
        }
        return requestPath.startsWith(prefix)
                && (requestPath.length() == prefix.length() || requestPath.charAt(prefix.length()) == '/');
    }

    /**
     * The path to send upstream for {@code requestPath}, which {@link #matches} accepted: the request
     * path itself without a rewrite target; else the target with {@code $1}..{@code $9} replaced by
     * the groups the path's regex captured (empty when a group did not take part), as nginx's
     * {@code rewrite} does. The whole path is replaced, not only the matched part.
     */
    public String upstreamPath(String requestPath) {
        final String target = route.rewriteTarget();
        if (target == null) {
            return requestPath;
        }
        final Matcher matcher = regex == null ? null : regex.matcher(requestPath);
        final boolean matched = matcher != null && matcher.lookingAt();
        final StringBuilder out = new StringBuilder(target.length() + requestPath.length());
        for (int i = 0; i < target.length(); i++) {
            final char c = target.charAt(i);
            if (c == '$' && i + 1 < target.length() && target.charAt(i + 1) >= '1' && target.charAt(i + 1) <= '9') {
                final int group = target.charAt(++i) - '0';
                if (matched && group <= matcher.groupCount() && matcher.group(group) != null) {
                    out.append(matcher.group(group));
                }
            } else {
                out.append(c);
            }
        }
        if (out.isEmpty() || out.charAt(0) != '/') {
            out.insert(0, '/');
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return type.apiName() + (regex != null ? " regex " : " ") + path + " -> " + route.backend().ref();
    }
}
