package io.isthmus.slowpath.ingress.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The Netty transport: native epoll when its library loads (Linux x86_64, the normal case), else
 * NIO, said in {@link #name()} so that a log line shows which one runs. {@code reusePort}: the
 * transport can open one listening socket per event loop on one port (SO_REUSEPORT; epoll and
 * io_uring).
 *
 * <p>With epoll, sockets for IPv4 addresses are IPv4 sockets ({@code AF_INET}, as nginx opens
 * them): Netty's default is a dual-stack IPv6 socket even for an IPv4 address, so every accepted
 * client and every backend connection would be an IPv4-mapped IPv6 socket, which the kernel sets
 * up and tears down through its IPv6 code (a larger socket, more work per connection).
 *
 * <p>Netty's io_uring transport is the default when the kernel offers it (else epoll, and the name
 * says why: an old kernel, {@code kernel.io_uring_disabled}, or a seccomp profile such as Docker's and
 * containerd's defaults): fewer system calls per request (submissions and completions go through
 * rings shared with the kernel). On a quiet machine, side by side with nginx, it was the transport
 * that met the Ingress target in both client modes, where epoll's p99 was 1.18-1.50x nginx's
 * (benchmarks/RESULTS.md, end of session 5). Its channels cannot be told the address family, so its
 * sockets are dual-stack IPv6 ones (IPv4-mapped for IPv4 addresses).
 * {@code -D}{@value IngressProxy#TRANSPORT_PROPERTY}{@code =epoll} chooses epoll.
 */
record ProxyTransport(String name, IoHandlerFactory ioHandlers, boolean epoll, boolean reusePort, boolean ioUring) {
    /** Epoll, or io_uring when {@code wanted} is {@code io_uring} and the kernel offers it; NIO without either. */
    static ProxyTransport of(String wanted) {
        String fallback = "";
        if (wanted.equals("io_uring")) {
            if (IoUring.isAvailable()) {
                return new ProxyTransport("io_uring", IoUringIoHandler.newFactory(), false, true, true);
            }
            fallback = " (io_uring unavailable: " + IoUring.unavailabilityCause() + ")";
        } else if (!wanted.equals("epoll")) {
            throw new IllegalArgumentException("transport " + wanted + ": expected epoll or io_uring");
        }
        if (Epoll.isAvailable()) {
            return new ProxyTransport("epoll" + fallback, EpollIoHandler.newFactory(), true, true, false);
        }
        return new ProxyTransport("nio (epoll unavailable: " + Epoll.unavailabilityCause() + ")",
                NioIoHandler.newFactory(), false, false, false);
    }

    /**
     * {@code threads} event loops, or with 0 one per core (the CPUs this process may run on): Netty's
     * own default for 0 is two per core, more threads than cores for a proxy that never blocks.
     */
    EventLoopGroup newGroup(int threads, String threadName) {
        final int loops = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new MultiThreadIoEventLoopGroup(loops, new io.netty.util.concurrent.DefaultThreadFactory(threadName, true), ioHandlers);
    }

    /** Listening sockets for {@code bindAddress} (a literal or a name; with epoll IPv4 gets IPv4 sockets). */
    ChannelFactory<ServerChannel> serverChannels(String bindAddress) {
        if (ioUring) {
            return IoUringServerSocketChannel::new;
        }
        if (!epoll) {
            return NioServerSocketChannel::new;
        }
        return isIpv4(bindAddress) ? () -> new EpollServerSocketChannel(SocketProtocolFamily.INET) : EpollServerSocketChannel::new;
    }

    /** Connections to backends at {@code ipv4} addresses (true) or any other (false); io_uring: dual-stack sockets for both. */
    ChannelFactory<Channel> clientChannels(boolean ipv4) {
        if (ioUring) {
            return IoUringSocketChannel::new;
        }
        if (!epoll) {
            return NioSocketChannel::new;
        }
        return ipv4 ? () -> new EpollSocketChannel(SocketProtocolFamily.INET) : EpollSocketChannel::new;
    }

    private static boolean isIpv4(String address) {
        try {
            return InetAddress.getByName(address) instanceof Inet4Address;
        } catch (UnknownHostException e) {
            return false; // the bind itself reports the bad address
        }
    }
}
