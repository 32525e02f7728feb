package io.isthmus.slowpath.netlink;

import io.isthmus.fastpath.linux.Errno;
import io.isthmus.fastpath.linux.LinuxException;
import io.isthmus.fastpath.linux.PosixConstants;

import java.lang.foreign.Arena;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The rtnetlink operations a CNI plugin needs, in the network namespace of the calling thread:
 * veth pairs (the peer created directly inside another namespace), link state, IPv4 addresses,
 * routes and permanent neighbour entries, and the look-ups CHECK needs. No shelling out to
 * {@code ip}.
 *
 * <p><b>Thread-safety:</b> none; one thread opens, uses and closes it.
 */
public final class RouteNetlink implements AutoCloseable {
    private final RouteNetlinkSocket socket = new RouteNetlinkSocket();

    /** Creates veth {@code hostName} with its peer {@code peerName} placed in the namespace {@code peerNetnsFd}. */
    public void createVeth(String hostName, String peerName, int peerNetnsFd) {
        try (Arena arena = Arena.ofConfined()) {
            final NetlinkRequest request = new NetlinkRequest(arena, Rtnl.RTM_NEWLINK,
                    (short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL), socket.nextSequence())
                    .ifinfomsg(PosixConstants.AF_UNSPEC, 0, 0, 0)
                    .attributeString(Rtnl.IFLA_IFNAME, hostName)
                    .beginNested(Rtnl.IFLA_LINKINFO)
                    .attributeString(Rtnl.IFLA_INFO_KIND, "veth")
                    .beginNested(Rtnl.IFLA_INFO_DATA)
                    .beginNested(Rtnl.VETH_INFO_PEER)
                    .ifinfomsg(PosixConstants.AF_UNSPEC, 0, 0, 0)
                    .attributeString(Rtnl.IFLA_IFNAME, peerName)
                    .attributeInt(Rtnl.IFLA_NET_NS_FD, peerNetnsFd)
                    .endNested()
                    .endNested()
                    .endNested();
            socket.acknowledged(request, "RTM_NEWLINK veth " + hostName + " peer " + peerName);
        }
    }

