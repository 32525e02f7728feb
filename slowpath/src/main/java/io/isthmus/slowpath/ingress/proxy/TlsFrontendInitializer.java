package io.isthmus.slowpath.ingress.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;

/**
 * The pipeline of an HTTPS connection: SNI picks the certificate from the current
 * {@link io.isthmus.slowpath.ingress.tls.CertificateStore}; after the handshake ALPN decides
 * between HTTP/2 (each stream gets its own {@link FrontendHandler} behind a frame-to-HTTP/1
 * codec) and HTTP/1.1. With no certificate loaded at all, connections are closed at once.
 */
final class TlsFrontendInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_CONCURRENT_STREAMS = 128;

    private final ProxyContext proxy;
    private final Mapping<String, SslContext> certificates;

    TlsFrontendInitializer(ProxyContext proxy) {
        this.proxy = proxy;
        this.certificates = host -> proxy.routes().current().certificates().map(host);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (proxy.routes().current().certificates().isEmpty()) {
            ch.close(); // no certificate at all: nothing to offer in a handshake
            return;
        }
        ch.pipeline().addLast(new SniHandler(certificates), new Alpn(), new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close(); // a failed handshake or a broken peer: this connection only
            }
        });
    }

    private final class Alpn extends ApplicationProtocolNegotiationHandler {
        Alpn() {
            super(ApplicationProtocolNames.HTTP_1_1);
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                ctx.pipeline().addLast(
                        Http2FrameCodecBuilder.forServer()
                                .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(MAX_CONCURRENT_STREAMS))
                                .build(),
                        new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                            @Override
                            protected void initChannel(Http2StreamChannel stream) {
                                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                        new HttpObjectAggregator(proxy.settings().maxBodyBytes()),
                                        new FrontendHandler(proxy, true, true));
                            }
                        }));
            } else {
                HttpFrontendInitializer.addHttp1(ctx.pipeline(), proxy, true);
            }
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
