package io.isthmus.slowpath.ingress.proxy;

import io.isthmus.slowpath.ingress.IngressSettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to backend pods, one pool per event loop: a request takes an idle
 * connection to its pod when there is one, else opens a new one on the same event loop, and gives
 * it back after a complete keep-alive response. Idle connections are closed by a sweep every
 * {@value #SWEEP_SECONDS} s once idle for {@value #IDLE_SECONDS} s (no per-read or per-write
 * timer); at most {@code maxIdlePerEndpoint} stay idle per pod.
 *
 * <p>The pool also keeps the loop's exchanges in flight, oldest first, and times them out with a
 * check every {@value #TIMEOUT_CHECK_MS} ms: one list append and unlink per request instead of a
 * scheduled task each (all exchanges of a pool have the same timeout, so the list is in deadline order).
 *
 * <p><b>Thread-safety:</b> owned by its event loop; only that loop's handlers call it, so it needs
 * no locks.
 */
final class BackendPool {
    static final int IDLE_SECONDS = 60;
    static final int SWEEP_SECONDS = 15;
    static final int TIMEOUT_CHECK_MS = 250;
    private static final HttpDecoderConfig RESPONSE_DECODING = new HttpDecoderConfig()
            .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(false))
            .setTrailersFactory(DefaultHttpHeadersFactory.trailersFactory().withValidation(false));

    /** How {@link #acquire} answers. */
    interface Callback {
        void acquired(Channel channel, boolean reused);

        void failed(Throwable cause);
    }

    private final Bootstrap ipv4;   // connections to IPv4 pods (IPv4 sockets)
    private final Bootstrap other;  // to IPv6 pods
    private final int maxIdlePerEndpoint;
    /** Idle connections per pod, most recently used first; each one's BackendHandler knows since when it idles. */
    private final Map<InetSocketAddress, ArrayDeque<Channel>> idle = new HashMap<>();
    private ProxyExchange oldest;   // in-flight exchanges, a doubly linked list in start order
    private ProxyExchange newest;

    BackendPool(EventLoop loop, ProxyTransport transport, IngressSettings settings) {
        this.maxIdlePerEndpoint = settings.maxIdlePerEndpoint();
        this.ipv4 = bootstrap(loop, transport.clientChannels(true), settings);
        this.other = bootstrap(loop, transport.clientChannels(false), settings);
        loop.scheduleAtFixedRate(this::closeIdle, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
        loop.scheduleAtFixedRate(this::expire, TIMEOUT_CHECK_MS, TIMEOUT_CHECK_MS, TimeUnit.MILLISECONDS);
    }

    private static Bootstrap bootstrap(EventLoop loop, ChannelFactory<Channel> channels, IngressSettings settings) {
        return new Bootstrap()
                .group(loop)
                .channelFactory(channels)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.connectTimeoutMs())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // Responses stream, never aggregated. Their headers are not validated
                        // character by character: the decoder has already split them into lines, and
                        // they go to the client as the pod wrote them (nginx does not check either).
                        ch.pipeline().addLast("http-codec", new HttpClientCodec(RESPONSE_DECODING, false, false)).addLast("backend", new BackendHandler());
                    }
                });
    }

    /** Starts timing {@code exchange} (appended as the newest). */
    void track(ProxyExchange exchange) {
        exchange.olderInFlight = newest;
        exchange.newerInFlight = null;
        if (newest != null) {
            newest.newerInFlight = exchange;
        } else {
            oldest = exchange;
        }
        newest = exchange;
    }

    /** Stops timing {@code exchange}; a no-op when it is not tracked. */
    void untrack(ProxyExchange exchange) {
        final ProxyExchange older = exchange.olderInFlight;
        final ProxyExchange newer = exchange.newerInFlight;
        if (older == null && newer == null && oldest != exchange) {
            return;
        }
        if (older != null) {
            older.newerInFlight = newer;
        } else {
            oldest = newer;
        }
        if (newer != null) {
            newer.olderInFlight = older;
        } else {
            newest = older;
        }
        exchange.olderInFlight = null;
        exchange.newerInFlight = null;
    }

    private void expire() {
        final long nowNs = System.nanoTime();
        ProxyExchange head;
        while ((head = oldest) != null && nowNs - head.deadlineNs() >= 0) {
            untrack(head);
            head.timedOut();
        }
    }

    /** Closes connections idle for {@value #IDLE_SECONDS} s and forgets pods without connections. */
    private void closeIdle() {
        final long oldestNs = System.nanoTime() - TimeUnit.SECONDS.toNanos(IDLE_SECONDS);
        idle.values().removeIf(channels -> {
            Channel last;
            while ((last = channels.peekLast()) != null && handlerOf(last).idleSinceNs() - oldestNs < 0) {
                channels.pollLast().close(); // least recently used at the tail
            }
            return channels.isEmpty();
        });
    }

    /** An idle connection to {@code endpoint}, or a new one; {@code callback} runs on this event loop. */
    void acquire(InetSocketAddress endpoint, Callback callback) {
        final ArrayDeque<Channel> channels = idle.get(endpoint);
        if (channels != null) {
            Channel channel;
            while ((channel = channels.pollFirst()) != null) {
                if (channel.isActive()) {
                    callback.acquired(channel, true);
                    return;
                }
            }
        }
        connect(endpoint, callback);
    }

    /** A new connection to {@code endpoint}, never a pooled one (the retry after a pooled one failed). */
    void connect(InetSocketAddress endpoint, Callback callback) {
        final ChannelFuture future = (endpoint.getAddress() instanceof Inet4Address ? ipv4 : other).connect(endpoint);
        future.addListener(f -> {
            if (f.isSuccess()) {
                final Channel channel = future.channel();
                channel.closeFuture().addListener(closed -> {
                    final ArrayDeque<Channel> channels = idle.get(endpoint);
                    if (channels != null) {
                        channels.remove(channel);
                    }
                });
                callback.acquired(channel, false);
            } else {
                callback.failed(f.cause());
            }
        });
    }

    /** The last handler of every backend connection (set up by this pool's initializer). */
    static BackendHandler handlerOf(Channel channel) {
        return (BackendHandler) channel.pipeline().last();
    }

    /** Gives back a connection whose last response was complete and keep-alive. */
    void release(InetSocketAddress endpoint, Channel channel) {
        if (!channel.isActive()) {
            return;
        }
        ArrayDeque<Channel> channels = idle.get(endpoint);
        if (channels == null) {
            channels = new ArrayDeque<>();
            idle.put(endpoint, channels);
        }
        if (channels.size() >= maxIdlePerEndpoint) {
            channel.close();
            return;
        }
        handlerOf(channel).idleSince(System.nanoTime());
        channels.addFirst(channel); // most recently used first: warm connections stay in use
    }
}
