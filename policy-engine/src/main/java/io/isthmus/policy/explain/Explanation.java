package io.isthmus.policy.explain;

import java.util.List;

/**
 * Why a connection is allowed or denied: one line per direction, e.g.
 * {@code ingress: allowed by shop/allow-web rule 0} or
 * {@code ingress: denied: isolated by shop/default-deny, no rule matches}.
 */
public record Explanation(boolean allowed, List<String> lines) {

    public Explanation {
        lines = List.copyOf(lines);
    }
}
