package io.isthmus.slowpath.ingress.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Turns a request without a body (no Content-Length or 0, not chunked, no Expect: most GETs) and
 * the empty last content that follows it into one {@link FullHttpRequest} with an empty buffer,
 * before {@link io.netty.handler.codec.http.HttpObjectAggregator} sees them: the aggregator then
 * passes it through instead of building a composite buffer for nothing. Everything else (bodies,
 * decoder failures) goes on untouched to the aggregator.
 *
 * <p><b>Thread-safety:</b> one per HTTP/1.1 connection, on its event loop.
 */
final class BodylessRequests extends ChannelInboundHandlerAdapter {
    private HttpRequest held;

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
            ctx.fireChannelRead(request);
        }
        if (msg instanceof HttpRequest request && !(msg instanceof FullHttpRequest) && bodyless(request)) {
            held = request;
            return;
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
