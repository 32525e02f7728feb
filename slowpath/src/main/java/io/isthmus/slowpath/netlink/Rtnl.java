package io.isthmus.slowpath.netlink;

/**
 * Numbers of the rtnetlink protocol ({@code linux/netlink.h}, {@code linux/rtnetlink.h},
 * {@code linux/if_link.h}, {@code linux/veth.h}, {@code linux/neighbour.h}) that Isthmus uses.
 */
final class Rtnl {
    private Rtnl() {
    }

    // address families: io.isthmus.fastpath.linux.PosixConstants
    static final int NETLINK_ROUTE = 0;

    // nlmsghdr types and flags
    static final short NLMSG_ERROR = 2;
    static final short NLMSG_DONE = 3;
    static final short NLM_F_REQUEST = 0x1;
    static final short NLM_F_MULTI = 0x2;
    static final short NLM_F_ACK = 0x4;
    static final short NLM_F_DUMP = 0x300;
    static final short NLM_F_REPLACE = 0x100;
    static final short NLM_F_EXCL = 0x200;
    static final short NLM_F_CREATE = 0x400;

    static final short RTM_NEWLINK = 16;
    static final short RTM_DELLINK = 17;
    static final short RTM_GETLINK = 18;
    static final short RTM_NEWADDR = 20;
    static final short RTM_GETADDR = 22;
    static final short RTM_NEWROUTE = 24;
    static final short RTM_GETROUTE = 26;
    static final short RTM_NEWNEIGH = 28;
    static final short RTM_GETNEIGH = 30;

    // link attributes
    static final short IFLA_ADDRESS = 1;
    static final short IFLA_IFNAME = 3;
    static final short IFLA_LINKINFO = 18;
    static final short IFLA_NET_NS_FD = 28;
    static final short IFLA_INFO_KIND = 1;
    static final short IFLA_INFO_DATA = 2;
    static final short VETH_INFO_PEER = 1;
    static final int IFF_UP = 0x1;

    // address attributes
    static final short IFA_ADDRESS = 1;
    static final short IFA_LOCAL = 2;

    // route attributes and values
    static final short RTA_DST = 1;
    static final short RTA_OIF = 4;
    static final short RTA_GATEWAY = 5;
    static final short RTA_PREFSRC = 7;
    static final short RTA_TABLE = 15;
    static final byte RT_TABLE_MAIN = (byte) 254;
    static final byte RTPROT_BOOT = 3;
    static final byte RT_SCOPE_UNIVERSE = 0;
    static final byte RT_SCOPE_LINK = (byte) 253;
    static final byte RT_SCOPE_HOST = (byte) 254;
    static final byte RTN_UNICAST = 1;

    // neighbour attributes and states
    static final short NDA_DST = 1;
    static final short NDA_LLADDR = 2;
    static final short NUD_INCOMPLETE = 0x01;
    static final short NUD_FAILED = 0x20;
    static final short NUD_PERMANENT = 0x80;

    /** Nested attributes carry this bit in some kernels' replies; it is not part of the type. */
    static final int NLA_TYPE_MASK = 0x3fff;
}
