package io.isthmus.slowpath.ingress.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

import java.nio.channels.ClosedChannelException;

/**
 * The last handler of a backend connection: hands the aggregated response to the exchange that
 * sent the request (one at a time, no pipelining), and reports a connection lost mid-request.
 * An idle pooled connection that times out is closed.
 *
 * <p><b>Thread-safety:</b> the connection's event loop only.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private Exchange exchange;

    void begin(Exchange next) {
        exchange = next;
    }

    /** Forgets the current exchange (it timed out): whatever comes later is discarded. */
    void abandon() {
        exchange = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        final Exchange current = exchange;
        exchange = null;
        if (current != null && msg instanceof FullHttpResponse response) {
            current.onResponse(response);
        } else {
            ReferenceCountUtil.release(msg);
            ctx.close(); // a response nobody asked for: the connection's state is unknown
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        final Exchange current = exchange;
        exchange = null;
        if (current != null) {
            current.onFailure(new ClosedChannelException());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && exchange == null) {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // channelInactive reports it to the exchange
    }
}
