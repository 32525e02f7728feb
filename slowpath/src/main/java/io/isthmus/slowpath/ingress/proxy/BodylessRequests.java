package io.isthmus.slowpath.ingress.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Turns a request without a body (no Content-Length or 0, not chunked, no Expect: most GETs) and
 * the empty last content that follows it into one {@link FullHttpRequest} with an empty buffer,
 * without an {@link HttpObjectAggregator} and its composite buffer. Everything else (bodies,
 * decoder failures) goes on untouched to an aggregator, which this handler puts right after
 * itself the first time the connection needs one: a connection that only ever sends bodyless
 * requests (most of them, and every one-request connection) never builds an aggregator.
 *
 * <p><b>Thread-safety:</b> one per HTTP/1.1 connection, on its event loop.
 */
final class BodylessRequests extends ChannelInboundHandlerAdapter {
    private final int maxBodyBytes;
    private HttpRequest held;
    private boolean aggregating;

    BodylessRequests(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (held != null) {
            final HttpRequest request = held;
            held = null;
            if (msg instanceof LastHttpContent last && !last.content().isReadable() && last.trailingHeaders().isEmpty()
                    && last.decoderResult().isSuccess()) {
                last.release();
                ctx.fireChannelRead(new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                        Unpooled.EMPTY_BUFFER, request.headers(), last.trailingHeaders()));
                return;
            }
            toAggregator(ctx, request);
        }
        if (msg instanceof HttpRequest request && !(msg instanceof FullHttpRequest) && bodyless(request)) {
            held = request;
            return;
        }
        toAggregator(ctx, msg);
    }

    private void toAggregator(ChannelHandlerContext ctx, Object msg) {
        if (!aggregating) {
            aggregating = true;
            ctx.pipeline().addAfter(ctx.name(), "aggregator", new HttpObjectAggregator(maxBodyBytes));
        }
        ctx.fireChannelRead(msg);
    }

    private static boolean bodyless(HttpRequest request) {
        return request.decoderResult().isSuccess()
                && !HttpUtil.isTransferEncodingChunked(request)
                && !request.headers().contains(HttpHeaderNames.EXPECT)
                && HttpUtil.getContentLength(request, 0L) == 0L;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        held = null;
        ctx.fireChannelInactive();
    }
}
