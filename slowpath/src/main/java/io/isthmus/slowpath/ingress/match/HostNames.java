package io.isthmus.slowpath.ingress.match;

import java.util.Locale;

/** Host names as the route table compares them: lower case, no port, no trailing dot. */
public final class HostNames {
    private HostNames() {
    }

    /**
     * The host of a {@code Host} header or {@code :authority} ({@code Foo.COM:8080} → {@code foo.com},
     * {@code [::1]:80} → {@code [::1]}); "" when absent.
     */
    public static String ofAuthority(String authority) {
        if (authority == null) {
            return "";
        }
        String host = authority.trim();
        if (host.startsWith("[")) {
            final int close = host.indexOf(']');
            host = close < 0 ? host : host.substring(0, close + 1);
        } else {
            final int colon = host.lastIndexOf(':');
            if (colon >= 0) {
                host = host.substring(0, colon);
            }
        }
        return normalize(host);
    }

    /** Lower case, trailing dot removed. */
    public static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }
}
