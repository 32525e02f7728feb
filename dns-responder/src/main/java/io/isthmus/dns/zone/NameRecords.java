package io.isthmus.dns.zone;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The resource records of one owner name while a zone is being built (text form; the
 * {@link ZoneCompiler} turns them into wire answers). An owner with no records is an empty
 * non-terminal: it exists (NODATA, not NXDOMAIN).
 *
 * <p>Thread-safety: confined to the building thread.
 */
final class NameRecords {
    /** An SRV record's RDATA. */
    record Srv(int priority, int weight, int port, String target) {
    }

    final String name;
    /** The apex whose SOA goes in the authority section of a negative answer for this name. */
    final String authorityApex;
    final Set<InetAddress> ipv4 = new LinkedHashSet<>();
    final Set<InetAddress> ipv6 = new LinkedHashSet<>();
    final Set<Srv> srv = new LinkedHashSet<>();
    final Set<String> ptr = new LinkedHashSet<>();
    final List<String> txt = new ArrayList<>();
    String cname = "";
    boolean apex;

    NameRecords(String name, String authorityApex) {
        this.name = name;
        this.authorityApex = authorityApex;
    }

    void addAddress(InetAddress address) {
        (address.getAddress().length == 4 ? ipv4 : ipv6).add(address);
    }

    boolean hasAddresses() {
        return !ipv4.isEmpty() || !ipv6.isEmpty();
    }
}
