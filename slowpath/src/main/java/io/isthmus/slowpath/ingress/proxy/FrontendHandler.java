package io.isthmus.slowpath.ingress.proxy;

import io.isthmus.slowpath.ingress.match.Backend;
import io.isthmus.slowpath.ingress.match.HostNames;
import io.isthmus.slowpath.ingress.match.RouteMatch;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * The client side of the proxy, one instance per HTTP/1.1 connection or per HTTP/2 stream: takes
 * an aggregated request, matches it against the current route table, and relays it to one pod of
 * the backend through the event loop's {@link BackendPool}.
 *
 * <p>Answers of its own: 400 for a request the codec could not parse (then the connection closes;
 * the proxy goes on serving others), 404 when nothing matches, 503 when the backend has no ready
 * endpoint, 502 when the pod refuses or drops the connection, 504 when it does not answer in time.
 * HTTP/1.1 requests pipelined by a client are answered in order, one at a time.
 *
 * <p><b>Thread-safety:</b> the channel's event loop only (HTTP/2 stream channels run on their
 * connection's loop).
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private static final int MAX_QUEUED = 16;

    private final ProxyContext proxy;
    private final boolean tls;
    private final boolean http2;
    private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
    private boolean busy;

    FrontendHandler(ProxyContext proxy, boolean tls, boolean http2) {
        this.proxy = proxy;
        this.tls = tls;
        this.http2 = http2;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            if (busy) {
                queued.addLast(request);
                if (queued.size() >= MAX_QUEUED) {
                    ctx.channel().config().setAutoRead(false);
                }
                return;
            }
            handle(ctx, request);
        } else if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            reject(ctx);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void reject(ChannelHandlerContext ctx) {
        final FullHttpResponse response = ErrorResponses.of(ctx.alloc(), HttpResponseStatus.BAD_REQUEST);
        if (!http2) {
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
        }
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        drop();
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        busy = true;
        if (request.decoderResult().isFailure()) {
            request.release();
            reject(ctx);
            return;
        }
        String authority = request.headers().get(HttpHeaderNames.HOST);
        if (authority == null) {
            authority = request.headers().get("x-http2-authority");
        }
        final String uri = request.uri();
        final int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        if (!path.startsWith("/")) {
            path = absoluteFormPath(path);
        }
        final RouteMatch match = path == null ? null : proxy.routes().current().routes().match(HostNames.ofAuthority(authority), path);
        if (match == null) {
            respond(ctx, request, ErrorResponses.of(ctx.alloc(), path == null ? HttpResponseStatus.BAD_REQUEST : HttpResponseStatus.NOT_FOUND), false);
            return;
        }
        final Backend backend = match.route().backend();
        final InetSocketAddress endpoint = backend.nextEndpoint();
        if (endpoint == null) {
            respond(ctx, request, ErrorResponses.of(ctx.alloc(), HttpResponseStatus.SERVICE_UNAVAILABLE), false);
            return;
        }
        final Channel client = http2 ? ctx.channel().parent() : ctx.channel();
        final boolean keepAlive = http2 || HttpUtil.isKeepAlive(request);
        final FullHttpRequest upstream = UpstreamRequests.rewrite(request, match.upstreamPath() + (query < 0 ? "" : uri.substring(query)),
                authority, client.remoteAddress(), client.localAddress(), tls ? "https" : "http");
        new ProxyExchange(this, ctx, upstream, keepAlive, endpoint, proxy).start();
    }

    /** {@code http://host/path} (absolute form, RFC 9112 section 3.2.2) → {@code /path}; null when it is not a URI. */
    private static String absoluteFormPath(String target) {
        final int scheme = target.indexOf("://");
        if (scheme <= 0) {
            return null;
        }
        final int slash = target.indexOf('/', scheme + 3);
        return slash < 0 ? "/" : target.substring(slash);
    }

    /** Sends {@code response} for the current request and goes on with the next queued one. */
    void respond(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response, boolean forceClose) {
        final boolean keepAlive = !forceClose && (http2 || HttpUtil.isKeepAlive(request));
        if (request.refCnt() > 0) {
            request.release();
        }
        complete(ctx, response, keepAlive);
    }

    /** Sends the response of the exchange in flight; {@code keepAlive} is what the client asked for. */
    void complete(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (!ctx.channel().isActive()) {
            response.release();
            drop();
            return;
        }
        ForwardedHeaders.dropHopByHop(response.headers());
        if (!http2) {
            response.setProtocolVersion(HttpVersion.HTTP_1_1);
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, "close");
            }
        }
        final ChannelFuture written = ctx.writeAndFlush(response);
        busy = false;
        if (!keepAlive && !http2) {
            written.addListener(ChannelFutureListener.CLOSE);
            drop();
            return;
        }
        final FullHttpRequest next = queued.pollFirst();
        if (next != null) {
            handle(ctx, next);
        } else if (!ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void drop() {
        FullHttpRequest request;
        while ((request = queued.pollFirst()) != null) {
            request.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        drop();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
