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
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * The client side of the proxy, one instance per HTTP/1.1 connection or per HTTP/2 stream: takes
 * an aggregated request, matches it against the current route table, and relays it to one pod of
 * the backend through the event loop's {@link BackendPool}; the response streams back.
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
    private ArrayDeque<FullHttpRequest> queued;   // pipelined requests waiting; made on the first one
    private boolean busy;
    private AsciiString clientIp;   // of this connection, computed on its first request
    private AsciiString localPort;
    private ProxyExchange inFlight;

    FrontendHandler(ProxyContext proxy, boolean tls, boolean http2) {
        this.proxy = proxy;
        this.tls = tls;
        this.http2 = http2;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            if (busy) {
                if (queued == null) {
                    queued = new ArrayDeque<>();
                }
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
        if (clientIp == null) {
            final Channel client = http2 ? ctx.channel().parent() : ctx.channel();
            clientIp = ForwardedHeaders.clientIp(client.remoteAddress());
            localPort = ForwardedHeaders.localPort(client.localAddress());
        }
        final boolean keepAlive = http2 || HttpUtil.isKeepAlive(request);
        final String target = query < 0 ? match.upstreamPath() : match.upstreamPath() + uri.substring(query);
        final FullHttpRequest upstream = UpstreamRequests.rewrite(request, target, authority, clientIp, localPort, tls ? ForwardedHeaders.HTTPS : ForwardedHeaders.HTTP, http2);
        inFlight = new ProxyExchange(this, ctx, upstream, keepAlive, endpoint, proxy);
        inFlight.start();
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

    /** Sends a whole response of the proxy's own (an error) for the request in flight; {@code keepAlive} is what the client asked for. */
    void complete(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (!ctx.channel().isActive()) {
            response.release();
            inFlight = null;
            drop();
            return;
        }
        if (!http2) {
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, "close");
            }
        }
        next(ctx, ctx.writeAndFlush(response), keepAlive);
    }

    /** Writes the head of a backend's response (hop-by-hop headers dropped, framing set for this client). */
    void beginResponse(ChannelHandlerContext ctx, HttpResponse head, boolean keepAlive, boolean toHead) {
        final boolean chunked = HttpUtil.isTransferEncodingChunked(head);
        ForwardedHeaders.dropHopByHop(head.headers(), false);
        if (!http2) {
            head.setProtocolVersion(HttpVersion.HTTP_1_1);
            final int code = head.status().code();
            final boolean mayHaveBody = !toHead && code != 204 && code != 304;
            if (mayHaveBody && (chunked || !head.headers().contains(HttpHeaderNames.CONTENT_LENGTH))) {
                HttpUtil.setTransferEncodingChunked(head, true); // the backend's framing is gone: chunk for this client
            }
            if (!keepAlive) {
                head.headers().set(HttpHeaderNames.CONNECTION, "close");
            }
        }
        ctx.write(head, ctx.voidPromise()); // a failed write reaches exceptionCaught, which closes
    }

    /** Writes a piece of the body. Returns false when the client cannot take more for now. */
    boolean responseContent(ChannelHandlerContext ctx, HttpContent content) {
        ctx.writeAndFlush(content);
        return ctx.channel().isWritable();
    }

    /** Writes the last piece and goes on with the next request (or closes). */
    void endResponse(ChannelHandlerContext ctx, LastHttpContent last, boolean keepAlive) {
        // Only a closing response needs its write's future (to close after it); the others take the
        // void promise: nothing allocated per response, a failure reaches exceptionCaught.
        next(ctx, keepAlive || http2 ? ctx.writeAndFlush(last, ctx.voidPromise()) : ctx.writeAndFlush(last), keepAlive);
    }

    /** The response broke after its head was sent: the only honest signal left is to cut the connection (or the stream). */
    void abortResponse(ChannelHandlerContext ctx) {
        inFlight = null;
        busy = false;
        drop();
        ctx.flush();
        ctx.close();
    }

    private void next(ChannelHandlerContext ctx, ChannelFuture written, boolean keepAlive) {
        inFlight = null;
        busy = false;
        if (!keepAlive && !http2) {
            written.addListener(ChannelFutureListener.CLOSE);
            drop();
            return;
        }
        final FullHttpRequest next = queued == null ? null : queued.pollFirst();
        if (next != null) {
            handle(ctx, next);
        } else if (!ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && inFlight != null) {
            inFlight.writable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void drop() {
        if (queued == null) {
            return;
        }
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
