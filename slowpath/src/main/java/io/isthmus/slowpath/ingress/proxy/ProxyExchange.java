package io.isthmus.slowpath.ingress.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One request relayed to one backend pod, its response streamed back piece by piece (the backend
 * connection stops reading while the client cannot take more). A pooled connection that turns out
 * dead before any response (the pod closed it while idle) is retried once on a new connection when
 * the method is idempotent; otherwise a failure before the response head answers 502, and no
 * complete answer within the response timeout 504. After the head, a failure can only cut the
 * client's connection (HTTP/1.1) or reset its stream (HTTP/2).
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
    private boolean headSent;
    private boolean backendKeepAlive;
    private final int bodyStart;
    private long deadlineNs;
    /** Links of the pool's in-flight list ({@link BackendPool#track}); only the pool touches them. */
    ProxyExchange olderInFlight;
    ProxyExchange newerInFlight;

    ProxyExchange(FrontendHandler frontend, ChannelHandlerContext ctx, FullHttpRequest request, boolean clientKeepAlive,
                  InetSocketAddress endpoint, ProxyContext proxy) {
        this.frontend = frontend;
        this.ctx = ctx;
        this.request = request;
        this.clientKeepAlive = clientKeepAlive;
        this.endpoint = endpoint;
        this.proxy = proxy;
        this.pool = proxy.pool(ctx.channel().eventLoop());
        this.bodyStart = request.content().readerIndex();
    }

    void start() {
        deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(proxy.settings().responseTimeoutMs());
        pool.track(this);
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
        BackendPool.handlerOf(channel).begin(this);
        // The request itself, retained (a duplicate would copy every header): the encoder releases
        // one reference; a retry rewinds the body, whose earlier write ended with its connection.
        // No promise to allocate: a failed write reaches BackendHandler.exceptionCaught, which closes
        // the connection, and channelInactive reports the failure to this exchange.
        request.content().readerIndex(bodyStart);
        channel.writeAndFlush(request.retain(), channel.voidPromise());
    }

    @Override
    public void failed(Throwable cause) {
        finish(HttpResponseStatus.BAD_GATEWAY);
    }

    @Override
    public void onResponseHead(HttpResponse head) {
        if (done) {
            return;
        }
        headSent = true;
        backendKeepAlive = HttpUtil.isKeepAlive(head);
        frontend.beginResponse(ctx, head, clientKeepAlive, request.method().equals(HttpMethod.HEAD));
    }

    @Override
    public void onResponseContent(HttpContent content, boolean last) {
        if (done || !headSent) {
            content.release();
            return;
        }
        if (!last) {
            if (!frontend.responseContent(ctx, content)) {
                backend.config().setAutoRead(false); // resumed by writable()
            }
            return;
        }
        done = true;
        pool.untrack(this);
        request.release();
        if (backendKeepAlive) {
            backend.config().setAutoRead(true);
            pool.release(endpoint, backend);
        } else {
            backend.close();
        }
        frontend.endResponse(ctx, (LastHttpContent) content, clientKeepAlive);
    }

    /** The client can take more again: read on from the backend. */
    void writable() {
        if (!done && backend != null) {
            backend.config().setAutoRead(true);
        }
    }

    @Override
    public void onFailure(Throwable cause) {
        if (done) {
            return;
        }
        if (headSent) {
            abort();
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

    long deadlineNs() {
        return deadlineNs;
    }

    /** Called by the pool when the deadline passed (already untracked). */
    void timedOut() {
        if (done) {
            return;
        }
        if (backend != null) {
            BackendPool.handlerOf(backend).abandon();
            backend.close();
        }
        if (headSent) {
            abort();
            return;
        }
        finish(HttpResponseStatus.GATEWAY_TIMEOUT);
    }

    private void abort() {
        done = true;
        pool.untrack(this);
        request.release();
        frontend.abortResponse(ctx);
    }

    private void finish(HttpResponseStatus status) {
        if (done) {
            return;
        }
        done = true;
        pool.untrack(this);
        request.release();
        frontend.complete(ctx, ErrorResponses.of(ctx.alloc(), status), clientKeepAlive);
    }
}