    /** The interface called {@code name}, if there is one. */
    public Optional<Link> link(String name) {
        try (Arena arena = Arena.ofConfined()) {
            final NetlinkRequest request = new NetlinkRequest(arena, Rtnl.RTM_GETLINK, Rtnl.NLM_F_REQUEST, socket.nextSequence())
                    .ifinfomsg(PosixConstants.AF_UNSPEC, 0, 0, 0)
                    .attributeString(Rtnl.IFLA_IFNAME, name);
            final List<NetlinkReply> replies = socket.query(request, "RTM_GETLINK " + name, 16);
            return replies.isEmpty() ? Optional.empty() : Optional.of(toLink(replies.getFirst()));
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Sets the link administratively up. */
    public void setUp(int index) {
        try (Arena arena = Arena.ofConfined()) {
            final NetlinkRequest request = new NetlinkRequest(arena, Rtnl.RTM_NEWLINK, (short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK), socket.nextSequence())
                    .ifinfomsg(PosixConstants.AF_UNSPEC, index, Rtnl.IFF_UP, Rtnl.IFF_UP);
            socket.acknowledged(request, "RTM_NEWLINK up ifindex " + index);
        }
    }

    /** Deletes the link called {@code name} (a veth takes its peer with it). False when there was none. */
    public boolean deleteLink(String name) {
        try (Arena arena = Arena.ofConfined()) {
            final NetlinkRequest request = new NetlinkRequest(arena, Rtnl.RTM_DELLINK, (short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK), socket.nextSequence())
                    .ifinfomsg(PosixConstants.AF_UNSPEC, 0, 0, 0)
                    .attributeString(Rtnl.IFLA_IFNAME, name);
            socket.acknowledged(request, "RTM_DELLINK " + name);
            return true;
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENODEV) {
                return false;
            }
            throw e;
        }
    }

    /** Adds {@code address/prefixLength} to the link. */
    public void addAddress(int index, Inet4Address address, int prefixLength) {
        try (Arena arena = Arena.ofConfined()) {
            final NetlinkRequest request = new NetlinkRequest(arena, Rtnl.RTM_NEWADDR,
                    (short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL), socket.nextSequence())
                    .ifaddrmsg(PosixConstants.AF_INET, prefixLength, Rtnl.RT_SCOPE_UNIVERSE, index)
                    .attribute(Rtnl.IFA_LOCAL, address.getAddress())
                    .attribute(Rtnl.IFA_ADDRESS, address.getAddress());
            socket.acknowledged(request, "RTM_NEWADDR " + address.getHostAddress() + "/" + prefixLength + " ifindex " + index);
        }
    }

    /** The IPv4 addresses of the link, as {@code a.b.c.d/len}. */
    public List<String> addresses(int index) {
        try (Arena arena = Arena.ofConfined()) {
            final NetlinkRequest request = new NetlinkRequest(arena, Rtnl.RTM_GETADDR, (short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP), socket.nextSequence())
                    .ifaddrmsg(PosixConstants.AF_INET, 0, 0, 0);
            final List<String> found = new ArrayList<>();
            for (NetlinkReply reply : socket.query(request, "RTM_GETADDR", 8)) {
                final byte[] local = reply.attribute(Rtnl.IFA_LOCAL);
                if (reply.familyInt(4) == index && local != null) {
                    found.add(toAddress(local).getHostAddress() + "/" + reply.familyByte(1));
                }
            }
            return found;
        }
    }

    /**
     * Adds a route to {@code destination/prefixLength} out of {@code outputIndex}, via
     * {@code gateway} (null for an on-link, scope-link route).
     */
    public void addRoute(Inet4Address destination, int prefixLength, Inet4Address gateway, int outputIndex) {
        addRoute(destination, prefixLength, gateway, outputIndex, null);
    }

    /**
     * As {@link #addRoute(Inet4Address, int, Inet4Address, int)}, with {@code preferredSource} (a
     * local address; null for none) as the source the node picks for connections it opens over
     * this route ({@code ip route ... src ADDRESS}).
     */
    public void addRoute(Inet4Address destination, int prefixLength, Inet4Address gateway, int outputIndex,
                         Inet4Address preferredSource) {
        try (Arena arena = Arena.ofConfined()) {
            final NetlinkRequest request = new NetlinkRequest(arena, Rtnl.RTM_NEWROUTE,
                    (short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL), socket.nextSequence())
                    .rtmsg(PosixConstants.AF_INET, prefixLength, Rtnl.RT_TABLE_MAIN, Rtnl.RTPROT_BOOT,
                            gateway == null ? Rtnl.RT_SCOPE_LINK : Rtnl.RT_SCOPE_UNIVERSE, Rtnl.RTN_UNICAST);
            if (prefixLength > 0) {
                request.attribute(Rtnl.RTA_DST, destination.getAddress());
            }
            if (gateway != null) {
                request.attribute(Rtnl.RTA_GATEWAY, gateway.getAddress());
            }
            if (preferredSource != null) {
                request.attribute(Rtnl.RTA_PREFSRC, preferredSource.getAddress());
            }
            request.attributeInt(Rtnl.RTA_OIF, outputIndex);
            socket.acknowledged(request, "RTM_NEWROUTE " + destination.getHostAddress() + "/" + prefixLength
                    + (gateway == null ? "" : " via " + gateway.getHostAddress()) + " ifindex " + outputIndex
                    + (preferredSource == null ? "" : " src " + preferredSource.getHostAddress()));
        }
    }

    /** The IPv4 routes of the main table. */
    public List<Route> routes() {
        try (Arena arena = Arena.ofConfined()) {
            final NetlinkRequest request = new NetlinkRequest(arena, Rtnl.RTM_GETROUTE, (short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP), socket.nextSequence())
                    .rtmsg(PosixConstants.AF_INET, 0, (byte) 0, (byte) 0, (byte) 0, (byte) 0);
            final List<Route> found = new ArrayList<>();
            for (NetlinkReply reply : socket.query(request, "RTM_GETROUTE", 12)) {
                final int table = reply.intAttribute(Rtnl.RTA_TABLE, reply.familyByte(4));
                if (table != Byte.toUnsignedInt(Rtnl.RT_TABLE_MAIN)) {
                    continue;
                }
                final byte[] destination = reply.attribute(Rtnl.RTA_DST);
                final byte[] gateway = reply.attribute(Rtnl.RTA_GATEWAY);
                found.add(new Route(destination == null ? toAddress(new byte[4]) : toAddress(destination), reply.familyByte(1),
                        gateway == null ? null : toAddress(gateway), reply.intAttribute(Rtnl.RTA_OIF, 0)));
            }
            return found;
        }
    }

    /** Adds a permanent neighbour entry: {@code address} is at {@code mac} on the link. */
    public void addPermanentNeighbour(int index, Inet4Address address, String mac) {
        try (Arena arena = Arena.ofConfined()) {
            final NetlinkRequest request = new NetlinkRequest(arena, Rtnl.RTM_NEWNEIGH,
                    (short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_REPLACE), socket.nextSequence())
                    .ndmsg(PosixConstants.AF_INET, index, Rtnl.NUD_PERMANENT)
                    .attribute(Rtnl.NDA_DST, address.getAddress())
                    .attribute(Rtnl.NDA_LLADDR, HexFormat.ofDelimiter(":").parseHex(mac));
            socket.acknowledged(request, "RTM_NEWNEIGH " + address.getHostAddress() + " lladdr " + mac + " ifindex " + index);
        }
    }

    /** The neighbour entry for {@code address} on the link (any state but FAILED/INCOMPLETE), if there is one. */
    public Optional<Neighbour> neighbour(int index, Inet4Address address) {
        try (Arena arena = Arena.ofConfined()) {
            final NetlinkRequest request = new NetlinkRequest(arena, Rtnl.RTM_GETNEIGH, (short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP), socket.nextSequence())
                    .ndmsg(PosixConstants.AF_INET, 0, (short) 0);
            for (NetlinkReply reply : socket.query(request, "RTM_GETNEIGH", 12)) {
                final byte[] destination = reply.attribute(Rtnl.NDA_DST);
                final byte[] mac = reply.attribute(Rtnl.NDA_LLADDR);
                final int state = (reply.familyHeader()[8] & 0xff) | (reply.familyHeader()[9] & 0xff) << 8;
                if (reply.familyInt(4) == index && destination != null && mac != null && toAddress(destination).equals(address)
                        && (state & (Rtnl.NUD_INCOMPLETE | Rtnl.NUD_FAILED)) == 0) {
                    return Optional.of(new Neighbour(HexFormat.ofDelimiter(":").formatHex(mac), (state & Rtnl.NUD_PERMANENT) != 0));
                }
            }
            return Optional.empty();
        }
    }

    private static Link toLink(NetlinkReply reply) {
        final byte[] mac = reply.attribute(Rtnl.IFLA_ADDRESS);
        return new Link(reply.familyInt(4), reply.stringAttribute(Rtnl.IFLA_IFNAME),
                mac == null ? "" : HexFormat.ofDelimiter(":").formatHex(mac), (reply.familyInt(8) & Rtnl.IFF_UP) != 0);
    }

    private static Inet4Address toAddress(byte[] bytes) {
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv4 address: " + bytes.length + " bytes", e);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
