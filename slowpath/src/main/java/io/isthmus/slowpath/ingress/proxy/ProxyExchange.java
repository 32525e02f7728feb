package io.isthmus.slowpath.ingress.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One request relayed to one backend pod. A pooled connection that turns out dead before any
 * response (the pod closed it while idle) is retried once on a new connection when the method is
 * idempotent; otherwise a failure answers 502, and no answer within the response timeout 504.
 *
 * <p><b>Thread-safety:</b> the client channel's event loop only; backend connections come from
 * that loop's pool, so every callback runs on the same thread.
 */
final class ProxyExchange implements Exchange, BackendPool.Callback {
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);

    private final FrontendHandler frontend;
    private final ChannelHandlerContext ctx;
    private final FullHttpRequest request;
    private final boolean clientKeepAlive;
    private final InetSocketAddress endpoint;
    private final ProxyContext proxy;
    private final BackendPool pool;
    private Channel backend;
    private boolean reused;
    private boolean retried;
    private boolean done;
    private ScheduledFuture<?> timeout;

    ProxyExchange(FrontendHandler frontend, ChannelHandlerContext ctx, FullHttpRequest request, boolean clientKeepAlive,
                  InetSocketAddress endpoint, ProxyContext proxy) {
        this.frontend = frontend;
        this.ctx = ctx;
        this.request = request;
        this.clientKeepAlive = clientKeepAlive;
        this.endpoint = endpoint;
        this.proxy = proxy;
        this.pool = proxy.pool(ctx.channel().eventLoop());
    }

    void start() {
        timeout = ctx.channel().eventLoop().schedule(this::timedOut, proxy.settings().responseTimeoutMs(), TimeUnit.MILLISECONDS);
        pool.acquire(endpoint, this);
    }

    @Override
    public void acquired(Channel channel, boolean wasPooled) {
        if (done) {
            pool.release(endpoint, channel);
            return;
        }
        backend = channel;
        reused = wasPooled;
        channel.pipeline().get(BackendHandler.class).begin(this);
        channel.writeAndFlush(request.retainedDuplicate()).addListener(f -> {
            if (!f.isSuccess()) {
                channel.close(); // BackendHandler.channelInactive reports the failure
            }
        });
    }

    @Override
    public void failed(Throwable cause) {
        finish(HttpResponseStatus.BAD_GATEWAY);
    }

    @Override
    public void onResponse(FullHttpResponse response) {
        if (done) {
            response.release();
            return;
        }
        if (HttpUtil.isKeepAlive(response)) {
            pool.release(endpoint, backend);
        } else {
            backend.close();
        }
        done = true;
        timeout.cancel(false);
        request.release();
        frontend.complete(ctx, response, clientKeepAlive);
    }

    @Override
    public void onFailure(Throwable cause) {
        if (done) {
            return;
        }
        if (reused && !retried && IDEMPOTENT.contains(request.method())) {
            retried = true;
            reused = false;
            pool.connect(endpoint, this);
            return;
        }
        finish(HttpResponseStatus.BAD_GATEWAY);
    }

    private void timedOut() {
        if (done) {
            return;
        }
        if (backend != null) {
            backend.pipeline().get(BackendHandler.class).abandon();
            backend.close();
        }
        finish(HttpResponseStatus.GATEWAY_TIMEOUT);
    }

    private void finish(HttpResponseStatus status) {
        if (done) {
            return;
        }
        done = true;
        timeout.cancel(false);
        request.release();
        frontend.complete(ctx, ErrorResponses.of(ctx.alloc(), status), clientKeepAlive);
    }
}
