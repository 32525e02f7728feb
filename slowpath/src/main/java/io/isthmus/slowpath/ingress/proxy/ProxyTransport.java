package io.isthmus.slowpath.ingress.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The Netty transport: native epoll when its library loads (Linux x86_64, the normal case), else
 * NIO, said in {@link #name()} so that a log line shows which one runs. {@code reusePort}: the
 * transport can open one listening socket per event loop on one port (SO_REUSEPORT, epoll only).
 */
record ProxyTransport(String name, IoHandlerFactory ioHandlers, Class<? extends ServerChannel> serverChannel,
                      Class<? extends Channel> clientChannel, boolean reusePort) {

    static ProxyTransport best() {
        if (Epoll.isAvailable()) {
            return new ProxyTransport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class, true);
        }
        return new ProxyTransport("nio (epoll unavailable: " + Epoll.unavailabilityCause() + ")",
                NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class, false);
    }

    /**
     * {@code threads} event loops, or with 0 one per core (the CPUs this process may run on): Netty's
     * own default for 0 is two per core, more threads than cores for a proxy that never blocks.
     */
    EventLoopGroup newGroup(int threads, String threadName) {
        final int loops = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new MultiThreadIoEventLoopGroup(loops, new io.netty.util.concurrent.DefaultThreadFactory(threadName, true), ioHandlers);
    }
}
