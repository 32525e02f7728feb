package io.isthmus.slowpath.ingress.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.nio.channels.ClosedChannelException;

/**
 * The last handler of a backend connection: streams the response of the one request in flight
 * (no pipelining) to the exchange that sent it, and reports a connection lost mid-request.
 *
 * <p><b>Thread-safety:</b> the connection's event loop only.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private Exchange exchange;
    private long idleSinceNs;   // System.nanoTime() when the pool last took the connection back

    void begin(Exchange next) {
        exchange = next;
    }

    /** Since when the connection waits in the pool (System.nanoTime()). */
    long idleSinceNs() {
        return idleSinceNs;
    }

    void idleSince(long nowNs) {
        idleSinceNs = nowNs;
    }

    /** Forgets the current exchange (it timed out): whatever comes later is discarded. */
    void abandon() {
        exchange = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        final Exchange current = exchange;
        if (current == null || !(msg instanceof HttpObject object) || object.decoderResult().isFailure()) {
            exchange = null;
            ReferenceCountUtil.release(msg);
            ctx.close(); // a response nobody asked for, or one we cannot parse: the connection's state is unknown
            if (current != null) {
                current.onFailure(new IllegalStateException("unparsable response from backend"));
            }
            return;
        }
        if (msg instanceof HttpResponse head) {
            if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                ReferenceCountUtil.release(msg); // 100 Continue and friends: the final response follows
                return;
            }
            current.onResponseHead(head);
        }
        if (msg instanceof HttpContent content) {
            final boolean last = content instanceof LastHttpContent;
            if (last) {
                exchange = null;
            }
            current.onResponseContent(content, last);
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
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // channelInactive reports it to the exchange
    }
}
