package io.isthmus.slowpath.ingress.proxy;

import io.isthmus.slowpath.ingress.IngressSettings;
import io.isthmus.slowpath.ingress.match.RouteTable;
import io.isthmus.slowpath.ingress.tls.CertificateStore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.EventExecutor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Ingress proxy: Netty (native epoll) listening on the node's HTTP and HTTPS ports, routing
 * each request by the {@link RouteTable} last {@link #publish published} to a pod of the matched
 * Service, over keep-alive connections. One event-loop group serves clients and backends; a
 * client connection and its backend connections share one loop, so a request never changes
 * thread.
 *
 * <pre>
 *   client ─► HTTP  :httpPort   HttpServerCodec ─► BodylessRequests (─► aggregator, for bodies) ─► FrontendHandler ─┐
 *   client ─► HTTPS :httpsPort  SniHandler ─► ALPN ─┬─ h2: frame codec ─► stream ─► aggregator ─► FrontendHandler ─┤
 *                                                   └─ http/1.1: as HTTP ───────────────────────────────────────────┤
 *                                                                    BackendPool (per loop) ─► pod ip:targetPort ◄───┘
 * </pre>
 *
 * <p><b>Thread-safety:</b> {@link #publish} may be called from any one thread at a time (the
 * controller's compile thread); {@link #close} once, by the owner.
 */
public final class IngressProxy implements AutoCloseable {
    /**
     * The system property that chooses the Netty transport of {@link #start(IngressSettings)}: {@code io_uring}
     * (the default; epoll where the kernel refuses io_uring) or {@code epoll} (see {@code ProxyTransport}). {@code isthmus agent},
     * {@code isthmus up} and {@code isthmus ingress serve} take it from {@code ISTHMUS_JAVA_OPTS}.
     */
    public static final String TRANSPORT_PROPERTY = "isthmus.ingress.transport";

    private final ProxyTransport transport;
    private final EventLoopGroup group;
    private final PublishedRoutes routes;
    private final Channel http;    // the first HTTP listening socket (all share its address), or null
    private final Channel https;
    private final List<Channel> listeners;

    private IngressProxy(ProxyTransport transport, EventLoopGroup group, PublishedRoutes routes, Channel http, Channel https,
                         List<Channel> listeners) {
        this.transport = transport;
        this.group = group;
        this.routes = routes;
        this.http = http;
        this.https = https;
        this.listeners = List.copyOf(listeners);
    }

    /** Binds the listeners of {@code settings} and serves an empty route table (404) until the first publish. */
    public static IngressProxy start(IngressSettings settings) {
        return start(settings, System.getProperty(TRANSPORT_PROPERTY, "io_uring"));
    }

    /** As {@link #start(IngressSettings)}, over {@code transport}: {@code io_uring} (epoll when the kernel refuses it) or {@code epoll}. */
    public static IngressProxy start(IngressSettings settings, String transportName) {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // Sampling leak detection builds a stack trace for one buffer in 128: a proxy's hot path
            // cannot afford it. -Dio.netty.leakDetection.level=... turns it back on.
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        final ProxyTransport transport = ProxyTransport.of(transportName);
        final EventLoopGroup group = transport.newGroup(settings.threads(), "isthmus-ingress");
        final List<Channel> listeners = new ArrayList<>();
        try {
            final Map<EventLoop, BackendPool> pools = new HashMap<>();
            for (EventExecutor executor : group) {
                final EventLoop loop = (EventLoop) executor;
                pools.put(loop, new BackendPool(loop, transport, settings));
            }
            final PublishedRoutes routes = new PublishedRoutes();
            final ProxyContext proxy = new ProxyContext(routes, settings, pools);
            Channel http = null;
            Channel https = null;
            if (settings.httpPort() >= 0) {
                http = bind(transport, group, settings, settings.httpPort(), new HttpFrontendInitializer(proxy), listeners);
            }
            if (settings.httpsPort() >= 0) {
                https = bind(transport, group, settings, settings.httpsPort(), new TlsFrontendInitializer(proxy), listeners);
            }
            return new IngressProxy(transport, group, routes, http, https, listeners);
        } catch (RuntimeException e) {
            listeners.forEach(Channel::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * Listens on {@code port}. With epoll or io_uring, one socket per event loop on the same port (SO_REUSEPORT,
     * as nginx's {@code reuseport}): the kernel spreads new connections over the sockets, and each
     * loop accepts and serves its own, so an accepted connection is never handed to another thread
     * (with one shared socket, the accepting loop registers every other connection on another loop:
     * a task and a wake-up per connection). Otherwise one socket for the whole group. Every socket
     * bound is added to {@code bound} (closed by the caller on failure); returns the first.
     */
    private static Channel bind(ProxyTransport transport, EventLoopGroup group, IngressSettings settings, int port,
                                ChannelInitializer<SocketChannel> initializer, List<Channel> bound) {
        if (!transport.reusePort()) {
            final Channel channel = bindOne(transport, group, settings, port, initializer);
            bound.add(channel);
            return channel;
        }
        if (port != 0) {
            refuseIfTaken(settings.bindAddress(), port);
        }
        Channel first = null;
        int boundPort = port;
        for (EventExecutor executor : group) {
            final Channel channel = bindOne(transport, (EventLoop) executor, settings, boundPort, initializer);
            bound.add(channel);
            if (first == null) {
                first = channel;
                boundPort = ((InetSocketAddress) channel.localAddress()).getPort(); // port 0: the others join the one picked
            }
        }
        return first;
    }

    /**
     * Fails when something already listens on {@code address:port}. SO_REUSEPORT would otherwise let
     * this proxy join another process's listening sockets on the port (any process of the same
     * user that also set it: a second agent, an earlier proxy) and share its connections silently,
     * where a plain bind fails. The check binds a plain socket (no SO_REUSEPORT) for a moment.
     */
    private static void refuseIfTaken(String address, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as the listeners: connections in TIME_WAIT do not count
            probe.bind(new InetSocketAddress(address, port));
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + address + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** One listening socket whose loop (or group) accepts and serves its connections. */
    private static Channel bindOne(ProxyTransport transport, EventLoopGroup loops, IngressSettings settings, int port,
                                   ChannelInitializer<SocketChannel> initializer) {
        final ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops, loops)
                .channelFactory(transport.serverChannels(settings.bindAddress()))
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                // One connection accepted per readiness of the listening socket (as nginx's default,
                // multi_accept off), not Netty's 16: between two accepts the loop serves what is
                // ready on its open connections, so requests in flight do not wait behind the set-up
                // of a burst of new ones. The socket is level-triggered: the next wait returns at once
                // while connections are queued.
                .option(ChannelOption.RCVBUF_ALLOCATOR, new ServerChannelRecvByteBufAllocator().maxMessagesPerRead(1))
                // No TCP_NODELAY child option: Netty's epoll and NIO socket configs already set it on
                // every accepted socket; setting it again cost one more setsockopt per connection.
                .childHandler(initializer);
        if (transport.reusePort()) {
            bootstrap.option(UnixChannelOption.SO_REUSEPORT, true);
        }
        try {
            return bootstrap.bind(settings.bindAddress(), port).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted binding " + settings.bindAddress() + ":" + port, e);
        } catch (Exception e) { // Netty rethrows the bind failure (checked) from sync()
            throw new IllegalStateException("cannot listen on " + settings.bindAddress() + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** Serves {@code table} and {@code certificates} from now on (requests in flight finish with the old ones). */
    public void publish(RouteTable table, CertificateStore certificates) {
        routes.publish(table, certificates);
    }

    /** The current route table. */
    public RouteTable routes() {
        return routes.current().routes();
    }

    /** The bound HTTP port, or -1. */
    public int httpPort() {
        return http == null ? -1 : ((InetSocketAddress) http.localAddress()).getPort();
    }

    /** The bound HTTPS port, or -1. */
    public int httpsPort() {
        return https == null ? -1 : ((InetSocketAddress) https.localAddress()).getPort();
    }

    /** e.g. {@code 0.0.0.0:80, 0.0.0.0:443}. */
    public String describeListeners() {
        final List<String> bound = new ArrayList<>();
        if (http != null) {
            bound.add("http " + http.localAddress());
        }
        if (https != null) {
            bound.add("https " + https.localAddress());
        }
        return String.join(", ", bound);
    }

    /** How many listening sockets are open over all ports: one per port, or one per port and event loop with epoll. */
    public int listeningSockets() {
        return listeners.size();
    }

    /** How many event loops serve clients and backends ({@code threads}, or one per core when 0). */
    public int eventLoops() {
        int loops = 0;
        for (EventExecutor ignored : group) {
            loops++;
        }
        return loops;
    }

    /** {@code epoll}, {@code io_uring}, {@code epoll (io_uring unavailable: ...)}, or {@code nio (...)} with why epoll is not used. */
    public String transport() {
        return transport.name();
    }

    @Override
    public void close() {
        for (Channel listener : listeners) {
            listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
