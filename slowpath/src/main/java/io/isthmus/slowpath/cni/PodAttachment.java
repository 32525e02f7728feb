package io.isthmus.slowpath.cni;

import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What one pod attachment must look like: the pod end {@code ifName} inside {@code netns} with
 * {@code address}/32, a default route via {@code gateway} and a permanent neighbour entry for it;
 * the host end {@code hostIfName} attached to the fast path.
 */
public record PodAttachment(String containerId, String netns, String ifName, String hostIfName,
                            Inet4Address address, Inet4Address gateway) {

    /** The pods' link-local gateway, answered by the fast path's ARP responder (Calico's model). */
    public static final Inet4Address GATEWAY = Ipv4Cidr.parseAddress("169.254.1.1");

    /**
     * The host-side veth name of an attachment: {@code isx} and 11 hex digits of a hash of the
     * container ID and interface name, so DEL and GC find it with no state (15 bytes at most).
     */
    public static String hostInterfaceName(String containerId, String ifName) {
        try {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest((containerId + "/" + ifName).getBytes(StandardCharsets.UTF_8));
            return "isx" + HexFormat.of().formatHex(digest).substring(0, 11);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
