package io.isthmus.policy.model;

import java.util.List;

/**
 * A peer by address (API: {@code IPBlock}): addresses in {@code cidr} but in none of
 * {@code except}. Each except must lie inside {@code cidr} ({@link PolicyValidator} checks).
 */
public record IpBlock(Cidr cidr, List<Cidr> except) {

    public IpBlock {
        except = List.copyOf(except);
    }

    /** Whether an address whose longest known prefix is {@code prefix} is in this block. */
    public boolean matchesPrefix(Cidr prefix) {
        if (!cidr.contains(prefix)) {
            return false;
        }
        for (Cidr hole : except) {
            if (hole.contains(prefix)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "ipBlock " + cidr + (except.isEmpty() ? "" : " except " + except);
    }
}
