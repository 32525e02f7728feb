package io.isthmus.slowpath.ingress.proxy;

import io.isthmus.slowpath.ingress.IngressSettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.timeout.IdleStateHandler;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to backend pods, one pool per event loop: a request takes an idle
 * connection to its pod when there is one, else opens a new one on the same event loop, and gives
 * it back after a complete keep-alive response. Idle connections close after
 * {@value #IDLE_SECONDS} s; at most {@code maxIdlePerEndpoint} stay idle per pod.
 *
 * <p><b>Thread-safety:</b> owned by its event loop; only that loop's handlers call it, so it needs
 * no locks.
 */
final class BackendPool {
    static final int IDLE_SECONDS = 60;

    /** How {@link #acquire} answers. */
    interface Callback {
        void acquired(Channel channel, boolean reused);

        void failed(Throwable cause);
    }

    private final Bootstrap bootstrap;
    private final int maxIdlePerEndpoint;
    private final Map<InetSocketAddress, ArrayDeque<Channel>> idle = new HashMap<>();

    BackendPool(EventLoop loop, ProxyTransport transport, IngressSettings settings) {
        this.maxIdlePerEndpoint = settings.maxIdlePerEndpoint();
        final int maxBody = settings.maxBodyBytes();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.connectTimeoutMs())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS),
                                new HttpClientCodec(), new HttpObjectAggregator(maxBody), new BackendHandler());
                    }
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
        final ChannelFuture future = bootstrap.connect(endpoint);
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

    /** Gives back a connection whose last response was complete and keep-alive. */
    void release(InetSocketAddress endpoint, Channel channel) {
        if (!channel.isActive()) {
            return;
        }
        final ArrayDeque<Channel> channels = idle.computeIfAbsent(endpoint, e -> new ArrayDeque<>());
        if (channels.size() >= maxIdlePerEndpoint) {
            channel.close();
            return;
        }
        channels.addFirst(channel); // most recently used first: warm connections stay in use
    }
}
